// Package structures reads the configuration of who receives what: the
// structures (hospitals, clinics, care homes, each one FINESS géographique)
// with their contacts, MSSanté address, webhook and digest settings, and
// the temp agencies with theirs. It maps a structure's name as agencies
// write it to its FINESS (File.Resolve) and a FINESS to its structure
// (File.Lookup).
//
// It owns parsing and validating the file only. It must not read the
// environment (webhook secrets are looked up through the function the
// caller passes to CheckSecrets or SecretValue), open files, a database or
// the network, or log. It imports only the rppsync and matcher packages;
// store keeps the configuration in the database (store.LoadStructures) and
// cmd wires `rppsync structures load|list`.
//
// # The file
//
// One JSON object, UTF-8 (a byte order mark is accepted), at most
// MaxFileSize. Unknown fields are refused, so that a misspelt field is an
// error rather than a setting silently ignored. Loading a file replaces
// the whole configuration: a structure left out of the file is removed
// from it (its rows and work items are kept and listed as unconfigured).
//
//	{
//	  "version": 1,
//	  "structures": [
//	    {
//	      "finess": "250999901",
//	      "name": "Centre hospitalier synthétique de Besançon",
//	      "aliases": ["CH SYNTHETIQUE DE BESANCON", "CHSB", "CHSB site Nord"],
//	      "contacts": [
//	        {"name": "Bureau des gestionnaires RPPS+", "email": "rpps.plus@chsb.example.org", "role": "gestionnaire_rpps"},
//	        {"name": "Direction des ressources humaines", "email": "drh@chsb.example.org", "role": "rh"}
//	      ],
//	      "mssante": "rh@chsb.mssante.fr",
//	      "webhook": {"url": "https://si.chsb.example.org/rppsync/notifications", "secret_env": "RPPSYNC_WEBHOOK_SECRET_CHSB"},
//	      "digest": {"enabled": true, "time": "07:30", "days": ["lundi", "mardi", "mercredi", "jeudi", "vendredi"],
//	                 "language": "fr", "attach": true, "urgent_hours": 72}
//	    },
//	    {
//	      "finess": "750999906",
//	      "name": "Clinique exemple Paris",
//	      "contacts": [{"email": "rh@clinique-exemple.example.org"}]
//	    }
//	  ],
//	  "agencies": [
//	    {
//	      "name": "Intérim Alpha",
//	      "aliases": ["INTÉRIM ALPHA", "Alpha Intérim Santé"],
//	      "contacts": [{"name": "Agence de Besançon", "email": "besancon@interim-alpha.example.org"}]
//	    }
//	  ]
//	}
//
// The repository's fixtures/structures.example.json is a complete example
// (its test parses it).
//
// Top level:
//   - version (required): 1.
//   - structures (required, at least one): the structures, below.
//   - agencies (optional): the agencies, below.
//
// A structure:
//   - finess (required): the FINESS géographique, 9 characters (2A/2B for
//     Corsica), as text; spaces, dots and dashes are removed; the Luhn key
//     is checked. Two structures cannot share one.
//   - name (required): the structure's name. It resolves like an alias.
//   - aliases: the names agencies write in their files ("CH SYNTHETIQUE DE
//     BESANCON", "CHSB site Nord"). A name resolves when it is equal to the
//     name or an alias once accents, case and punctuation are set aside
//     ("Hôpital Fictif – Lyon Sud" = "HOPITAL FICTIF LYON SUD"); nothing
//     else is guessed: "CH" is not "Centre hospitalier", a missing word
//     does not match. A name or alias cannot lead to two structures.
//   - contacts: who receives the structure's digest, each {"name",
//     "email" (required, one bare address: nom@domaine.fr), "role"}; role
//     is gestionnaire_rpps, rh, direction, informatique, autre, or left out.
//   - mssante: the structure's MSSanté address (under mssante.fr), where
//     messages carrying personal data are sent; optional.
//   - webhook: {"url", and "secret_env" or "secret"}, optional. The URL is
//     https (http only to 127.0.0.1, ::1 or localhost) without credentials.
//     The secret signs each call and must be at least MinSecretLength
//     characters. Prefer "secret_env": the name of an environment variable
//     holding the secret, read when the file is loaded (CheckSecrets: a
//     missing variable is reported then) and again when a call is made; the
//     secret then stays out of the file and out of the database, which
//     stores the variable's name only. An inline "secret" is stored in the
//     database as written. Give one, not both.
//   - digest: when the structure's digest is sent, all optional:
//     "enabled" (default true), "time" (HH:MM local time, default 07:00),
//     "days" (French day names, lundi…dimanche; default every day),
//     "language" (only "fr"), "attach" (the queue as an XLSX attachment,
//     default false), "urgent_hours" (items of contracts starting within
//     that many hours are flagged urgent, 1–720, default 72). A digest that
//     is enabled needs someone to receive it: a contact, an MSSanté address
//     or a webhook.
//
// An agency:
//   - name (required): the agency's name, as its files are imported
//     (rppsync import --agency). Two agencies cannot share a name.
//   - aliases: other spellings of the name, resolved like structure names.
//   - contacts: who receives the agency's fix lists, as for structures.
//
// # Errors
//
// Parse reports every problem of the file at once in a *ConfigError
// (matched by ErrInvalid, code structures_invalid): one Problem per
// mistake, naming the entry ("structure n°2 (FINESS 250999901)", "agence
// n°1"), the field ("contacts[1].email") and a stable code (the Code*
// constants), with a French sentence that says what to do. Messages never
// quote an e-mail address or a secret.
package structures
