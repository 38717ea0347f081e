package structures

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"
)

// rawFile is the file as decoded, each entry kept raw so that each is
// decoded (and its errors reported) on its own.
type rawFile struct {
	Version    *int              `json:"version"`
	Structures []json.RawMessage `json:"structures"`
	Agencies   []json.RawMessage `json:"agencies"`

	structures []rawStructure
	agencies   []rawAgency
}

// rawStructure is a structure as written: the fields whose absence means
// a default are pointers.
type rawStructure struct {
	FINESS   string     `json:"finess"`
	Name     string     `json:"name"`
	Aliases  []string   `json:"aliases"`
	Contacts []Contact  `json:"contacts"`
	MSSante  string     `json:"mssante"`
	Webhook  *Webhook   `json:"webhook"`
	Digest   *rawDigest `json:"digest"`
}

type rawDigest struct {
	Enabled     *bool    `json:"enabled"`
	Time        string   `json:"time"`
	Days        []string `json:"days"`
	Language    string   `json:"language"`
	Attach      bool     `json:"attach"`
	UrgentHours *int     `json:"urgent_hours"`
}

type rawAgency struct {
	Name     string    `json:"name"`
	Aliases  []string  `json:"aliases"`
	Contacts []Contact `json:"contacts"`
}

// structure returns the structure with the defaults of what it leaves
// out. An urgent_hours written as 0 stays 0 (and is refused).
func (r rawStructure) structure() Structure {
	s := Structure{FINESS: r.FINESS, Name: r.Name, Aliases: r.Aliases, Contacts: r.Contacts,
		MSSante: r.MSSante, Webhook: r.Webhook, Digest: Digest{Enabled: true, UrgentHours: DefaultUrgentHours}}
	if d := r.Digest; d != nil {
		s.Digest.Time, s.Digest.Days, s.Digest.Language, s.Digest.Attach = d.Time, d.Days, d.Language, d.Attach
		if d.Enabled != nil {
			s.Digest.Enabled = *d.Enabled
		}
		if d.UrgentHours != nil {
			s.Digest.UrgentHours = *d.UrgentHours
			if *d.UrgentHours == 0 {
				s.Digest.UrgentHours = -1 // refused by validation, not defaulted
			}
		}
	}
	return s
}

func (r rawAgency) agency() Agency {
	return Agency{Name: r.Name, Aliases: r.Aliases, Contacts: r.Contacts}
}

// decodeFile decodes data strictly (one JSON object, no unknown field)
// and reports what cannot be decoded into ps.
func decodeFile(data []byte, ps *problems) *rawFile {
	var f rawFile
	if !utf8.Valid(data) {
		ps.add("", "", CodeSyntax, "Le fichier n'est pas encodé en UTF-8 : enregistrez-le en UTF-8 depuis votre éditeur.")
		return &f
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM some editors add
	if err := decodeStrict(data, &f); err != nil {
		ps.add("", jsonField(err), jsonCode(err), jsonMessage(data, err))
		return &f
	}
	if f.Version == nil {
		ps.add("", "version", CodeVersion, fmt.Sprintf(
			"Le fichier n'indique pas sa version : ajoutez « \"version\": %d » en tête du fichier.", Version))
	} else if *f.Version != Version {
		ps.add("", "version", CodeVersion, fmt.Sprintf(
			"Le fichier est au format version %d, que cette version de rppsync ne connaît pas (elle lit la version %d) : mettez rppsync à jour ou reprenez le format documenté.", *f.Version, Version))
	}
	for i, m := range f.Structures {
		var s rawStructure
		if err := decodeStrict(m, &s); err != nil {
			ps.add(entryName("structure", i, peekFINESS(m)), jsonField(err), jsonCode(err), jsonMessage(nil, err))
		}
		f.structures = append(f.structures, s)
	}
	for i, m := range f.Agencies {
		var a rawAgency
		if err := decodeStrict(m, &a); err != nil {
			ps.add(entryName("agence", i, ""), jsonField(err), jsonCode(err), jsonMessage(nil, err))
		}
		f.agencies = append(f.agencies, a)
	}
	return &f
}

// decodeStrict decodes exactly one JSON value of data into v, refusing
// unknown fields and anything after the value.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errTrailing
	}
	return nil
}

// errTrailing is decodeStrict's error when a value is followed by more.
var errTrailing = errors.New("data after the JSON value")

// unknownFieldRE reads the name out of encoding/json's unknown-field error.
var unknownFieldRE = regexp.MustCompile(`unknown field "([^"]*)"`)

// jsonCode returns the problem code of a decoding error.
func jsonCode(err error) string {
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		return CodeFieldType
	case unknownFieldRE.MatchString(err.Error()):
		return CodeUnknownField
	}
	return CodeSyntax
}

// jsonField returns the field a decoding error is about, "" when unknown.
func jsonField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field
	}
	if m := unknownFieldRE.FindStringSubmatch(err.Error()); m != nil {
		return m[1]
	}
	return ""
}

// jsonMessage words a decoding error in French; data, when given, locates
// a syntax error by line and column.
func jsonMessage(data []byte, err error) string {
	var (
		se *json.SyntaxError
		te *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &te):
		return fmt.Sprintf("ce champ contient %s alors qu'il faut %s : corrigez sa valeur.", jsonKind(te.Value), goKind(te.Type.Kind().String()))
	case unknownFieldRE.MatchString(err.Error()):
		return "ce champ n'existe pas dans le format du fichier (faute de frappe ?) : corrigez son nom ou retirez-le ; les champs admis sont décrits dans la documentation."
	case errors.As(err, &se):
		if data != nil {
			line, col := position(data, se.Offset)
			return fmt.Sprintf("Le fichier n'est pas du JSON valide (ligne %d, colonne %d : %s) : vérifiez les guillemets, virgules et accolades autour de cet endroit.", line, col, se.Error())
		}
		return fmt.Sprintf("L'entrée n'est pas du JSON valide (%s) : vérifiez ses guillemets, virgules et accolades.", se.Error())
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "Le fichier est vide ou coupé avant la fin : vérifiez qu'il se termine par l'accolade fermante « } »."
	case errors.Is(err, errTrailing):
		return "Le fichier contient quelque chose après l'objet JSON principal : un seul objet { … } est attendu ; retirez ce qui suit l'accolade fermante."
	}
	return fmt.Sprintf("Le fichier n'a pas la forme attendue (%s) : un objet JSON avec « version », « structures » et « agencies » est attendu.", err.Error())
}

// jsonKind names a JSON value kind in French.
func jsonKind(v string) string {
	switch {
	case v == "string":
		return "un texte"
	case v == "number" || strings.HasPrefix(v, "number "):
		return "un nombre"
	case v == "bool":
		return "vrai/faux"
	case v == "array":
		return "une liste [ … ]"
	case v == "object":
		return "un objet { … }"
	}
	return "une valeur d'un autre type"
}

// goKind names in French what a Go kind expects in JSON.
func goKind(k string) string {
	switch k {
	case "string":
		return "un texte entre guillemets"
	case "int", "int64", "float64":
		return "un nombre entier"
	case "bool":
		return "true ou false"
	case "slice":
		return "une liste [ … ]"
	case "struct", "ptr", "map":
		return "un objet { … }"
	}
	return "une autre forme"
}

// position returns the 1-based line and column of byte offset off.
func position(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:])
	return line, max(col, 1)
}

// peekFINESS returns the finess of an entry that could not be decoded
// strictly, when it is a string, to name the entry.
func peekFINESS(m json.RawMessage) string {
	var v struct {
		FINESS any `json:"finess"`
	}
	if json.Unmarshal(m, &v) != nil {
		return ""
	}
	s, _ := v.FINESS.(string)
	return s
}
