package inventory

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// codeBytes gives the random bytes NewCode turns into c.
func codeBytes(c Code) []byte {
	b := make([]byte, CodeRandomLen)
	for i := range b {
		b[i] = byte(strings.IndexByte(CodeAlphabet, c[i]))
	}
	return b
}

// An import whose draws hit a code already in the table, and a code drawn
// twice within the file, still succeeds at the first attempt with distinct
// free codes: the reader below holds no bytes for a retry.
func TestFreshCodesSkipTakenAndRepeatedCodes(t *testing.T) {
	ctx := context.Background()
	staff := ordi.Actor{Name: "Sam", Role: ordi.RoleStaff}
	for _, d := range dbtest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := dbtest.Open(t, d)
			svc := NewService(db, func() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) })
			donor, err := svc.CreateDonor(ctx, staff, NewDonor{Name: "Mairie", Kind: DonorPublicBody})
			if err != nil {
				t.Fatal(err)
			}
			donation, err := svc.CreateDonation(ctx, staff, NewDonation{DonorID: donor.ID, ReceivedOn: "2026-10-28"})
			if err != nil {
				t.Fatal(err)
			}
			first, err := svc.CreateUnit(ctx, staff, NewUnit{DonationID: donation.ID, UnitSpec: UnitSpec{Kind: KindScreen}})
			if err != nil {
				t.Fatal(err)
			}
			code := func(p string) Code { return Code(p + string(CodeAlphabet[checkValue([]byte(p))])) }
			a, b, c := code("ABCDEF"), code("ZZZZZZ"), code("7K3QZ0")
			var draws bytes.Buffer
			for _, c := range []Code{first.Code, a, a, b, c} { // taken, new, repeated, new, new
				draws.Write(codeBytes(c))
			}
			svc.rand = &draws
			res, err := svc.ImportDonationUnits(ctx, staff, donation.ID, strings.NewReader("kind\nscreen\nscreen\nscreen\n"))
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if got, want := strings.Join(res.Codes, " "), strings.Join([]string{string(a), string(b), string(c)}, " "); got != want {
				t.Errorf("codes = %s, want %s", got, want)
			}
		})
	}
}
