package importer

import (
	"fmt"
	"path/filepath"

	"github.com/rppsync/rppsync"
)

// File error codes: the stable rppsync.FileError.Code values ReadFile returns
// when a whole file cannot be read.
const (
	CodeFileNotFound    = "file_not_found"   // no such file
	CodeFileUnreadable  = "file_unreadable"  // it exists but cannot be opened or read (rights, I/O)
	CodeFileEmpty       = "file_empty"       // zero bytes
	CodeFileCorrupt     = "file_corrupt"     // a damaged or truncated workbook (bad zip, bad XML)
	CodeFileEncrypted   = "file_encrypted"   // a password-protected workbook
	CodeFileTooLarge    = "file_too_large"   // over the unzip or text size limits (zip bomb)
	CodeFileUnsupported = "file_unsupported" // .xls, PDF, image, unknown extension, binary data
	CodeFileNotRegular  = "file_not_regular" // a FIFO, a device, a socket: refused before any read
	CodeNoHeader        = "no_header"        // no sheet has a recognisable heading row
)

// Row issue codes the importer adds to rppsync.Record.Issues, besides
// rppsync.CodeDateInvalid.
const (
	CodeRowFieldCount = "row_field_count" // a CSV line has more or fewer fields than the heading
	// CodeFINESSFromName: the FINESS was taken from the structure name the
	// agency wrote, through the structures' configuration (a note).
	CodeFINESSFromName  = "finess_from_name"
	CodeEmailInvalid    = "email_invalid"    // the e-mail has not the shape of an address
	CodeNIRDropped      = "nir_dropped"      // a social security number was found in a column and not kept
	CodeValueTooLong    = "value_too_long"   // a cell holds more than MaxCellRunes characters: its start is kept, cut with a marker
	CodeEncodingInvalid = "encoding_invalid" // a line of a UTF-8 file holds bytes that are not UTF-8, replaced by U+FFFD
)

// fileError builds the error of a file that cannot be read, with its French
// message naming the file.
func fileError(path, code, format string, args ...any) *rppsync.FileError {
	name := filepath.Base(path)
	return &rppsync.FileError{Code: code, Message: fmt.Sprintf("Le fichier « %s » ", name) + fmt.Sprintf(format, args...)}
}

func errNotFound(path string) *rppsync.FileError {
	return fileError(path, CodeFileNotFound, "est introuvable : vérifiez son nom et qu'il a bien été déposé.")
}

func errUnreadable(path string) *rppsync.FileError {
	return fileError(path, CodeFileUnreadable, "ne peut pas être lu : vérifiez que le service a le droit de le lire, puis déposez-le à nouveau.")
}

func errEmpty(path string) *rppsync.FileError {
	return fileError(path, CodeFileEmpty, "est vide : demandez à l'agence de le renvoyer.")
}

func errCorrupt(path string) *rppsync.FileError {
	return fileError(path, CodeFileCorrupt, "est endommagé ou incomplet et ne peut pas être ouvert : demandez à l'agence de le renvoyer.")
}

func errEncrypted(path string) *rppsync.FileError {
	return fileError(path, CodeFileEncrypted, "est protégé par un mot de passe : demandez à l'agence de l'envoyer sans mot de passe.")
}

func errTooLarge(path string, limit int64) *rppsync.FileError {
	return fileError(path, CodeFileTooLarge, "dépasse la taille admise (%d Mo une fois décompressé) : demandez à l'agence de le découper en plusieurs fichiers.", limit>>20)
}

func errUnsupported(path, what string) *rppsync.FileError {
	return fileError(path, CodeFileUnsupported, "%s : enregistrez-le au format Excel (.xlsx) ou CSV (.csv) puis déposez-le à nouveau.", what)
}

func errNoHeader(path string) *rppsync.FileError {
	return fileError(path, CodeNoHeader, "n'a aucune feuille dont l'une des %d premières lignes porte les intitulés des colonnes (Nom, Prénom, N° RPPS…) : vérifiez les intitulés ou décrivez ce format dans un profil d'agence.", maxHeaderSearch)
}

func errNotRegular(path string) *rppsync.FileError {
	return fileError(path, CodeFileNotRegular, "n'est pas un fichier ordinaire (tube, périphérique ou socket) et n'a pas été lu : déposez à sa place le fichier de l'agence lui-même.")
}

func errFileTooLarge(path string, limit int64) *rppsync.FileError {
	return fileError(path, CodeFileTooLarge, "dépasse la taille admise (%d Mo) : demandez à l'agence de le découper en plusieurs fichiers.", limit>>20)
}

func errTextTooLarge(path string, limit int64) *rppsync.FileError {
	return fileError(path, CodeFileTooLarge, "contient plus de texte que la limite admise (%d Mo de valeurs de cellules) : demandez à l'agence de le découper en plusieurs fichiers.", limit>>20)
}
