package inventory

// The enumerations of DESIGN.md §2.1. Each value is the string stored in the
// database and exchanged on the API; each type has Valid, a French Label for
// screens and documents, and a function listing every value in display order
// for forms. The lists are fresh copies: callers may modify them.

// option pairs an enumeration value with its French label.
type option[T ~string] struct {
	value T
	label string
}

func valuesOf[T ~string](opts []option[T]) []T {
	vs := make([]T, len(opts))
	for i, o := range opts {
		vs[i] = o.value
	}
	return vs
}

func find[T ~string](opts []option[T], v T) (option[T], bool) {
	for _, o := range opts {
		if o.value == v {
			return o, true
		}
	}
	return option[T]{}, false
}

// labelsOf lists the labels in display order, for a message naming the
// choices in French rather than their codes.
func labelsOf[T ~string](opts []option[T]) []string {
	ls := make([]string, len(opts))
	for i, o := range opts {
		ls[i] = o.label
	}
	return ls
}

// labelOf returns v's label, or v itself when it is unknown so that a screen
// never shows an empty cell.
func labelOf[T ~string](opts []option[T], v T) string {
	if o, ok := find(opts, v); ok {
		return o.label
	}
	return string(v)
}

// Kind is what sort of machine a unit is.
type Kind string

// The unit kinds.
const (
	KindLaptop   Kind = "laptop"
	KindDesktop  Kind = "desktop"
	KindAllInOne Kind = "all_in_one"
	KindTablet   Kind = "tablet"
	KindScreen   Kind = "screen"
	KindOther    Kind = "other"
)

var kindOptions = []option[Kind]{
	{KindLaptop, "Ordinateur portable"},
	{KindDesktop, "Ordinateur fixe"},
	{KindAllInOne, "Tout-en-un"},
	{KindTablet, "Tablette"},
	{KindScreen, "Écran"},
	{KindOther, "Autre"},
}

// Kinds lists every unit kind in display order.
func Kinds() []Kind { return valuesOf(kindOptions) }

// Valid reports whether k is a known unit kind.
func (k Kind) Valid() bool { _, ok := find(kindOptions, k); return ok }

// Label is the kind's French name.
func (k Kind) Label() string { return labelOf(kindOptions, k) }

// StorageKind is the technology of a unit's storage; it decides which erasure
// techniques apply (overwriting suits a hard disk, not an SSD).
type StorageKind string

// The storage kinds.
const (
	StorageHDD  StorageKind = "hdd"
	StorageSSD  StorageKind = "ssd"
	StorageNVMe StorageKind = "nvme"
	StorageEMMC StorageKind = "emmc"
	StorageNone StorageKind = "none"
)

var storageKindOptions = []option[StorageKind]{
	{StorageHDD, "Disque dur (HDD)"},
	{StorageSSD, "SSD SATA"},
	{StorageNVMe, "SSD NVMe"},
	{StorageEMMC, "Mémoire eMMC (soudée)"},
	{StorageNone, "Sans stockage"},
}

// StorageKinds lists every storage kind in display order.
func StorageKinds() []StorageKind { return valuesOf(storageKindOptions) }

// Valid reports whether s is a known storage kind.
func (s StorageKind) Valid() bool { _, ok := find(storageKindOptions, s); return ok }

// Label is the storage kind's French name.
func (s StorageKind) Label() string { return labelOf(storageKindOptions, s) }

// HasStorage reports whether a unit with this storage capacity (GB, 0 when
// none or unknown) and kind holds storage that must be erased. It errs on the
// side of data protection: a known storage kind counts even when the
// capacity was not entered, and a capacity counts even when the kind says
// none. Use it to fill UnitFacts.HasStorage.
func HasStorage(storageGB int, kind StorageKind) bool {
	return storageGB > 0 || (kind != "" && kind != StorageNone)
}

// Grade is a unit's cosmetic and functional condition once refurbished.
type Grade string

// The grades, best first.
const (
	GradeA Grade = "A"
	GradeB Grade = "B"
	GradeC Grade = "C"
)

var gradeOptions = []option[Grade]{
	{GradeA, "A – très bon état"},
	{GradeB, "B – bon état"},
	{GradeC, "C – traces d'usage visibles"},
}

// Grades lists every grade, best first.
func Grades() []Grade { return valuesOf(gradeOptions) }

// Valid reports whether g is a known grade.
func (g Grade) Valid() bool { _, ok := find(gradeOptions, g); return ok }

// Label is the grade with its French meaning.
func (g Grade) Label() string { return labelOf(gradeOptions, g) }

// DonorKind is what sort of organisation or person gave the machines. An
// individual donor's contact data is personal data.
type DonorKind string

// The donor kinds.
const (
	DonorCompany     DonorKind = "company"
	DonorPublicBody  DonorKind = "public_body"
	DonorAssociation DonorKind = "association"
	DonorIndividual  DonorKind = "individual"
)

var donorKindOptions = []option[DonorKind]{
	{DonorCompany, "Entreprise"},
	{DonorPublicBody, "Organisme public"},
	{DonorAssociation, "Association"},
	{DonorIndividual, "Particulier"},
}

// DonorKinds lists every donor kind in display order.
func DonorKinds() []DonorKind { return valuesOf(donorKindOptions) }

// Valid reports whether d is a known donor kind.
func (d DonorKind) Valid() bool { _, ok := find(donorKindOptions, d); return ok }

// Label is the donor kind's French name.
func (d DonorKind) Label() string { return labelOf(donorKindOptions, d) }

// ErasureCategory is the media sanitisation category of an erasure, in the
// vocabulary of NIST SP 800-88 Rev. 2 (Guidelines for Media Sanitization).
type ErasureCategory string

// The erasure categories, weakest first.
const (
	ErasureClear   ErasureCategory = "clear"
	ErasurePurge   ErasureCategory = "purge"
	ErasureDestroy ErasureCategory = "destroy"
)

var erasureCategoryOptions = []option[ErasureCategory]{
	{ErasureClear, "Effacement logique (Clear)"},
	{ErasurePurge, "Effacement sécurisé (Purge)"},
	{ErasureDestroy, "Destruction physique (Destroy)"},
}

// ErasureCategories lists every erasure category, weakest first.
func ErasureCategories() []ErasureCategory { return valuesOf(erasureCategoryOptions) }

// Valid reports whether c is a known erasure category.
func (c ErasureCategory) Valid() bool { _, ok := find(erasureCategoryOptions, c); return ok }

// Label is the category's French name, with NIST's term in brackets as
// erasure tools and reports print it.
func (c ErasureCategory) Label() string { return labelOf(erasureCategoryOptions, c) }

// Description explains the category in one French sentence, after NIST SP
// 800-88 Rev. 2, for the erasure form and the donor certificate. It is empty
// for an unknown category.
func (c ErasureCategory) Description() string {
	switch c {
	case ErasureClear:
		return "Techniques logiques (réécriture, retour à l'état d'usine) sur toutes les zones accessibles à l'utilisateur : protège contre une récupération simple par logiciel."
	case ErasurePurge:
		return "Procédé logique ou physique adapté au support (effacement sécurisé ATA, NVMe Sanitize, effacement cryptographique, démagnétisation) : récupération impossible même en laboratoire."
	case ErasureDestroy:
		return "Destruction physique du support (broyage, désintégration, pulvérisation, incinération) : récupération impossible même en laboratoire et support inutilisable."
	}
	return ""
}

// ErasureResult is the outcome of an erasure. Only a passed erasure makes a
// unit's storage sanitised.
type ErasureResult string

// The erasure results.
const (
	ErasurePassed ErasureResult = "passed"
	ErasureFailed ErasureResult = "failed"
)

var erasureResultOptions = []option[ErasureResult]{
	{ErasurePassed, "Réussi"},
	{ErasureFailed, "Échoué"},
}

// ErasureResults lists every erasure result in display order.
func ErasureResults() []ErasureResult { return valuesOf(erasureResultOptions) }

// Valid reports whether r is a known erasure result.
func (r ErasureResult) Valid() bool { _, ok := find(erasureResultOptions, r); return ok }

// Label is the result's French name.
func (r ErasureResult) Label() string { return labelOf(erasureResultOptions, r) }

// Medium is the kind of storage device an erasure record is about. It
// decides which sanitisation methods work: degaussing acts on magnetic media
// only, and flash memory hides spare cells that overwriting cannot reach.
type Medium string

// The media.
const (
	MediumHDD  Medium = "hdd"
	MediumSSD  Medium = "ssd"
	MediumNVMe Medium = "nvme"
	MediumEMMC Medium = "emmc"
	MediumUSB  Medium = "usb"
)

var mediumOptions = []option[Medium]{
	{MediumHDD, "Disque dur (HDD)"},
	{MediumSSD, "SSD SATA"},
	{MediumNVMe, "SSD NVMe"},
	{MediumEMMC, "Mémoire eMMC (soudée)"},
	{MediumUSB, "Clé USB ou carte mémoire"},
}

// Media lists every medium in display order.
func Media() []Medium { return valuesOf(mediumOptions) }

// Valid reports whether m is a known medium.
func (m Medium) Valid() bool { _, ok := find(mediumOptions, m); return ok }

// Label is the medium's French name.
func (m Medium) Label() string { return labelOf(mediumOptions, m) }

// Magnetic reports whether m stores data magnetically (a hard disk).
func (m Medium) Magnetic() bool { return m == MediumHDD }

// MediumOf is the medium of a unit's storage kind, or "" when the kind names
// no medium (none, or not entered).
func MediumOf(s StorageKind) Medium {
	if m := Medium(s); m != MediumUSB && m.Valid() {
		return m
	}
	return ""
}

// ErasureMethod is how a drive was sanitised, in the families NIST SP 800-88
// distinguishes; the free-text technique says the details (passes, tool
// options).
type ErasureMethod string

// The erasure methods, from the weakest.
const (
	MethodOverwrite   ErasureMethod = "overwrite"
	MethodSanitize    ErasureMethod = "sanitize"
	MethodSecureErase ErasureMethod = "secure_erase"
	MethodCryptoErase ErasureMethod = "crypto_erase"
	MethodDegauss     ErasureMethod = "degauss"
	MethodDestruction ErasureMethod = "destruction"
)

var erasureMethodOptions = []option[ErasureMethod]{
	{MethodOverwrite, "Réécriture par logiciel (nwipe, dd…)"},
	{MethodSanitize, "Commande Sanitize du disque (ATA, NVMe, SCSI, eMMC)"},
	{MethodSecureErase, "Commande d'effacement sécurisé (ATA Secure Erase, NVMe Format)"},
	{MethodCryptoErase, "Effacement cryptographique (destruction de la clé)"},
	{MethodDegauss, "Démagnétisation"},
	{MethodDestruction, "Destruction physique (broyage, désintégration, pulvérisation, incinération)"},
}

// ErasureMethods lists every erasure method, weakest first.
func ErasureMethods() []ErasureMethod { return valuesOf(erasureMethodOptions) }

// Valid reports whether m is a known erasure method.
func (m ErasureMethod) Valid() bool { _, ok := find(erasureMethodOptions, m); return ok }

// Label is the method's French name.
func (m ErasureMethod) Label() string { return labelOf(erasureMethodOptions, m) }
