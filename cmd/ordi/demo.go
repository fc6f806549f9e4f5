package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/app"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/inventory"
)

// demoHelp is `ordi demo --help`. The demo issues attestations whose PDFs are
// frozen with their verification QR, so the address must be chosen before.
const demoHelp = `ordi demo : remplit une base vide avec un atelier de démonstration
(donateurs, dons, une soixantaine d'unités à toutes les étapes, effacements et historique,
familles, formations et deux attestations de remise).

Les QR codes et liens de vérification des attestations émises par la démonstration pointent vers
ORDI_BASE_URL (défaut http://localhost:8080), et restent figés dans leurs PDF : donnez la même
adresse que celle du serveur qui les montrera, par exemple
  ORDI_BASE_URL=https://ordi.mon-asso.fr ordi demo
ou ordi demo --base-url https://ordi.mon-asso.fr. Les étiquettes, elles, sont imprimées par
ordi serve avec sa propre ORDI_BASE_URL.`

func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("demo", demoHelp, stdout)
	baseURL := fs.String("base-url", envOr(getenv, "ORDI_BASE_URL", "http://localhost:8080"), "adresse publique, imprimée dans les QR codes des attestations (ORDI_BASE_URL)")
	dbURL := databaseFlag(fs, getenv)
	if err := fs.parse(args); err != nil {
		return helpOK(err)
	}
	base, err := parseBaseURL(*baseURL)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dbURL, nil)
	if err != nil {
		return err
	}
	defer database.Close(db)
	if err := database.Migrate(ctx, db); err != nil {
		return err
	}
	svc := app.New(db, base.String(), time.Now)
	n, err := fillDemo(ctx, db, svc.Inventory, time.Now)
	if err != nil {
		return err
	}
	families, err := fillDemoFamilies(ctx, svc, time.Now)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Atelier de démonstration créé : %d unités, %d familles.\n", n, families)
	fmt.Fprintf(stdout, "Les QR codes des attestations émises pointent vers %s (ORDI_BASE_URL).\n", base)
	return nil
}

// demoDonation is one believable collection.
type demoDonation struct {
	donor inventory.NewDonor
	ago   int // days before today
	site  string
	ref   string
	units int
	mix   []inventory.UnitSpec
}

func gb(n float64) *float64 { return &n }

// demoData is the demo workshop: who gave what.
var demoData = []demoDonation{
	{inventory.NewDonor{Name: "Crédit Coopératif", Kind: inventory.DonorCompany, SIRET: "44126652500019", Email: "dsi@credit-cooperatif.example", Address: "12 boulevard Pesaro, 92000 Nanterre"},
		64, "Siège, Nanterre", "RENOUV-2026-03", 18, []inventory.UnitSpec{
			{Kind: inventory.KindLaptop, Brand: "Lenovo", Model: "ThinkPad T480", CPU: "Intel Core i5-8350U", RAMGB: 8, StorageGB: 256, StorageKind: inventory.StorageNVMe, ScreenInches: gb(14), WeightKG: gb(1.6)},
			{Kind: inventory.KindLaptop, Brand: "Lenovo", Model: "ThinkPad T470", CPU: "Intel Core i5-7300U", RAMGB: 8, StorageGB: 256, StorageKind: inventory.StorageSSD, ScreenInches: gb(14), WeightKG: gb(1.6)},
			{Kind: inventory.KindDesktop, Brand: "Dell", Model: "OptiPlex 7060", CPU: "Intel Core i5-8500", RAMGB: 16, StorageGB: 512, StorageKind: inventory.StorageSSD, WeightKG: gb(5.2)},
		}},
	{inventory.NewDonor{Name: "Mairie de Paris", Kind: inventory.DonorPublicBody, SIRET: "21750001600019", Address: "Place de l'Hôtel de Ville, 75004 Paris"},
		41, "Direction du numérique", "DSIN-2026-118", 16, []inventory.UnitSpec{
			{Kind: inventory.KindAllInOne, Brand: "HP", Model: "EliteOne 800 G4", CPU: "Intel Core i5-8500", RAMGB: 8, StorageGB: 256, StorageKind: inventory.StorageSSD, ScreenInches: gb(23.8), WeightKG: gb(8.5)},
			{Kind: inventory.KindLaptop, Brand: "HP", Model: "EliteBook 840 G5", CPU: "Intel Core i5-8250U", RAMGB: 8, StorageGB: 256, StorageKind: inventory.StorageSSD, ScreenInches: gb(14), WeightKG: gb(1.5)},
			{Kind: inventory.KindScreen, Brand: "Iiyama", Model: "ProLite XU2294HSU", ScreenInches: gb(21.5), WeightKG: gb(3.1)},
		}},
	{inventory.NewDonor{Name: "Association Emmaüs Connect", Kind: inventory.DonorAssociation, Address: "71 rue Archereau, 75019 Paris"},
		20, "Permanence Belleville", "", 14, []inventory.UnitSpec{
			{Kind: inventory.KindLaptop, Brand: "Acer", Model: "TravelMate P259", CPU: "Intel Core i3-6006U", RAMGB: 4, StorageGB: 500, StorageKind: inventory.StorageHDD, ScreenInches: gb(15.6), WeightKG: gb(2.3)},
			{Kind: inventory.KindDesktop, Brand: "Fujitsu", Model: "Esprimo D556", CPU: "Intel Core i3-6100", RAMGB: 8, StorageGB: 500, StorageKind: inventory.StorageHDD, WeightKG: gb(6.8)},
			{Kind: inventory.KindTablet, Brand: "Samsung", Model: "Galaxy Tab A 10.1", RAMGB: 2, StorageGB: 32, StorageKind: inventory.StorageEMMC, ScreenInches: gb(10.1), WeightKG: gb(0.5)},
		}},
	{inventory.NewDonor{Name: "Mme Françoise Lefèvre", Kind: inventory.DonorIndividual, Email: "f.lefevre@example.org", Phone: "06 12 34 56 78"},
		6, "Atelier", "", 3, []inventory.UnitSpec{
			{Kind: inventory.KindLaptop, Brand: "Asus", Model: "VivoBook X541", CPU: "Intel Pentium N4200", RAMGB: 4, StorageGB: 1000, StorageKind: inventory.StorageHDD, ScreenInches: gb(15.6), WeightKG: gb(2.0)},
		}},
	{inventory.NewDonor{Name: "Cabinet Martin & Associés", Kind: inventory.DonorCompany, SIRET: "79068156300017"},
		2, "Atelier", "BL-5521", 9, []inventory.UnitSpec{
			{Kind: inventory.KindLaptop, Brand: "Dell", Model: "Latitude 5490", CPU: "Intel Core i5-8350U", RAMGB: 8, StorageGB: 256, StorageKind: inventory.StorageSSD, ScreenInches: gb(14), WeightKG: gb(1.7)},
			{Kind: inventory.KindDesktop, Brand: "Lenovo", Model: "ThinkCentre M720q", CPU: "Intel Core i5-8400T", RAMGB: 8, StorageGB: 256, StorageKind: inventory.StorageNVMe, WeightKG: gb(1.3)},
		}},
}

// demoPaths are the journeys demo units take, older donations further along.
var demoPaths = [][]inventory.Status{
	{},
	{inventory.StatusDiagnosed},
	{inventory.StatusDiagnosed, inventory.StatusWiped},
	{inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished},
	{inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished, inventory.StatusReady},
	{inventory.StatusDiagnosed, inventory.StatusDismantled},
	{inventory.StatusDiagnosed, inventory.StatusDismantled, inventory.StatusRecycled},
}

// fillDemo creates the demo workshop in an empty database.
func fillDemo(ctx context.Context, db *gorm.DB, inv *inventory.Service, now func() time.Time) (int, error) {
	var existing int64
	if err := db.WithContext(ctx).Table("units").Count(&existing).Error; err != nil {
		return 0, err
	}
	if existing > 0 {
		return 0, ordi.Errorf(ordi.Conflict, "la base contient déjà %d unités : la démonstration ne remplit qu'une base vide", existing)
	}
	actor := ordi.Actor{Name: "Démonstration", Role: ordi.RoleStaff}
	rng := rand.New(rand.NewPCG(2026, 11))
	total := 0
	for _, d := range demoData {
		donor, err := inv.CreateDonor(ctx, actor, d.donor)
		if err != nil {
			return total, fmt.Errorf("demo donor %s: %w", d.donor.Name, err)
		}
		donation, err := inv.CreateDonation(ctx, actor, inventory.NewDonation{
			DonorID: donor.ID, ReceivedOn: now().AddDate(0, 0, -d.ago).Format(ordi.DateLayout), Site: d.site, Reference: d.ref,
		})
		if err != nil {
			return total, fmt.Errorf("demo donation: %w", err)
		}
		for i := 0; i < d.units; i++ {
			spec := d.mix[i%len(d.mix)]
			spec.SerialNumber = fmt.Sprintf("%s%07d", spec.Brand[:2], rng.IntN(10_000_000))
			spec.Grade = []inventory.Grade{inventory.GradeA, inventory.GradeB, inventory.GradeB, inventory.GradeC}[rng.IntN(4)]
			u, err := inv.CreateUnit(ctx, actor, inventory.NewUnit{DonationID: donation.ID, UnitSpec: spec})
			if err != nil {
				return total, fmt.Errorf("demo unit: %w", err)
			}
			total++
			// Older donations are further along.
			depth := len(demoPaths) - 1
			if d.ago < 10 {
				depth = 2
			}
			path := demoPaths[rng.IntN(depth+1)]
			if err := demoWalk(ctx, inv, actor, u, path, rng); err != nil {
				return total, err
			}
		}
	}
	return total, nil
}

// demoErasure is what a careful workshop records for a drive of this kind:
// a category that its method achieves on that medium (NIST SP 800-88, see
// inventory.AllowedCategories). A drive leaving for parts is shredded by the
// recycler; otherwise flash memory is purged by the drive's own sanitize
// command, and a hard disk is cleared by a verified overwrite.
func demoErasure(kind inventory.StorageKind, dismantled bool) inventory.NewErasure {
	e := inventory.NewErasure{Category: inventory.ErasurePurge, Method: inventory.MethodSanitize, Result: inventory.ErasurePassed}
	switch {
	case dismantled:
		e.Category, e.Method, e.Technique = inventory.ErasureDestroy, inventory.MethodDestruction, "Broyage du support (prestataire DEEE)"
	case kind == inventory.StorageNVMe:
		e.Technique, e.Tool = "NVMe Sanitize (block erase)", "nvme-cli 2.4"
	case kind == inventory.StorageSSD:
		e.Technique, e.Tool = "ATA Sanitize (block erase)", "hdparm 9.65"
	case kind == inventory.StorageEMMC:
		e.Technique, e.Tool = "eMMC Sanitize", "mmc-utils 1.0"
	default:
		e.Category, e.Method, e.Technique, e.Tool = inventory.ErasureClear, inventory.MethodOverwrite, "Écrasement 1 passe aléatoire + vérification", "nwipe 0.38"
	}
	return e
}

// demoWalk moves a unit along a path, recording the erasures the guards need.
func demoWalk(ctx context.Context, inv *inventory.Service, actor ordi.Actor, u inventory.Unit, path []inventory.Status, rng *rand.Rand) error {
	code := string(u.Code)
	for _, to := range path {
		needsErasure := u.HasStorage() && (to == inventory.StatusWiped || to == inventory.StatusDismantled)
		if needsErasure {
			e := demoErasure(u.StorageKind, to == inventory.StatusDismantled)
			e.DriveSerial, e.DriveModel = fmt.Sprintf("WD-%08d", rng.IntN(100_000_000)), "disque d'origine"
			if rng.IntN(8) == 0 && to == inventory.StatusWiped {
				// A first attempt fails now and then, as in a real workshop.
				failed := e
				failed.Result = inventory.ErasureFailed
				if _, err := inv.RecordErasure(ctx, actor, code, failed); err != nil {
					return err
				}
			}
			if _, err := inv.RecordErasure(ctx, actor, code, e); err != nil {
				return err
			}
		}
		in := inventory.TransitionInput{}
		if to == inventory.StatusRecycled {
			in.Outlet, in.OutletReference = "Ecologic (éco-organisme DEEE)", fmt.Sprintf("BE-2026-%04d", rng.IntN(10_000))
		}
		var err error
		if u, err = inv.Transition(ctx, actor, code, to, in); err != nil {
			return fmt.Errorf("demo move %s to %s: %w", code, to, err)
		}
	}
	return nil
}

// demoFamily is a family of the demo and how far it got.
type demoFamily struct {
	name, commune  string
	children, kids int
	need           allocation.Need
	band           string
	stage          allocation.HouseholdStatus
}

var demoFamilies = []demoFamily{
	{"Mme Aïssatou Diallo", "Roubaix", 3, 2, allocation.NeedLaptop, "QF1", allocation.StatusEquipped},
	{"M. Karim Benali", "Roubaix", 2, 2, allocation.NeedAny, "QF2", allocation.StatusReserved},
	{"Mme Sophie Lemaire", "Tourcoing", 1, 1, allocation.NeedLaptop, "QF2", allocation.StatusTrained},
	{"M. et Mme Nguyen", "Roubaix", 4, 3, allocation.NeedDesktop, "QF1", allocation.StatusTrained},
	{"Mme Fatou Ndiaye", "Wattrelos", 2, 1, allocation.NeedAny, "QF3", allocation.StatusEnrolled},
	{"M. Jean-Pierre Roussel", "Roubaix", 0, 0, allocation.NeedLaptop, "QF1", allocation.StatusEnrolled},
	{"Mme Leïla Haddad", "Roubaix", 2, 2, allocation.NeedLaptop, "QF2", allocation.StatusEligible},
	{"Mme Océane Martin", "Croix", 1, 0, allocation.NeedAny, "QF5", allocation.StatusIneligible},
	{"M. Mamadou Traoré", "Roubaix", 5, 4, allocation.NeedAny, "QF1", allocation.StatusNominated},
	{"Mme Chantal Dubois", "Tourcoing", 1, 1, allocation.NeedLaptop, "QF2", allocation.StatusNominated},
	// Equipped too, but the computer came back: the workshop will look at it again.
	{"M. Thomas Petit", "Roubaix", 1, 1, allocation.NeedAny, "QF2", allocation.StatusEquipped},
}

// demoReturnNote is why the demo's second handed-over unit came back.
const demoReturnNote = "Rapporté par la famille : l'écran ne s'allume plus après une chute."

// fillDemoFamilies adds partners, families at every stage, two courses,
// a reservation and two handovers with their attestations (one unit since
// returned).
func fillDemoFamilies(ctx context.Context, svc app.Services, now func() time.Time) (int, error) {
	acc, inv, alloc, certs := svc.Accounts, svc.Inventory, svc.Allocation, svc.Certificates
	admin := ordi.Actor{Name: "Démonstration", Role: ordi.RoleAdmin}
	staff := ordi.Actor{Name: "Démonstration", Role: ordi.RoleStaff}
	if _, err := certs.SetIssuer(ctx, admin, certificates.Issuer{Name: "Régie de quartier de Roubaix-Est", SIRET: "83901245700009", Address: "12 rue de l'Épeule\n59100 Roubaix",
		Phone: "03 20 00 00 00", Email: "ordi@regie-roubaix.example", WarrantyMonths: 3}); err != nil {
		return 0, err
	}
	var partners []int64
	for _, p := range []account.NewPartner{{Name: "CCAS de Roubaix", Kind: account.PartnerCCAS}, {Name: "Centre social Alma", Kind: account.PartnerSocialCentre}} {
		created, err := acc.CreatePartner(ctx, admin, p)
		if err != nil {
			return 0, fmt.Errorf("demo partner: %w", err)
		}
		partners = append(partners, created.ID)
	}
	today := now().In(ordi.Paris)
	day := func(offset int) string { return today.AddDate(0, 0, offset).Format(ordi.DateLayout) }
	past, err := alloc.CreateCourse(ctx, staff, allocation.NewCourse{Title: "Premiers pas avec l'ordinateur", Place: "Médiathèque Zola",
		SessionDates: []string{day(-40), day(-33), day(-26)}, RequiredSessions: 3})
	if err != nil {
		return 0, fmt.Errorf("demo course: %w", err)
	}
	current, err := alloc.CreateCourse(ctx, staff, allocation.NewCourse{Title: "Le numérique en famille", Place: "Centre social Alma",
		SessionDates: []string{day(-7), day(0), day(7)}, SessionTimes: []string{"14:00-16:00", "14:00-16:00", ""}, RequiredSessions: 2})
	if err != nil {
		return 0, fmt.Errorf("demo course: %w", err)
	}
	ready, err := inv.Units(ctx, staff, inventory.UnitFilter{Status: inventory.StatusReady, Limit: ordi.MaxLimit})
	if err != nil {
		return 0, err
	}
	next, handedOver := 0, 0
	for i, f := range demoFamilies {
		actor := ordi.Actor{Name: "Démonstration", Role: ordi.RoleAdmin}
		h, err := alloc.Nominate(ctx, actor, allocation.NewHousehold{ContactName: f.name, Commune: f.commune, QPV: f.band != "QF5", Adults: 1 + i%2,
			Children: f.children, SchoolChildren: f.kids, IncomeBracket: f.band, Need: f.need, Consent: true, PartnerID: partners[i%2],
			Phone: fmt.Sprintf("06 %02d %02d %02d %02d", 10+i, 20+i, 30+i, 40+i)})
		if err != nil {
			return 0, fmt.Errorf("demo family: %w", err)
		}
		switch f.stage {
		case allocation.StatusNominated:
			continue
		case allocation.StatusIneligible:
			if _, err := alloc.Decide(ctx, staff, h.ID, false, "Quotient familial au-dessus du plafond du programme."); err != nil {
				return 0, err
			}
			continue
		}
		if _, err := alloc.Decide(ctx, staff, h.ID, true, ""); err != nil {
			return 0, err
		}
		if f.stage == allocation.StatusEligible {
			continue
		}
		course := past
		if f.stage == allocation.StatusEnrolled {
			course = current
		}
		if err := alloc.Enroll(ctx, staff, course.ID, h.ID); err != nil {
			return 0, err
		}
		sessions := 3
		if f.stage == allocation.StatusEnrolled {
			sessions = 1
		}
		for s := 1; s <= sessions; s++ {
			if _, err := alloc.RecordAttendance(ctx, staff, course.ID, allocation.Mark{HouseholdID: h.ID, Session: s, Present: true}); err != nil {
				return 0, err
			}
		}
		if f.stage != allocation.StatusReserved && f.stage != allocation.StatusEquipped || next >= len(ready) {
			continue
		}
		r, err := alloc.Reserve(ctx, staff, h.ID, string(ready[next].Code))
		next++
		if err != nil {
			return 0, fmt.Errorf("demo reservation: %w", err)
		}
		if f.stage == allocation.StatusEquipped {
			if _, err := certs.Handover(ctx, staff, r.ID, certificates.HandoverInput{SignatoryName: f.name, Accessories: []string{"Chargeur / câble secteur", "Souris"}}); err != nil {
				return 0, fmt.Errorf("demo handover: %w", err)
			}
			if handedOver++; handedOver == 2 {
				if _, err := inv.Transition(ctx, staff, string(r.UnitCode), inventory.StatusReturned, inventory.TransitionInput{Note: demoReturnNote}); err != nil {
					return 0, fmt.Errorf("demo return: %w", err)
				}
			}
		}
	}
	return len(demoFamilies), nil
}
