package certificates

import "fmt"

// HandoverTerms are the conditions the family accepts by signing the
// handover attestation: printed on it, and shown on the tablet above the
// signature pad, so that nobody signs them unseen. One list for both.
func HandoverTerms(i Issuer) []string {
	warranty := "sans garantie"
	if i.WarrantyMonths > 0 {
		warranty = fmt.Sprintf("garanti %d mois à compter de ce jour (réparation ou remplacement par l'association)", i.WarrantyMonths)
	}
	return []string{
		"L'équipement est donné gratuitement au foyer ; il devient sa propriété.",
		"Il est " + warranty + ".",
		"Il ne peut être ni vendu, ni loué, ni cédé contre rémunération.",
		"En fin de vie, il est rapporté à l'association ou déposé dans un point de collecte DEEE (déchetterie, magasin).",
	}
}

// ValidateHandover checks a handover's input without recording anything,
// so that the desk's form reports every error in one round.
func ValidateHandover(in HandoverInput) error { return in.validate() }
