package matcher

import (
	"errors"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
)

func TestParseIdentifier(t *testing.T) {
	tests := []struct {
		in    string
		kind  IdentKind
		rpps  string
		valid bool
		code  string // the one issue expected, "" for none
		says  string // a piece of the message, when code is set
	}{
		{"10100271385", KindRPPS, "10100271385", true, "", ""},
		{" 101 002 713 85 ", KindRPPS, "10100271385", true, "", ""},
		{"101.002.713.85", KindRPPS, "10100271385", true, "", ""},
		{"10100-271385", KindRPPS, "10100271385", true, "", ""},
		{"1010/0271/385", KindRPPS, "10100271385", true, "", ""},
		{"10100271385.0", KindRPPS, "10100271385", true, "", ""},
		{"1.0100271385E+10", KindRPPS, "10100271385", true, "", ""},
		{"1,0100271385e10", KindRPPS, "10100271385", true, "", ""},
		{"1.01002713850E+10", KindRPPS, "10100271385", true, "", ""},
		{"1.01003E+10", KindNone, "", false, rppsync.CodeRPPSFormat, "notation scientifique"},
		{"810100271385", KindPSC, "10100271385", true, "", ""},
		{"8 10100271385", KindPSC, "10100271385", true, "", ""},
		{"810100271386", KindPSC, "", false, rppsync.CodeRPPSChecksum, "faute de frappe"},
		{"820100271385", KindNone, "", false, rppsync.CodeRPPSFormat, "commence toujours par 1"},
		{"10100271386", KindRPPS, "", false, rppsync.CodeRPPSChecksum, "vérifiez le numéro sur la carte CPS ou l'annuaire santé"},
		{"10100217385", KindRPPS, "", false, rppsync.CodeRPPSChecksum, "clé de contrôle"},
		{"20100271385", KindNone, "", false, rppsync.CodeRPPSFormat, "commence toujours par 1"},
		{"1010027138", KindNone, "", false, rppsync.CodeRPPSFormat, "10 chiffres au lieu de 11"},
		{"101002713855", KindNone, "", false, rppsync.CodeRPPSFormat, "12 chiffres au lieu de 11"},
		{"1010O271385", KindNone, "", false, rppsync.CodeRPPSFormat, "lettres"},
		{"RPPS", KindNone, "", false, rppsync.CodeRPPSFormat, "lettres"},
		{"---", KindNone, "", false, rppsync.CodeRPPSFormat, "aucun chiffre"},
		{"012800736", KindADELI, "", false, rppsync.CodeADELINotRPPS, "ADELI"},
		{"01 28 0073 6", KindADELI, "", false, rppsync.CodeADELINotRPPS, "ADELI"},
		{"0012800736", KindADELI, "", false, rppsync.CodeADELINotRPPS, "012800736"},
		{"2A6001234", KindADELI, "", false, rppsync.CodeADELINotRPPS, "ADELI"},
		{"2b6001234", KindADELI, "", false, rppsync.CodeADELINotRPPS, "ADELI"},
		{"", KindNone, "", false, "", ""},
		{"   ", KindNone, "", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := ParseIdentifier(tt.in)
			if got.Input != tt.in || got.Kind != tt.kind || got.RPPS != tt.rpps || got.Valid != tt.valid {
				t.Errorf("ParseIdentifier(%q) = %+v; want kind %q rpps %q valid %v", tt.in, got, tt.kind, tt.rpps, tt.valid)
			}
			if tt.code == "" {
				if len(got.Issues) != 0 {
					t.Errorf("issues %+v; want none", got.Issues)
				}
				return
			}
			if len(got.Issues) != 1 || got.Issues[0].Code != tt.code || got.Issues[0].Field != IssueFieldRPPS {
				t.Fatalf("issues %+v; want one %s on field rpps", got.Issues, tt.code)
			}
			if !strings.Contains(got.Issues[0].Message, tt.says) {
				t.Errorf("message %q does not say %q", got.Issues[0].Message, tt.says)
			}
		})
	}
}

func TestLuhnRealNumbers(t *testing.T) {
	for _, n := range []string{"10100271385", "012800736", "012800728", "012600631", "250000700", "250000452", "35600000000048"} {
		if !Luhn(n) {
			t.Errorf("Luhn(%s) = false; want true", n)
		}
	}
	for _, n := range []string{"10100271384", "10100271358", "250000701"} {
		if Luhn(n) {
			t.Errorf("Luhn(%s) = true; want false", n)
		}
	}
}

func TestValidFINESS(t *testing.T) {
	tests := []struct {
		in, want, code string
	}{
		{"250000700", "250000700", ""},
		{"250000452", "250000452", ""},
		{" 25 000 0700 ", "250000700", ""},
		{"2A0000012", "2A0000012", ""},
		{"2b0000012", "2B0000012", ""},
		{"250000701", "", CodeFINESSChecksum},
		{"25000070", "", CodeFINESSFormat},
		{"2500007000", "", CodeFINESSFormat},
		{"25000A700", "", CodeFINESSFormat},
		{"2C0000012", "", CodeFINESSFormat},
		{"000000000", "", CodeFINESSFormat},
		{"", "", CodeFINESSFormat},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ValidFINESS(tt.in)
			if tt.code == "" {
				if err != nil || got != tt.want {
					t.Fatalf("ValidFINESS(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
				}
				return
			}
			var ie *IdentifierError
			if !errors.As(err, &ie) || ie.Code != tt.code || !errors.Is(err, ErrInvalidFINESS) || got != "" {
				t.Fatalf("ValidFINESS(%q) = %q, %v; want a %s error", tt.in, got, err, tt.code)
			}
			if !strings.Contains(err.Error(), "FINESS") || !strings.Contains(err.Error(), ":") {
				t.Errorf("message %q should name the FINESS and say what to do", err)
			}
		})
	}
}

func TestValidSIRET(t *testing.T) {
	tests := []struct {
		in   string
		code string
	}{
		{"35600000000048", ""},    // La Poste, head office (also Luhn)
		{"35600000012346", ""},    // La Poste establishment: digit sum 30, not Luhn
		{"12345678900015", ""},    // an invented SIRET with a correct key
		{"123 456 789 00015", ""}, // typed with spaces
		{"35600000012345", CodeSIRETChecksum},
		{"12345678900016", CodeSIRETChecksum},
		{"1234567890001", CodeSIRETFormat},
		{"1234567890001A", CodeSIRETFormat},
		{"", CodeSIRETFormat},
	}
	if Luhn("35600000012346") {
		t.Fatal("fixture 35600000012346 must fail Luhn to test the La Poste rule")
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			err := ValidSIRET(tt.in)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("ValidSIRET(%q) = %v; want nil", tt.in, err)
				}
				return
			}
			var ie *IdentifierError
			if !errors.As(err, &ie) || ie.Code != tt.code || !errors.Is(err, ErrInvalidSIRET) {
				t.Fatalf("ValidSIRET(%q) = %v; want a %s error", tt.in, err, tt.code)
			}
		})
	}
}

func TestLuhnKey(t *testing.T) {
	for _, body := range []string{"1010027138", "25000070", "1099900001", "0", "3560000000004"} {
		k := LuhnKey(body)
		if !Luhn(body + string(k)) {
			t.Errorf("LuhnKey(%s) = %c does not pass Luhn", body, k)
		}
		for d := byte('0'); d <= '9'; d++ {
			if d != k && Luhn(body+string(d)) {
				t.Errorf("LuhnKey(%s): %c passes too", body, d)
			}
		}
	}
	if Luhn("") || Luhn("10100271385x") || !Luhn([]byte("10100271385")) {
		t.Error("Luhn on empty, non-digit or byte input")
	}
}
