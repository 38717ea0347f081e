package structures

import (
	"strings"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/matcher"
)

// ErrInvalid is matched (errors.Is) by every *ConfigError: the
// configuration file cannot be loaded as it is. rppsync.CodeOf gives
// "structures_invalid".
var ErrInvalid = rppsync.NewError("structures_invalid", "invalid structures configuration")

// Codes of the problems a configuration may have (Problem.Code). They are
// stable: never renamed.
const (
	CodeTooLarge        = "config_too_large"         // the file exceeds MaxFileSize
	CodeSyntax          = "config_syntax"            // not JSON, or not one JSON object
	CodeVersion         = "config_version"           // version missing or not Version
	CodeUnknownField    = "config_unknown_field"     // a field the format does not have (a typo)
	CodeFieldType       = "config_field_type"        // text where a number is expected, etc.
	CodeNoStructure     = "config_no_structure"      // no structure at all
	CodeFINESSMissing   = "finess_missing"           // a structure without FINESS
	CodeFINESSFormat    = matcher.CodeFINESSFormat   // FINESS of the wrong length or characters
	CodeFINESSChecksum  = matcher.CodeFINESSChecksum // FINESS whose key is wrong
	CodeFINESSDuplicate = "finess_duplicate"         // two structures with one FINESS
	CodeNameMissing     = "name_missing"             // a structure or agency without name
	CodeAliasEmpty      = "alias_empty"              // an alias with no letter or digit
	CodeAliasConflict   = "alias_conflict"           // a name or alias claimed by two entries
	CodeAgencyDuplicate = "agency_duplicate"         // two agencies with one name
	CodeEmailMissing    = "email_missing"            // a contact without e-mail
	CodeEmailInvalid    = "email_invalid"            // an e-mail address that is not one
	CodeRoleUnknown     = "contact_role_unknown"     // a role not in the Role* list
	CodeMSSanteInvalid  = "mssante_invalid"          // not an address of the MSSanté domain
	CodeWebhookURL      = "webhook_url_invalid"      // not an absolute http(s) URL
	CodeWebhookInsecure = "webhook_url_insecure"     // http to another host than loopback
	CodeSecretMissing   = "webhook_secret_missing"   // neither secret nor secret_env
	CodeSecretBoth      = "webhook_secret_both"      // both secret and secret_env
	CodeSecretShort     = "webhook_secret_short"     // fewer than MinSecretLength characters
	CodeSecretEnvName   = "webhook_secret_env_invalid"
	CodeSecretUnset     = "webhook_secret_env_unset" // CheckSecrets: the variable is not set
	CodeDigestTime      = "digest_time_invalid"
	CodeNoRecipient     = "digest_no_recipient" // a digest enabled with nobody to receive it
	CodeDigestDay       = "digest_day_unknown"
	CodeDigestLanguage  = "digest_language_unsupported"
	CodeUrgentHours     = "digest_urgent_hours_invalid"
)

// MinSecretLength is the shortest webhook secret accepted, in bytes.
const MinSecretLength = 32

// Problem is one thing wrong in a configuration file.
type Problem struct {
	// Entry names the entry as a person finds it in the file:
	// "structure n°2 (FINESS 250999901)", "agence n°1"; "" for the file.
	Entry string
	// Field is the field's path in the entry: "finess", "contacts[1].email",
	// "webhook.url".
	Field string
	// Code is one of the Code* constants.
	Code string
	// Message is a French sentence saying what is wrong and what to do. It
	// never quotes an e-mail address or a secret.
	Message string
}

// String returns the problem as one French line: entry, field, message.
func (p Problem) String() string {
	var b strings.Builder
	if p.Entry != "" {
		b.WriteString(p.Entry)
	}
	if p.Field != "" {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString("champ « " + p.Field + " »")
	}
	if b.Len() > 0 {
		b.WriteString(" : ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ConfigError lists every problem found in a configuration file. Its
// Error() is French, one line per problem; it matches ErrInvalid.
type ConfigError struct {
	Problems []Problem
}

// Error returns the problems, one per line.
func (e *ConfigError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return "Configuration des structures invalide :\n" + strings.Join(lines, "\n")
}

// Unwrap returns ErrInvalid.
func (e *ConfigError) Unwrap() error { return ErrInvalid }

// Codes returns the code of each problem, in order.
func (e *ConfigError) Codes() []string {
	out := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p.Code
	}
	return out
}

// problems collects the problems of a validation.
type problems []Problem

func (ps *problems) add(entry, field, code, msg string) {
	*ps = append(*ps, Problem{Entry: entry, Field: field, Code: code, Message: msg})
}

// configError returns ps as a *ConfigError.
func configError(ps ...Problem) *ConfigError { return &ConfigError{Problems: ps} }
