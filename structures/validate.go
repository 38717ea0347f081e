package structures

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync/matcher"
)

// MSSanteDomain is the domain every MSSanté address belongs to: the
// operators of the MSSanté trust space give their users addresses under
// it (dupont@ch-xyz.mssante.fr).
const MSSanteDomain = "mssante.fr"

// MaxUrgentHours bounds Digest.UrgentHours (30 days).
const MaxUrgentHours = 720

// envNameRE is what an environment variable's name may be.
var envNameRE = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

// timeRE is a digest time, HH:MM.
var timeRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// validateStructure checks s (and normalises its digest in place) and
// returns its normalised FINESS, ok false when the FINESS is not valid.
func validateStructure(s *Structure, entry string, ps *problems) (string, bool) {
	var (
		finess string
		ok     bool
	)
	switch {
	case strings.TrimSpace(s.FINESS) == "":
		ps.add(entry, "finess", CodeFINESSMissing,
			"La structure n'a pas de numéro FINESS : indiquez son FINESS géographique (9 caractères), celui que les agences écrivent dans leurs fichiers.")
	default:
		n, err := matcher.ValidFINESS(s.FINESS)
		var ie *matcher.IdentifierError
		switch {
		case err == nil:
			finess, ok = n, true
		case errors.As(err, &ie):
			ps.add(entry, "finess", ie.Code, ie.Error())
		default:
			ps.add(entry, "finess", CodeFINESSFormat, err.Error())
		}
	}
	if namekey.Fold(s.Name) == "" {
		ps.add(entry, "name", CodeNameMissing,
			"La structure n'a pas de nom : indiquez son nom tel que vos équipes l'écrivent.")
	}
	validateAliases(s.Aliases, entry, ps)
	validateContacts(s.Contacts, entry, ps)
	s.MSSante = strings.TrimSpace(s.MSSante)
	if s.MSSante != "" {
		if addr, ok := bareAddress(s.MSSante); !ok || !strings.HasSuffix(strings.ToLower(domainOf(addr)), "."+MSSanteDomain) {
			ps.add(entry, "mssante", CodeMSSanteInvalid, fmt.Sprintf(
				"L'adresse MSSanté n'en est pas une : une adresse de messagerie sécurisée de santé a la forme nom@domaine.%s ; recopiez-la depuis l'annuaire MSSanté ou laissez le champ vide.", MSSanteDomain))
		}
	}
	if s.Webhook != nil {
		validateWebhook(s.Webhook, entry, ps)
	}
	d := &s.Digest
	if d.Time == "" {
		d.Time = DefaultDigestTime
	}
	if d.Language == "" {
		d.Language = DefaultLanguage
	}
	if d.UrgentHours == 0 {
		d.UrgentHours = DefaultUrgentHours
	}
	if !timeRE.MatchString(d.Time) {
		ps.add(entry, "digest.time", CodeDigestTime, fmt.Sprintf(
			"L'heure d'envoi du récapitulatif « %s » n'est pas lisible : écrivez-la HH:MM sur 24 heures, par exemple « 07:30 ».", d.Time))
	}
	days := d.Days[:0:0]
	seen := map[string]bool{}
	for i, day := range d.Days {
		k := strings.ToLower(strings.TrimSpace(day))
		if !isDay(k) {
			ps.add(entry, fmt.Sprintf("digest.days[%d]", i+1), CodeDigestDay, fmt.Sprintf(
				"Le jour « %s » n'est pas reconnu : écrivez les jours en toutes lettres (%s), ou retirez « days » pour un envoi quotidien.", day, strings.Join(Days, ", ")))
			continue
		}
		if !seen[k] {
			seen[k] = true
			days = append(days, k)
		}
	}
	if len(d.Days) > 0 {
		d.Days = days
	}
	if d.Language != DefaultLanguage {
		ps.add(entry, "digest.language", CodeDigestLanguage, fmt.Sprintf(
			"La langue « %s » n'est pas disponible : seul le français (« fr ») l'est aujourd'hui.", d.Language))
	}
	if d.UrgentHours < 1 || d.UrgentHours > MaxUrgentHours {
		ps.add(entry, "digest.urgent_hours", CodeUrgentHours, fmt.Sprintf(
			"Le délai d'urgence doit être un nombre d'heures entre 1 et %d (72 par défaut : un contrat qui commence dans les 3 jours).", MaxUrgentHours))
	}
	if d.Enabled && len(s.Contacts) == 0 && s.MSSante == "" && s.Webhook == nil {
		ps.add(entry, "digest", CodeNoRecipient,
			"Le récapitulatif est activé mais personne ne le recevrait : ajoutez un contact, une adresse MSSanté ou un webhook, ou écrivez « \"digest\": {\"enabled\": false} ».")
	}
	return finess, ok
}

// validateAgency checks a.
func validateAgency(a *Agency, entry string, ps *problems) {
	if namekey.Fold(a.Name) == "" {
		ps.add(entry, "name", CodeNameMissing,
			"L'agence n'a pas de nom : indiquez le nom sous lequel ses fichiers sont importés (option --agency).")
	}
	validateAliases(a.Aliases, entry, ps)
	validateContacts(a.Contacts, entry, ps)
}

// validateAliases reports the aliases that fold to nothing.
func validateAliases(aliases []string, entry string, ps *problems) {
	for i, a := range aliases {
		if namekey.Fold(a) == "" {
			ps.add(entry, fmt.Sprintf("aliases[%d]", i+1), CodeAliasEmpty,
				"Cet alias ne contient ni lettre ni chiffre : retirez-le ou écrivez le nom tel que les agences l'écrivent.")
		}
	}
}

// validateContacts checks each contact's e-mail and role. The messages do
// not quote the addresses: they may end up in logs.
func validateContacts(cs []Contact, entry string, ps *problems) {
	for i := range cs {
		cs[i].Email = strings.TrimSpace(cs[i].Email)
		c := cs[i]
		field := fmt.Sprintf("contacts[%d]", i+1)
		switch {
		case strings.TrimSpace(c.Email) == "":
			ps.add(entry, field+".email", CodeEmailMissing,
				"Le contact n'a pas d'adresse e-mail : indiquez-en une (une boîte d'équipe convient) ou retirez le contact.")
		default:
			if _, ok := bareAddress(c.Email); !ok {
				ps.add(entry, field+".email", CodeEmailInvalid,
					"L'adresse e-mail du contact n'est pas valide : écrivez une seule adresse, sous la forme nom@domaine.fr, sans nom ni chevrons autour.")
			}
		}
		if !roles[c.Role] {
			ps.add(entry, field+".role", CodeRoleUnknown, fmt.Sprintf(
				"Le rôle « %s » n'est pas reconnu : choisissez parmi %s, %s, %s, %s, %s, ou laissez-le vide.",
				c.Role, RoleRPPSManager, RoleHR, RoleManagement, RoleIT, RoleOther))
		}
	}
}

// validateWebhook checks the webhook's URL and secret. The secret is never
// quoted.
func validateWebhook(w *Webhook, entry string, ps *problems) {
	u, err := url.Parse(w.URL)
	switch {
	case err != nil || u.Host == "" || u.Hostname() == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Opaque != "":
		ps.add(entry, "webhook.url", CodeWebhookURL,
			"L'adresse du webhook n'est pas une URL complète : écrivez-la sous la forme https://serveur.exemple.fr/chemin.")
	case u.User != nil:
		ps.add(entry, "webhook.url", CodeWebhookURL,
			"L'adresse du webhook contient un identifiant ou un mot de passe : retirez-les de l'URL ; les appels sont authentifiés par la signature (secret).")
	case u.Scheme == "http" && !loopback(u.Hostname()):
		ps.add(entry, "webhook.url", CodeWebhookInsecure,
			"L'adresse du webhook est en http : les notifications doivent être chiffrées ; utilisez https (http n'est admis que vers la machine locale, 127.0.0.1).")
	}
	switch {
	case w.Secret != "" && w.SecretEnv != "":
		ps.add(entry, "webhook", CodeSecretBoth,
			"Le webhook indique à la fois « secret » et « secret_env » : gardez-en un seul (de préférence « secret_env », qui laisse le secret hors du fichier).")
	case w.Secret == "" && w.SecretEnv == "":
		ps.add(entry, "webhook", CodeSecretMissing,
			"Le webhook n'a pas de secret : indiquez dans « secret_env » le nom d'une variable d'environnement qui le contient (ou le secret lui-même dans « secret ») ; il sert à signer les appels.")
	case w.SecretEnv != "" && !envNameRE.MatchString(w.SecretEnv):
		ps.add(entry, "webhook.secret_env", CodeSecretEnvName, fmt.Sprintf(
			"« %s » n'est pas un nom de variable d'environnement : utilisez des majuscules, chiffres et « _ », par exemple RPPSYNC_WEBHOOK_SECRET_CHA.", w.SecretEnv))
	case w.Secret != "" && len(w.Secret) < MinSecretLength:
		ps.add(entry, "webhook.secret", CodeSecretShort, fmt.Sprintf(
			"Le secret du webhook compte moins de %d caractères : générez-en un plus long (par exemple avec « openssl rand -hex 32 »).", MinSecretLength))
	}
}

// loopback reports whether host names this machine: localhost or a
// loopback address.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// bareAddress parses s as a single bare e-mail address (no display name,
// no angle brackets) whose domain has a dot, and returns it.
func bareAddress(s string) (string, bool) {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || strings.ContainsAny(s, "<>") {
		return "", false
	}
	d := domainOf(a.Address)
	if !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") || strings.HasPrefix(d, "[") {
		return "", false
	}
	return a.Address, true
}

// domainOf returns what follows the last @ of an address.
func domainOf(addr string) string {
	return addr[strings.LastIndexByte(addr, '@')+1:]
}

// isDay reports whether s is one of Days.
func isDay(s string) bool {
	for _, d := range Days {
		if s == d {
			return true
		}
	}
	return false
}
