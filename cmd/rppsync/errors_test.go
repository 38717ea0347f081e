package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/pipeline"
	"github.com/rppsync/rppsync/store"
)

// TestEveryCodeHasAMessage checks that every coded failure the packages
// return has its French wording here.
func TestEveryCodeHasAMessage(t *testing.T) {
	sentinels := []*rppsync.Error{
		store.ErrUnreachable, store.ErrRefused, store.ErrTimeout, store.ErrLockTimeout, store.ErrInvalidConfig, store.ErrNoDirectory, store.ErrNoCards,
		store.ErrOlderExtract, store.ErrInvalidExtract, store.ErrItemNotFound, store.ErrInvalidImport,
		store.ErrSchemaTooNew, store.ErrInvalidPurge,
		pipeline.ErrInvalidConfig, pipeline.ErrExtractUnreadable, pipeline.ErrLoadFailed,
		directory.ErrEmpty, directory.ErrNoDate, directory.ErrNoMember, directory.ErrMissingColumns,
	}
	for _, e := range sentinels {
		if _, ok := messages[e.Code]; !ok {
			t.Errorf("no French message for %q (%s)", e.Code, e.Msg)
			continue
		}
		if got := describe(e.About("x", nil)); got == e.Error() || strings.Contains(got, "%!") {
			t.Errorf("describe(%s) = %q", e.Code, got)
		}
	}
}

// TestDescribeSaysItOnce words a failed load whose cause is an older
// extract: one French sentence each, the file named once, no English.
func TestDescribeSaysItOnce(t *testing.T) {
	cause := fmt.Errorf("load: %w", store.ErrOlderExtract.About("PS_LibreAcces_Personne_activite_202611200800.txt", errors.New("dated 2026-11-20")))
	err := fmt.Errorf("directory load: %w", pipeline.ErrLoadFailed.About("/data/PS_LibreAcces_Personne_activite_202611200800.txt", cause))
	got := describe(err)
	want := "Le chargement de /data/PS_LibreAcces_Personne_activite_202611200800.txt a échoué ; l'annuaire déjà chargé reste en place. " +
		"L'extraction PS_LibreAcces_Personne_activite_202611200800.txt est plus ancienne que celle déjà chargée, qui reste en place : relancez avec --force pour la charger quand même."
	if got != want {
		t.Errorf("describe =\n%q\nwant\n%q", got, want)
	}
	if strings.Contains(got, "dated") || strings.Contains(got, "load:") {
		t.Errorf("English fragments in %q", got)
	}
	if got := describe(errors.New("plain")); got != "plain" {
		t.Errorf("describe(uncoded) = %q", got)
	}
}
