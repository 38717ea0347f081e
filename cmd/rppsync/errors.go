package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/pipeline"
	"github.com/rppsync/rppsync/queue"
)

// messages words, in French, the failures the packages report by code:
// the sentence a person reads is chosen here, at the edge (the structures'
// page will have its own). %s stands for the error's subject (a file, a
// server, an item number). A code missing here is shown as the package's
// own text; TestEveryCodeHasAMessage keeps the table complete.
var messages = map[rppsync.Code]string{
	"db_unreachable":          "PostgreSQL ne répond pas (%s) : démarrez-le (« make db » ou « sudo service postgresql start ») ou corrigez DATABASE_URL.",
	"db_refused":              "Le serveur PostgreSQL (%s) a refusé la connexion : vérifiez l'utilisateur, le mot de passe et le nom de la base dans DATABASE_URL.",
	"db_config_invalid":       "La configuration de la base de données (%s) n'est pas utilisable : indiquez une chaîne de connexion PostgreSQL, par exemple postgres://postgres@127.0.0.1:5432/rppsync?sslmode=disable.",
	"db_timeout":              "La base de données n'a pas répondu à temps (%s) : rien de cette opération n'a été enregistré ; vérifiez que PostgreSQL fonctionne, puis relancez (--db-timeout règle le délai).",
	"db_lock_timeout":         "Un autre import ou chargement occupe la file depuis trop longtemps (%s) : rien n'a été enregistré ; relancez quand il sera fini (--db-lock-timeout règle l'attente).",
	"no_directory":            "Aucun annuaire national n'est chargé dans la base : lancez « rppsync directory load » avec l'extraction PS_LibreAcces.",
	"no_cards":                "Aucune extraction des cartes CPS/CPF n'est chargée dans la base : lancez « rppsync directory load » avec le fichier Porteurs_CPS_CPF.",
	"extract_older":           "L'extraction %s est plus ancienne que celle déjà chargée, qui reste en place : relancez avec --force pour la charger quand même.",
	"extract_invalid":         "L'extraction (%s) n'a ni nom ni date : gardez le nom d'origine du fichier (…_AAAAMMJJhhmm.txt).",
	"extract_unreadable":      "L'extraction de l'annuaire %s ne peut pas être lue : donnez le zip PS_LibreAcces ou son fichier PS_LibreAcces_Personne_activite_*.txt.",
	"extract_empty":           "L'extraction est vide : téléchargez-la à nouveau.",
	"extract_no_date":         "Le nom du fichier ne porte pas la date de l'extraction (…_AAAAMMJJhhmm.txt) : gardez le nom d'origine du fichier.",
	"extract_no_member":       "Le zip ne contient pas l'extraction attendue (PS_LibreAcces_Personne_activite_*.txt ou Porteurs_CPS_CPF_*.txt) : vérifiez le fichier téléchargé.",
	"extract_columns_missing": "Des colonnes obligatoires manquent à l'extraction (%s) : est-ce bien une extraction de l'Annuaire Santé ?",
	"load_failed":             "Le chargement de %s a échoué ; l'annuaire déjà chargé reste en place.",
	"item_not_found":          "Aucun élément de file n'a le numéro %s : vérifiez-le avec « rppsync queue list ».",
	"import_invalid":          "L'import de %s a été refusé (données incohérentes) : rien n'a été enregistré ; signalez-le à l'équipe technique.",
	"schema_too_new":          "La base de données a été migrée par une version plus récente de rppsync : mettez rppsync à jour.",
	"purge_invalid":           "La purge a besoin d'une date limite : indiquez --retention.",
	"pipeline_config_invalid": "La configuration du traitement n'est pas utilisable : vérifiez les réglages (rppsync help config).",
}

// humanError is an error whose text is already the sentence a person
// reads (describe shows it as it is).
type humanError struct {
	msg string
	err error
}

func (e *humanError) Error() string { return e.msg }
func (e *humanError) Unwrap() error { return e.err }

// describe returns the French sentence a person reads for err: the wording
// of its code, with its subject, followed by the wording of a coded cause
// (a failed load: why it failed). An error with no known code is shown as
// it is.
func describe(err error) string {
	var he *humanError
	if errors.As(err, &he) {
		return he.msg
	}
	var fie *pipeline.FileImportError
	if errors.As(err, &fie) {
		return fmt.Sprintf("%s n'a pas été importé : rien de ce fichier n'a été enregistré ; relancez l'import (les fichiers déjà importés seront reconnus). Cause : %s",
			fie.Path, describe(fie.Err))
	}
	var ie *queue.ItemError
	if errors.As(err, &ie) {
		return ie.Message()
	}
	var e *rppsync.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	tmpl, ok := messages[e.Code]
	if !ok {
		return err.Error()
	}
	msg := tmpl
	if strings.Contains(tmpl, "%s") {
		msg = fmt.Sprintf(tmpl, cmpOr(e.Subject, "—"))
	}
	if e.Cause != nil && rppsync.CodeOf(e.Cause) != "" {
		msg += " " + describe(e.Cause)
	}
	return msg
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
