package store

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/rppsync/rppsync/directory"
)

func TestParseMigrationName(t *testing.T) {
	tests := []struct {
		file    string
		version int
		name    string
		ok      bool
	}{
		{"0001_directory.sql", 1, "0001_directory", true},
		{"0042_queue_items.sql", 42, "0042_queue_items", true},
		{"0000_zero.sql", 0, "", false},
		{"1_short.sql", 0, "", false},
		{"0001-dash.sql", 0, "", false},
		{"0001_Upper.sql", 0, "", false},
		{"0001_.sql", 0, "", false},
		{"0001_x.txt", 0, "", false},
		{"abcd_x.sql", 0, "", false},
	}
	for _, tt := range tests {
		v, name, err := parseMigrationName(tt.file)
		if tt.ok != (err == nil) || v != tt.version || name != tt.name {
			t.Errorf("parseMigrationName(%q) = %d, %q, %v", tt.file, v, name, err)
		}
		if err != nil && !errors.Is(err, ErrMigrationName) {
			t.Errorf("parseMigrationName(%q) error %v does not wrap ErrMigrationName", tt.file, err)
		}
	}
}

func FuzzParseMigrationName(f *testing.F) {
	for _, s := range []string{"0001_directory.sql", "0002_import.sql", "0001_.sql", "x.sql", "0001_é.sql", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, file string) {
		v, name, err := parseMigrationName(file)
		if err != nil {
			return
		}
		if v < 1 || v > 9999 || name+".sql" != file || !strings.HasPrefix(file, name[:4]+"_") {
			t.Fatalf("parseMigrationName(%q) = %d, %q", file, v, name)
		}
	})
}

func TestLoadMigrations(t *testing.T) {
	ms, err := loadMigrations(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].name != "0001_directory" {
		t.Fatalf("embedded migrations = %v", ms)
	}
	for i := 1; i < len(ms); i++ {
		if ms[i].version <= ms[i-1].version {
			t.Errorf("migrations out of order: %s after %s", ms[i].name, ms[i-1].name)
		}
	}
	dup := fstest.MapFS{
		"m/0001_a.sql": {Data: []byte("SELECT 1")},
		"m/0001_b.sql": {Data: []byte("SELECT 1")},
	}
	if _, err := loadMigrations(dup, "m"); !errors.Is(err, ErrMigrationName) {
		t.Errorf("duplicate versions: error = %v, want ErrMigrationName", err)
	}
	bad := fstest.MapFS{"m/first.sql": {Data: []byte("SELECT 1")}}
	if _, err := loadMigrations(bad, "m"); !errors.Is(err, ErrMigrationName) {
		t.Errorf("badly named file: error = %v, want ErrMigrationName", err)
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"LÉGER", "LÉGER"},
		{"A\x00B", "AB"},
		{"caf\xe9", "caf\uFFFD"},
		{"\x00\xff", "\uFFFD"},
	}
	for _, tt := range tests {
		if got := cleanText(tt.in); got != tt.want {
			t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"", "DUPONT", "Zoé", "A\x00B", "caf\xe9", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := cleanText(s)
		if !utf8.ValidString(got) || strings.IndexByte(got, 0) >= 0 {
			t.Fatalf("cleanText(%q) = %q: not acceptable to PostgreSQL", s, got)
		}
		if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 && got != s {
			t.Fatalf("cleanText changed valid text %q to %q", s, got)
		}
		if cleanText(got) != got {
			t.Fatalf("cleanText is not idempotent on %q", s)
		}
	})
}

// lineSource is an ActivitySource of the lines given.
type lineSource struct {
	lines []directory.Line
	i     int
}

func (s *lineSource) Next() bool           { s.i++; return s.i <= len(s.lines) }
func (s *lineSource) Line() directory.Line { return s.lines[s.i-1] }
func (s *lineSource) Err() error           { return nil }

// TestLineRowsTextIsTheirValues: the COPY text lineRows renders itself is
// the text of its Values, escapes and line number included.
func TestLineRowsTextIsTheirValues(t *testing.T) {
	l := directory.Line{IDType: "8", ID: "10000000001", LastName: "D'Arc\\Back", FirstName: `\N`,
		SiteName: "Clinique\tdu Lac\nNord\r", FinessSite: "010000016", ProfessionCode: "60"}
	other := l
	other.LastName, other.FirstName = "Zoé", "Ève"
	rows := newLineRows(&lineSource{lines: []directory.Line{l, other, other}}, nil)
	for n := 1; rows.Next(); n++ {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		var want []byte
		for i, v := range vals {
			if i > 0 {
				want = append(want, '\t')
			}
			if want, err = appendCopyValue(want, v); err != nil {
				t.Fatal(err)
			}
		}
		want = append(want, '\n')
		if got := rows.appendText(nil); string(got) != string(want) {
			t.Errorf("line %d: appendText\n%q\nValues\n%q", n, got, want)
		}
		if vals[len(vals)-1] != map[int]string{1: "D ARC BACK", 2: "ZOE", 3: "ZOE"}[n] {
			t.Errorf("line %d folded as %q", n, vals[len(vals)-1])
		}
	}
}
