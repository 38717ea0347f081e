package worker_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rppsync/rppsync/directory/fetch"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/worker"
)

func TestWriteText(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		s    worker.PassSummary
		want []string
	}{
		{
			name: "a full pass",
			s: worker.PassSummary{PassID: "abc", RunID: 7, Replica: "r1", StartedAt: t0, FinishedAt: t0.Add(2300 * time.Millisecond), Outcome: store.RunOK,
				Extracts: []worker.ExtractSummary{{Kind: fetch.Activity, Name: "PS_LibreAcces_Personne_activite_202611270800.txt", Loaded: true}, {Kind: fetch.Cards, NotModified: true}},
				Files: []worker.FileSummary{
					{Path: "A/p.csv", Outcome: worker.FileDone, MovedTo: "done/2026-12-04/A/p.csv"},
					{Path: "x.csv", Outcome: worker.FileRejected, ErrorCode: "symlink_outside"},
				},
				FilesPending: 1, Rows: map[string]int{"matched": 2, "rpps_invalid": 1}, Items: map[string]int{"validate_activity": 2},
				Messages: 3, Reconciled: &store.ReconcileReport{Done: 1}, Purged: &store.PurgeReport{Contracts: 4}},
			want: []string{
				"Passage abc (n° 7, r1) : réussi en 2.3s\n",
				"Extrait PS_LibreAcces : PS_LibreAcces_Personne_activite_202611270800.txt chargé\n",
				"Extrait Porteurs_CPS_CPF : inchangé\n",
				"Fichiers : 2 traités, 1 importés, 1 refusés, 0 en échec (restés dans la boîte de dépôt), 1 en cours d'écriture\n",
				"  A/p.csv : importé → done/2026-12-04/A/p.csv\n",
				"  x.csv : refusé [symlink_outside]\n",
				"Lignes : 2 RPPS vérifié, 1 ",
				"Actions créées : 2 validate_activity\n",
				"Rapprochement avec l'annuaire : 1 actions faites, 0 expirées, 0 créées\n",
				"Purge des données personnelles : 4 contrats",
				"Messages envoyés en file : 3\n",
			},
		},
		{
			name: "a partial pass",
			s: worker.PassSummary{PassID: "def", StartedAt: t0, FinishedAt: t0, Outcome: store.RunPartial, ErrorCode: "fetch_download_truncated",
				Extracts: []worker.ExtractSummary{{Kind: fetch.Activity, ErrorCode: "fetch_download_truncated"}}},
			want: []string{
				": terminé avec des erreurs en 0s [fetch_download_truncated]\n",
				"Extrait PS_LibreAcces : échec [fetch_download_truncated], l'annuaire chargé est conservé\n",
				"Lignes : aucune\n",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := tt.s.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("no %q in:\n%s", w, b.String())
				}
			}
		})
	}
}
