package fetch_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/rppsync/rppsync/directory/fetch"
)

func ExampleFetcher_Fetch() {
	// A stand-in for the Annuaire Santé service, serving a small extract
	// with an ETag.
	text, err := os.ReadFile("testdata/PS_LibreAcces_Personne_activite_202611200800.txt")
	if err != nil {
		log.Fatal(err)
	}
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("PS_LibreAcces_Personne_activite_202611200800.txt")
	w.Write(text)
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"20261120"`)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(zipped.Bytes()))
	}))
	defer srv.Close()

	dir, err := os.MkdirTemp("", "extracts")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	f, err := fetch.New(fetch.Config{
		Dir:      dir,
		URLs:     map[fetch.Kind]string{fetch.Activity: srv.URL + "/PS_LibreAcces"},
		MinLines: map[fetch.Kind]int64{fetch.Activity: 10}, // the real extract has millions
	})
	if err != nil {
		log.Fatal(err)
	}
	for range 2 {
		res, err := f.Fetch(context.Background(), fetch.Activity)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("not modified: %v, file: %s, %d lines\n", res.NotModified, filepath.Base(res.Path), res.Lines)
	}
	// Output:
	// not modified: false, file: PS_LibreAcces_202611200800.zip, 14 lines
	// not modified: true, file: PS_LibreAcces_202611200800.zip, 14 lines
}
