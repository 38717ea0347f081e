// Package digest writes what a pass tells each structure and each agency:
// a structure's digest (its pending items counted by kind, the urgent
// ones listed, its queue attached) and an agency's fix list (the rows it
// must correct or complete). It decides when one is due — when something
// changed since the last one — and gives each an idempotency key derived
// from what it reports, so that the same state never makes two messages.
//
// It is pure: it reads no clock, files, database or network. Delivery is
// package notify's; the entries come from package store; the attachment is
// written by package report.
package digest

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
)

// DefaultUrgentWithin is how soon a mission must start for its open
// registration or MIE to be urgent.
const DefaultUrgentWithin = 72 * time.Hour

// Input is one recipient's queue at the end of a pass.
type Input struct {
	// Audience is queue.AudienceStructure (ID a FINESS) or
	// queue.AudienceAgency (ID the agency's name).
	Audience queue.Audience
	ID       string
	// Name is how the recipient is called in the message ("CH SYNTHETIQUE
	// DE BESANCON"); ID when empty.
	Name string
	// Pending are the recipient's pending items.
	Pending []queue.Entry
	// Changed are the items (any state) created or changed since the last
	// digest sent to the recipient: none, no digest.
	Changed []queue.Entry
	// Now is when the digest is written.
	Now time.Time
	// UrgentWithin: DefaultUrgentWithin when zero.
	UrgentWithin time.Duration
	// Attachment is the recipient's queue as a file (an XLSX export),
	// attached as AttachmentName; nil for none.
	Attachment     []byte
	AttachmentName string
}

// Digest is one message's content.
type Digest struct {
	// Key is the idempotency key: the recipient and a hash of the changed
	// items' ids and versions.
	Key     string
	Subject string
	Text    string
	HTML    string
	// Counts are the pending items per kind; Urgent the urgent ones.
	Counts map[queue.Kind]int
	Urgent []queue.Entry
	// Changed is how many items changed since the last digest.
	Changed int
}

// Build returns the recipient's digest, or false when nothing changed
// since the last one.
func Build(in Input) (*Digest, bool) {
	if len(in.Changed) == 0 {
		return nil, false
	}
	within := cmp.Or(in.UrgentWithin, DefaultUrgentWithin)
	d := &Digest{Counts: map[queue.Kind]int{}, Changed: len(in.Changed), Key: key(in)}
	for _, e := range in.Pending {
		d.Counts[e.Kind]++
		if Urgent(e, in.Now, within) {
			d.Urgent = append(d.Urgent, e)
		}
	}
	slices.SortStableFunc(d.Urgent, func(a, b queue.Entry) int { return a.Start.Time().Compare(b.Start.Time()) })
	name := cmp.Or(in.Name, in.ID)
	v := view{In: in, D: d, Name: name, Day: in.Now.Format("02/01/2006"), Hours: int(within.Hours())}
	for _, k := range queue.Kinds {
		if n := d.Counts[k]; n > 0 {
			v.Lines = append(v.Lines, line{Label: k.Label(), N: n})
		}
	}
	for _, e := range d.Urgent {
		v.UrgentLines = append(v.UrgentLines, urgentText(e))
	}
	if in.Audience == queue.AudienceAgency {
		d.Subject = fmt.Sprintf("rppsync : %d ligne(s) à corriger ou compléter — %s, %s", len(in.Pending), name, v.Day)
	} else {
		d.Subject = fmt.Sprintf("rppsync : %d demande(s) en cours, dont %d urgente(s) — %s, %s", len(in.Pending), len(d.Urgent), name, v.Day)
	}
	var t, h bytes.Buffer
	if err := textTmpl.Execute(&t, v); err != nil {
		panic(err) // the templates are fixed: a failure is a bug caught by the tests
	}
	if err := htmlTmpl.Execute(&h, v); err != nil {
		panic(err)
	}
	d.Text, d.HTML = t.String(), h.String()
	return d, true
}

// Urgent reports whether e is a registration, a follow-up, a candidate to
// confirm (no RPPS yet) or an MIE to order whose mission starts before
// now+within, or has started already.
func Urgent(e queue.Entry, now time.Time, within time.Duration) bool {
	switch e.Kind {
	case queue.KindRegisterRPPSPlus, queue.KindFollowUpOrdre, queue.KindFollowUpARS,
		queue.KindConfirmCandidate, queue.KindOrderMIE, queue.KindActivateECPS:
	default:
		return false
	}
	if e.Start.IsZero() || e.State != queue.StatePending {
		return false
	}
	if !e.End.IsZero() && e.End.Before(rppsync.DateOf(now)) {
		return false // over
	}
	return e.Start.Time().Before(now.Add(within))
}

// key is the recipient and a hash of what changed: the same state gives
// the same key, whoever computes it.
func key(in Input) string {
	parts := make([]string, len(in.Changed))
	for i, e := range in.Changed {
		parts[i] = fmt.Sprintf("%d@%d", e.ID, e.UpdatedAt.UnixMicro())
	}
	slices.Sort(parts)
	sum := sha256.Sum256([]byte(strings.Join(parts, ",")))
	kind := "structure"
	if in.Audience == queue.AudienceAgency {
		kind = "agency"
	}
	id := sha256.Sum256([]byte(in.ID))
	return fmt.Sprintf("digest.%s.%s.%s", kind, hex.EncodeToString(id[:6]), hex.EncodeToString(sum[:12]))
}

type line struct {
	Label string
	N     int
}

type view struct {
	In          Input
	Hours       int
	D           *Digest
	Name, Day   string
	Lines       []line
	UrgentLines []string
}

// person names the worker of e as the item knows them.
func person(e queue.Entry) string {
	if r := e.Registration; r != nil {
		n := strings.TrimSpace(strings.Join([]string{r.BirthName, r.FirstNames}, " "))
		if r.UsageName != "" && r.UsageName != r.BirthName {
			n += " (nom d'usage " + r.UsageName + ")"
		}
		if n != "" {
			return n
		}
	}
	if n := e.Person.String(); n != "" {
		return n
	}
	if e.RPPS != "" {
		return "RPPS " + e.RPPS
	}
	return fmt.Sprintf("demande n°%d", e.ID)
}

func date(d rppsync.Date) string {
	if d.IsZero() {
		return "?"
	}
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

func urgentText(e queue.Entry) string {
	return fmt.Sprintf("%s — %s (agence %s, mission du %s au %s, demande n°%d)",
		person(e), e.Kind.Label(), cmp.Or(e.Agency, "?"), date(e.Start), date(e.End), e.ID)
}

var textTmpl = texttemplate.Must(texttemplate.New("text").Parse(`Bonjour,

{{if eq .In.Audience "agency"}}rppsync a vérifié les fichiers que vous avez envoyés. {{.Name}} a {{len .In.Pending}} ligne(s) à corriger ou à compléter, dont {{.D.Changed}} nouvelle(s) ou modifiée(s) depuis le dernier envoi :
{{else}}rppsync a traité les fichiers des agences d'intérim. La file de validation de {{.Name}} (FINESS {{.In.ID}}) compte {{len .In.Pending}} demande(s) en cours, dont {{.D.Changed}} nouvelle(s) ou modifiée(s) depuis le dernier envoi :
{{end}}{{range .Lines}}
- {{.Label}} : {{.N}}{{end}}
{{if .UrgentLines}}
Urgent : missions qui commencent dans les {{.Hours}} heures (ou ont commencé) sans RPPS ou sans moyen d'identification :
{{range .UrgentLines}}
- {{.}}{{end}}
{{end}}{{if .In.AttachmentName}}
Le détail de chaque demande, avec tout ce qu'il faut pour la traiter, est dans le fichier joint « {{.In.AttachmentName}} ».
{{end}}
Message envoyé par rppsync le {{.Day}}.
`))

var htmlTmpl = template.Must(template.New("html").Parse(`<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{{.D.Subject}}</title></head>
<body style="font-family: Arial, sans-serif; color: #222">
<p>Bonjour,</p>
{{if eq .In.Audience "agency"}}<p>rppsync a vérifié les fichiers que vous avez envoyés. <strong>{{.Name}}</strong> a <strong>{{len .In.Pending}}</strong> ligne(s) à corriger ou à compléter, dont {{.D.Changed}} nouvelle(s) ou modifiée(s) depuis le dernier envoi.</p>
{{else}}<p>rppsync a traité les fichiers des agences d'intérim. La file de validation de <strong>{{.Name}}</strong> (FINESS {{.In.ID}}) compte <strong>{{len .In.Pending}}</strong> demande(s) en cours, dont {{.D.Changed}} nouvelle(s) ou modifiée(s) depuis le dernier envoi.</p>
{{end}}<table style="border-collapse: collapse">{{range .Lines}}
<tr><td style="padding: 2px 12px 2px 0">{{.Label}}</td><td style="text-align: right"><strong>{{.N}}</strong></td></tr>{{end}}
</table>
{{if .UrgentLines}}<h3 style="color: #b00020">Urgent : missions qui commencent dans les {{.Hours}} heures (ou ont commencé) sans RPPS ou sans moyen d'identification</h3>
<ul>{{range .UrgentLines}}
<li>{{.}}</li>{{end}}
</ul>
{{end}}{{if .In.AttachmentName}}<p>Le détail de chaque demande, avec tout ce qu'il faut pour la traiter, est dans le fichier joint « {{.In.AttachmentName}} ».</p>
{{end}}<p style="color: #666">Message envoyé par rppsync le {{.Day}}.</p>
</body></html>
`))
