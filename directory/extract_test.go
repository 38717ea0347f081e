package directory

import (
	"archive/zip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeZip writes a zip at path with the given members (name → file to copy).
func writeZip(t *testing.T, path string, members [][2]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, m := range members {
		w, err := zw.Create(m[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(readFile(t, m[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	zipped := filepath.Join(dir, "PS_LibreAcces.zip")
	writeZip(t, zipped, [][2]string{
		{"PS_LibreAcces_Dipl_AutExerc_202611200800.txt", cardExtract},
		{"PS_LibreAcces_Personne_activite_202611200800.txt", firstExtract},
		{"PS_LibreAcces_SavoirFaire_202611200800.txt", cardExtract},
	})
	cardsZip := filepath.Join(dir, "Porteurs_CPS_CPF.zip")
	writeZip(t, cardsZip, [][2]string{{"Porteurs_CPS_CPF_202611200800.txt", cardExtract}})
	undated := filepath.Join(dir, "extract.txt")
	if err := os.WriteFile(undated, readFile(t, firstExtract), 0o600); err != nil {
		t.Fatal(err)
	}
	wantDate := time.Date(2026, 11, 20, 8, 0, 0, 0, paris)
	size := int64(len(readFile(t, firstExtract)))

	tests := []struct {
		name     string
		open     func() (*Extract, error)
		wantName string
		wantSize int64
		wantDate time.Time
		wantErr  error
	}{
		{"bare txt", func() (*Extract, error) { return Open(firstExtract) }, filepath.Base(firstExtract), size, wantDate, nil},
		{"zip", func() (*Extract, error) { return Open(zipped) }, filepath.Base(firstExtract), size, wantDate, nil},
		{"cards zip", func() (*Extract, error) { return OpenCards(cardsZip) }, filepath.Base(cardExtract), int64(len(readFile(t, cardExtract))), wantDate, nil},
		{"no date", func() (*Extract, error) { return Open(undated) }, "", 0, time.Time{}, ErrNoDate},
		{"no date, overridden", func() (*Extract, error) { return OpenDated(undated, wantDate) }, "extract.txt", size, wantDate, nil},
		{"zip without activity member", func() (*Extract, error) { return Open(cardsZip) }, "", 0, time.Time{}, ErrNoMember},
		{"absent file", func() (*Extract, error) { return Open(filepath.Join(dir, "nope.txt")) }, "", 0, time.Time{}, os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex, err := tt.open()
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer ex.Close()
			if ex.Name != tt.wantName || ex.Size != tt.wantSize || !ex.Date.Equal(tt.wantDate) {
				t.Errorf("got name %s size %d date %v", ex.Name, ex.Size, ex.Date)
			}
			b, err := io.ReadAll(ex)
			if err != nil || int64(len(b)) != tt.wantSize {
				t.Errorf("read %d bytes, err %v", len(b), err)
			}
			if err := ex.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
}

func TestDateFromName(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"PS_LibreAcces_Personne_activite_202611200800.txt", "2026-11-20T08:00:00+01:00"},
		{"/x/Porteurs_CPS_CPF_202607011530.txt", "2026-07-01T15:30:00+02:00"},
		{"PS_LibreAcces_202611200800.zip", "2026-11-20T08:00:00+01:00"},
		{"PS_LibreAcces_Personne_activite.txt", ""},
		{"PS_LibreAcces_Personne_activite_202613200800.txt", ""},
		{"x_2026112008.txt", ""},
		{"x_000101010000.txt", ""},
	}
	for _, tt := range tests {
		got, err := DateFromName(tt.in)
		if tt.want == "" {
			if !errors.Is(err, ErrNoDate) {
				t.Errorf("DateFromName(%q) = %v, %v; want ErrNoDate", tt.in, got, err)
			}
			continue
		}
		if err != nil || got.Format(time.RFC3339) != tt.want {
			t.Errorf("DateFromName(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func FuzzDateFromName(f *testing.F) {
	for _, s := range []string{"PS_LibreAcces_Personne_activite_202611200800.txt", "a_999999999999", "_000000000000.zip", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := DateFromName(s)
		if err == nil && (d.Year() < 2000 || d.Year() > 2100) {
			t.Fatalf("date %v from %q", d, s)
		}
		if err != nil && !errors.Is(err, ErrNoDate) {
			t.Fatalf("err %v not ErrNoDate", err)
		}
	})
}
