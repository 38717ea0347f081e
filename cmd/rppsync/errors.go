package main

import (
	"errors"
	"fmt"

	"github.com/rppsync/rppsync/pipeline"
)

// humanError is an error whose text is the French sentence a person reads:
// the wording is chosen here, at the edge, from the codes and sentinels the
// packages return (the web page will choose its own the same way).
type humanError struct {
	msg string
	err error
}

func (e *humanError) Error() string { return e.msg }
func (e *humanError) Unwrap() error { return e.err }

// pipelineError words the errors of a pipeline step for the person who ran
// the command; errors it does not know pass through.
func (m *Main) pipelineError(err error) error {
	var fie *pipeline.FileImportError
	switch {
	case errors.Is(err, pipeline.ErrExtractUnreadable):
		return &humanError{fmt.Sprintf("%v (donnez le zip PS_LibreAcces ou son fichier PS_LibreAcces_Personne_activite_*.txt)", errors.Unwrap(err)), err}
	case errors.As(err, &fie):
		return &humanError{fmt.Sprintf("%s n'a pas été importé : %v. Rien de ce fichier n'a été enregistré ; relancez l'import (les fichiers déjà importés seront reconnus).", fie.Path, fie.Err), err}
	}
	return err
}
