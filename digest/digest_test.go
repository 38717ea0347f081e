package digest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/digest"
	"github.com/rppsync/rppsync/queue"
)

var now = time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) rppsync.Date { v, _ := rppsync.NewDate(y, m, d); return v }

func entry(id int64, k queue.Kind, start rppsync.Date, name string) queue.Entry {
	e := queue.Entry{ID: id, Agency: "Alpha Intérim", UpdatedAt: now.Add(-time.Duration(id) * time.Minute),
		Item: queue.Item{Kind: k, State: queue.StatePending, FINESS: "250999901", Start: start, End: start.AddDays(14)}}
	if name != "" {
		e.Registration = &queue.Registration{BirthName: name, FirstNames: "Claire"}
	}
	return e
}

func TestBuildStructureDigest(t *testing.T) {
	pending := []queue.Entry{
		entry(1, queue.KindRegisterRPPSPlus, day(2026, 12, 1), "DURANDEL"),    // starts in 22 h: urgent
		entry(2, queue.KindOrderMIE, day(2026, 12, 10), "MARTIN"),             // in 10 days: not urgent
		entry(3, queue.KindValidateActivity, day(2026, 12, 1), "O'BRIEN <b>"), // not a kind that is urgent
		entry(4, queue.KindOrderMIE, day(2026, 11, 28), "LEGRAND"),            // started already: urgent
	}
	in := digest.Input{Audience: queue.AudienceStructure, ID: "250999901", Name: "CH SYNTHETIQUE DE BESANCON",
		Pending: pending, Changed: pending[:2], Now: now, AttachmentName: "file-250999901.xlsx"}
	d, ok := digest.Build(in)
	if !ok {
		t.Fatal("no digest though items changed")
	}
	if d.Counts[queue.KindOrderMIE] != 2 || d.Counts[queue.KindValidateActivity] != 1 || d.Changed != 2 {
		t.Errorf("counts = %v, changed %d", d.Counts, d.Changed)
	}
	if len(d.Urgent) != 2 || d.Urgent[0].ID != 4 || d.Urgent[1].ID != 1 {
		t.Errorf("urgent = %+v", d.Urgent)
	}
	for _, want := range []string{"CH SYNTHETIQUE DE BESANCON", "FINESS 250999901", "4 demande(s) en cours", "Commander un moyen d'identification",
		"DURANDEL Claire — Inscrire sur le Portail RPPS+", "mission du 01/12/2026 au 15/12/2026", "file-250999901.xlsx"} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, d.Text)
		}
	}
	if strings.Contains(d.Text, "&#39;") || !strings.Contains(d.HTML, "d&#39;identification") {
		t.Errorf("escaping: the text part must be plain, the HTML part escaped")
	}
	if !strings.Contains(d.Subject, "2 urgente(s)") {
		t.Errorf("subject = %q", d.Subject)
	}
	again, _ := digest.Build(in)
	if again.Key != d.Key {
		t.Error("the same state gave another key")
	}
	in.Changed = pending[:3]
	if other, _ := digest.Build(in); other.Key == d.Key {
		t.Error("another state gave the same key")
	}
	in.Changed = nil
	if _, ok := digest.Build(in); ok {
		t.Error("a digest with nothing changed")
	}
}

func TestBuildAgencyFixList(t *testing.T) {
	fix := entry(9, queue.KindFixData, day(2026, 12, 5), "")
	fix.Reason = "Ligne 5 du fichier « a.csv » : la date de naissance « 31/02/1990 » n'existe pas."
	d, ok := digest.Build(digest.Input{Audience: queue.AudienceAgency, ID: "Alpha Intérim", Pending: []queue.Entry{fix},
		Changed: []queue.Entry{fix}, Now: now})
	if !ok || !strings.Contains(d.Subject, "1 ligne(s) à corriger") || !strings.Contains(d.Text, "Corriger les données : 1") {
		t.Fatalf("agency digest: %v\n%+v", ok, d)
	}
	if !strings.HasPrefix(d.Key, "digest.agency.") {
		t.Errorf("key = %q", d.Key)
	}
}
