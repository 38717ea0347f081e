package worker

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/report"
	"github.com/rppsync/rppsync/store"
)

// outcomeWords are the French words of the pass outcomes.
var outcomeWords = map[store.RunOutcome]string{
	store.RunOK:          "réussi",
	store.RunPartial:     "terminé avec des erreurs",
	store.RunFailed:      "échoué",
	store.RunInterrupted: "interrompu",
	store.RunRunning:     "en cours",
}

// WriteText writes the summary in French for a person reading `rppsync
// run`'s output: outcome, extracts, files, rows by verdict, items by kind,
// reconciliation, purge and messages. It holds counts, codes and paths,
// never a person's data.
func (s *PassSummary) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Passage %s (n° %d, %s) : %s en %s", s.PassID, s.RunID, s.Replica, outcomeWords[s.Outcome],
		s.FinishedAt.Sub(s.StartedAt).Round(100*time.Millisecond))
	if s.ErrorCode != "" {
		fmt.Fprintf(&b, " [%s]", s.ErrorCode)
	}
	b.WriteString("\n")
	for _, e := range s.Extracts {
		switch {
		case e.ErrorCode != "":
			fmt.Fprintf(&b, "Extrait %s : échec [%s], l'annuaire chargé est conservé\n", e.Kind, e.ErrorCode)
		case e.Loaded:
			fmt.Fprintf(&b, "Extrait %s : %s chargé\n", e.Kind, e.Name)
		case e.NotModified:
			fmt.Fprintf(&b, "Extrait %s : inchangé\n", e.Kind)
		default:
			fmt.Fprintf(&b, "Extrait %s : non chargé\n", e.Kind)
		}
	}
	c := s.Counts()
	fmt.Fprintf(&b, "Fichiers : %d traités, %d importés, %d refusés, %d en échec (restés dans la boîte de dépôt), %d en cours d'écriture\n",
		c.Files, c.FilesDone, c.FilesRejected, c.FilesFailed, s.FilesPending)
	for _, f := range s.Files {
		fmt.Fprintf(&b, "  %s : %s", f.Path, fileWords[f.Outcome])
		if f.ErrorCode != "" {
			fmt.Fprintf(&b, " [%s]", f.ErrorCode)
		}
		if f.MovedTo != "" {
			fmt.Fprintf(&b, " → %s", f.MovedTo)
		}
		b.WriteString("\n")
	}
	writeCounts(&b, "Lignes", s.Rows, func(k string) string { return report.StatusLabel(rppsync.Status(k)) })
	writeCounts(&b, "Actions créées", s.Items, func(k string) string { return k })
	if r := s.Reconciled; r != nil {
		fmt.Fprintf(&b, "Rapprochement avec l'annuaire : %d actions faites, %d expirées, %d créées\n", r.Done, r.Expired, r.Created)
	}
	if p := s.Purged; p != nil {
		fmt.Fprintf(&b, "Purge des données personnelles : %d contrats, %d lignes, %d actions\n", p.Contracts, p.Rows, p.Items)
	}
	fmt.Fprintf(&b, "Messages envoyés en file : %d\n", s.Messages)
	_, err := io.WriteString(w, b.String())
	return err
}

var fileWords = map[string]string{
	FileDone:      "importé",
	FileRejected:  "refusé",
	FileDuplicate: "déjà importé (doublon)",
	FileFailed:    "en échec, repris au prochain passage",
}

func writeCounts(b *strings.Builder, title string, m map[string]int, label func(string) string) {
	if len(m) == 0 {
		fmt.Fprintf(b, "%s : aucune\n", title)
		return
	}
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], label(k)))
	}
	fmt.Fprintf(b, "%s : %s\n", title, strings.Join(parts, ", "))
}
