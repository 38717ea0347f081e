package importer

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/rppsync/rppsync"
)

func encode(t *testing.T, s string, enc interface{ Bytes([]byte) ([]byte, error) }) []byte {
	t.Helper()
	b, err := enc.Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSniffCSV(t *testing.T) {
	const text = "Nom;Prénom;N° RPPS\r\nLEFÈVRE;Hélène;10999000036\r\n"
	tests := []struct {
		name string
		data []byte
		enc  Encoding
		sep  rune
		want string
	}{
		{"utf-8", []byte(text), EncodingUTF8, ';', text},
		{"utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, text...), EncodingUTF8BOM, ';', text},
		{"windows-1252", encode(t, text, charmap.Windows1252.NewEncoder()), EncodingWindows1252, ';', text},
		{"utf-16le bom", encode(t, text, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()), EncodingUTF16LE, ';', text},
		{"utf-16be bom", encode(t, text, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder()), EncodingUTF16BE, ';', text},
		{"comma with quoted commas", []byte("Nom,Prénom,Site\n\"A; B\",C,\"X, Y\"\n"), EncodingUTF8, ',', "Nom,Prénom,Site\n\"A; B\",C,\"X, Y\"\n"},
		{"tab", []byte("Nom\tPrénom\tRPPS\nA\tB\tC\n"), EncodingUTF8, '\t', "Nom\tPrénom\tRPPS\nA\tB\tC\n"},
		{"pipe", []byte("Nom|Prénom|RPPS\nA|B|C\n"), EncodingUTF8, '|', "Nom|Prénom|RPPS\nA|B|C\n"},
		{"semicolon beats commas in values", []byte("Nom;Site\nA;X, Y, Z\nB;V\n"), EncodingUTF8, ';', "Nom;Site\nA;X, Y, Z\nB;V\n"},
		{"title line first", []byte("Export du 01/11/2026\nNom;Prénom;RPPS\nA;B;C\nD;E;F\n"), EncodingUTF8, ';', "Export du 01/11/2026\nNom;Prénom;RPPS\nA;B;C\nD;E;F\n"},
		{"one column", []byte("Nom\nA\n"), EncodingUTF8, ';', "Nom\nA\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, s, err := SniffCSV(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if s.Encoding != tt.enc || s.Separator != tt.sep || got != tt.want {
				t.Errorf("SniffCSV = %q, %s, %q; want %q, %s, %q", got, s.Encoding, s.Separator, tt.want, tt.enc, tt.sep)
			}
		})
	}
	if _, _, err := SniffCSV([]byte("Nom\x00;B")); err == nil {
		t.Error("SniffCSV of NUL bytes without BOM: want ErrBinary")
	}
}

// TestCSVRows checks line numbers (header counted, blank lines and quoted
// line breaks kept), field-count issues and that no row is dropped.
func TestCSVRows(t *testing.T) {
	data := "Export rppsync\r\n" +
		"Nom;Prénom;N° RPPS;Date début\r\n" +
		"MARTIN;Claire;10999000010;02/11/2026\r\n" +
		"\r\n" +
		"\"DU\r\nPONT\";Jean;;03/11/2026\r\n" +
		"PETIT;Élodie\r\n" +
		";;;\r\n" +
		"x;;;;;\r\n"
	p := filepath.Join(t.TempDir(), "lignes.csv")
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var rows []int
	for _, r := range f.Records {
		rows = append(rows, r.Row)
		if r.Sheet != "" || r.Path != p {
			t.Errorf("row %d: sheet %q path %q", r.Row, r.Sheet, r.Path)
		}
	}
	if want := []int{3, 5, 7, 9}; !slices.Equal(rows, want) {
		t.Fatalf("rows = %v, want %v", rows, want)
	}
	issues := func(r rppsync.Record) (codes []string) {
		for _, i := range r.Issues {
			if i.Code != rppsync.CodeFINESSMissing { // the file has no structure column: every row says so
				codes = append(codes, i.Code)
			}
		}
		return codes
	}
	if got := issues(f.Records[2]); len(got) != 1 || got[0] != CodeRowFieldCount {
		t.Errorf("short row issues = %v, want row_field_count", got)
	}
	if got := issues(f.Records[3]); len(got) != 1 || got[0] != CodeRowFieldCount {
		t.Errorf("long row issues = %v, want row_field_count", got)
	}
	if f.Records[1].LastName.Display != "DU PONT" || f.Records[1].Original[rppsync.FieldLastName] != "DU\r\nPONT" && f.Records[1].Original[rppsync.FieldLastName] != "DU\nPONT" {
		t.Errorf("quoted line break: %+v", f.Records[1].LastName)
	}
}

func FuzzSniffCSV(f *testing.F) {
	f.Add([]byte("Nom;Prénom\r\nA;B\r\n"))
	f.Add([]byte("\xEF\xBB\xBFNom,Prénom\n\"A,1\",B\n"))
	f.Add([]byte("\xFF\xFEN\x00o\x00m\x00"))
	f.Add([]byte("\xFE\xFF\x00N\x00o"))
	f.Add([]byte("Nom;Pr\xe9nom\r\n"))
	f.Add([]byte("a\tb|c\n\"\n"))
	f.Add([]byte("\xFF\xFE\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		text, s, err := SniffCSV(data)
		if err != nil {
			if bytes.IndexByte(data, 0) < 0 {
				t.Fatalf("SniffCSV failed on data without NUL: %v", err)
			}
			return
		}
		if !utf8.ValidString(text) {
			t.Fatalf("SniffCSV(%q) returned invalid UTF-8 %q", data, text)
		}
		if strings.HasPrefix(text, "\uFEFF") {
			t.Fatalf("SniffCSV(%q) kept the byte order mark", data)
		}
		if !strings.ContainsRune(";,\t|", s.Separator) {
			t.Fatalf("SniffCSV(%q) separator %q", data, s.Separator)
		}
		if s.Encoding == EncodingUTF8 && text != string(data) {
			t.Fatalf("SniffCSV changed valid UTF-8 %q into %q", data, text)
		}
	})
}
