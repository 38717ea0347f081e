package matcher

import (
	"testing"

	"github.com/rppsync/rppsync"
)

func TestLookupProfession(t *testing.T) {
	tests := []struct {
		label   string
		code    string
		channel rppsync.Channel
		body    string
	}{
		{"IDE", "60", rppsync.ChannelOrdre, "Ordre national des infirmiers"},
		{"Infirmière", "60", rppsync.ChannelOrdre, ""},
		{"infirmier(e)", "60", rppsync.ChannelOrdre, ""},
		{"Infirmier/ère", "60", rppsync.ChannelOrdre, ""},
		{"INFIRMIERES DE NUIT", "60", rppsync.ChannelOrdre, ""},
		{"Infirmière diplômée d'état", "60", rppsync.ChannelOrdre, ""},
		{"IBODE H/F", "60", rppsync.ChannelOrdre, ""},
		{"IADE", "60", rppsync.ChannelOrdre, ""},
		{"IPDE", "60", rppsync.ChannelOrdre, ""},
		{"Puéricultrice", "60", rppsync.ChannelOrdre, ""},
		{"AS", "", rppsync.ChannelRPPSPlus, "Portail RPPS+"},
		{"Aide-soignante", "", rppsync.ChannelRPPSPlus, ""},
		{"aide soignant(e)", "", rppsync.ChannelRPPSPlus, ""},
		{"Aides-soignants", "", rppsync.ChannelRPPSPlus, ""},
		{"ASH", "", rppsync.ChannelRPPSPlus, ""},
		{"Agent de service hospitalier", "", rppsync.ChannelRPPSPlus, ""},
		{"AP", "", rppsync.ChannelRPPSPlus, ""},
		{"Auxiliaire de puériculture", "", rppsync.ChannelRPPSPlus, ""},
		{"Brancardière", "", rppsync.ChannelRPPSPlus, ""},
		{"Ambulancier", "", rppsync.ChannelRPPSPlus, ""},
		{"Secrétaire médicale", "", rppsync.ChannelRPPSPlus, ""},
		{"Préparatrice en pharmacie", "", rppsync.ChannelRPPSPlus, ""},
		{"PPH", "", rppsync.ChannelRPPSPlus, ""},
		{"MK", "70", rppsync.ChannelOrdre, "Ordre des masseurs-kinésithérapeutes"},
		{"Kiné", "70", rppsync.ChannelOrdre, ""},
		{"Kinésithérapeute", "70", rppsync.ChannelOrdre, ""},
		{"Sage femme", "50", rppsync.ChannelOrdre, ""},
		{"Sages-femmes", "50", rppsync.ChannelOrdre, ""},
		{"SF", "50", rppsync.ChannelOrdre, ""},
		{"Manip radio", "98", rppsync.ChannelARS, "ARS"},
		{"MERM", "98", rppsync.ChannelARS, ""},
		{"Manipulatrice en électroradiologie médicale", "98", rppsync.ChannelARS, ""},
		{"Ergo", "94", rppsync.ChannelARS, ""},
		{"Ergothérapeute", "94", rppsync.ChannelARS, ""},
		{"Psychomotricien(ne)", "96", rppsync.ChannelARS, ""},
		{"Orthophoniste", "91", rppsync.ChannelARS, ""},
		{"Orthoptiste", "92", rppsync.ChannelARS, ""},
		{"Diététicienne", "95", rppsync.ChannelARS, ""},
		{"Pharmacienne", "21", rppsync.ChannelOrdre, "Ordre national des pharmaciens"},
		{"Médecin", "10", rppsync.ChannelOrdre, "Ordre national des médecins"},
		{"Dr", "10", rppsync.ChannelOrdre, ""},
		{"Docteur", "10", rppsync.ChannelOrdre, ""},
		{"Interne", "10", rppsync.ChannelOrdre, ""},
		{"Chirurgien-dentiste", "40", rppsync.ChannelOrdre, ""},
		{"Pédicure-podologue", "80", rppsync.ChannelOrdre, ""},
		{"Audioprothésiste", "26", rppsync.ChannelARS, ""},
		{"Opticien", "28", rppsync.ChannelARS, ""},
		{"Psychologue", "93", rppsync.ChannelARS, ""},
		{"Ostéopathe", "", rppsync.ChannelARS, ""},
		// Issue 15: labels agencies send that were unknown, and the routing
		// of infirmiers de secteur psychiatrique (Ordre des infirmiers).
		{"Technicien de laboratoire", "", rppsync.ChannelARS, "ARS"},
		{"Technicienne de laboratoire médical", "", rppsync.ChannelARS, ""},
		{"TLM", "", rppsync.ChannelARS, ""},
		{"Infirmier psychiatrique", "69", rppsync.ChannelOrdre, "Ordre national des infirmiers"},
		{"ISP", "69", rppsync.ChannelOrdre, ""},
		{"ASG", "", rppsync.ChannelRPPSPlus, ""},
		{"IDEC", "60", rppsync.ChannelOrdre, ""},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			p, ok := LookupProfession(tt.label)
			if !ok || p.Code != tt.code || p.Channel != tt.channel || p.Label == "" || p.Body == "" {
				t.Fatalf("LookupProfession(%q) = %+v, %v; want code %q channel %s", tt.label, p, ok, tt.code, tt.channel)
			}
			if tt.body != "" && p.Body != tt.body {
				t.Errorf("body %q; want %q", p.Body, tt.body)
			}
		})
	}
}

func TestLookupProfessionUnknown(t *testing.T) {
	for _, label := range []string{"", "  ", "Plombier", "Technicien", "Anesthésiste", "Infirmier chef de", "Aide", "XYZ", "H/F"} {
		if p, ok := LookupProfession(label); ok {
			t.Errorf("LookupProfession(%q) = %+v; want not found (never guess)", label, p)
		}
	}
}

func TestProfessionByCode(t *testing.T) {
	for code, label := range map[string]string{"10": "Médecin", "60": "Infirmier", "98": "Manipulateur ERM", "93": "Psychologue"} {
		p, ok := ProfessionByCode(code)
		if !ok || p.Label != label {
			t.Errorf("ProfessionByCode(%q) = %+v, %v; want %s", code, p, ok, label)
		}
	}
	if _, ok := ProfessionByCode(""); ok {
		t.Error("ProfessionByCode(\"\") found a profession")
	}
	if _, ok := ProfessionByCode("313"); ok {
		t.Error("ProfessionByCode(\"313\") found a profession: role codes are not mapped")
	}
}

func TestRole(t *testing.T) {
	for _, tc := range []struct{ label, role string }{
		{"AS", "Aide-soignant"},
		{"aide soignante de nuit", "Aide-soignant"},
		{"ASH", "Agent de service hospitalier"},
		{"Brancardière", "Brancardier"},
		{"Préparatrice en pharmacie", "Préparateur en pharmacie"},
		{"IDE", ""},        // a profession with a code: no role
		{"Ostéopathe", ""}, // ARS, not RPPS+
		{"Plombier", ""},
	} {
		if got := Role(tc.label); got != tc.role {
			t.Errorf("Role(%q) = %q, want %q", tc.label, got, tc.role)
		}
	}
}
