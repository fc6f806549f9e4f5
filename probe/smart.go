package probe

import (
	"encoding/json"
	"strings"
)

// smartctl's exit status is a bit mask (smartctl(8), "EXIT STATUS").
var smartBits = []string{
	"la ligne de commande n'a pas été comprise ou le type de périphérique n'a pas été reconnu",
	"le périphérique n'a pas pu être ouvert ou ne s'est pas identifié",
	"une commande SMART a échoué ou les données SMART sont incohérentes",
	"le disque se déclare DÉFAILLANT (SMART overall-health)",
	"des attributs de pré-défaillance sont sous leur seuil",
	"des attributs ont été sous leur seuil par le passé",
	"le journal d'erreurs du disque contient des erreurs",
	"le journal des auto-tests contient des erreurs",
}

// SmartStatus reads smartctl's exit status. Usable is false when bit 0 or
// bit 1 is set: smartctl read nothing of the drive (a loop device, a USB
// bridge without pass-through), so there is no report to send. The other
// bits describe a drive that answered, perhaps a failing one: that is
// exactly what the report must carry.
func SmartStatus(code int, stdout []byte) (usable bool, note string) {
	var notes []string
	for bit, text := range smartBits {
		if code&(1<<bit) != 0 {
			notes = append(notes, text)
		}
	}
	usable = code&3 == 0 && json.Valid(stdout)
	if !json.Valid(stdout) {
		notes = append(notes, "la sortie n'est pas du JSON")
	}
	if usable {
		return true, strings.Join(notes, " ; ")
	}
	// smartctl's own message says why ("Unable to detect device type").
	var doc struct {
		Smartctl struct {
			Messages []struct {
				String string `json:"string"`
			} `json:"messages"`
		} `json:"smartctl"`
	}
	if json.Unmarshal(stdout, &doc) == nil {
		for _, m := range doc.Smartctl.Messages {
			notes = append(notes, m.String)
		}
	}
	return false, "pas de données SMART : " + strings.Join(notes, " ; ")
}
