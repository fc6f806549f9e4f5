package ordi

import "testing"

// TestCapabilities checks the table against DESIGN §3, written out again by
// hand: a role added to a capability by mistake fails here.
func TestCapabilities(t *testing.T) {
	const A, S, V, T, W, B = RoleAdmin, RoleStaff, RoleVolunteer, RoleTrainer, RoleSocialWorker, RoleWorkbench
	want := map[Capability]map[Role]bool{
		Administer:             {A: true},
		ManageInventory:        {A: true, S: true},
		ReadUnits:              {A: true, S: true, V: true},
		ReadHouseholds:         {A: true, S: true, W: true},
		NominateHouseholds:     {A: true, W: true},
		Allocate:               {A: true, S: true},
		RunCourses:             {A: true, S: true, T: true},
		HandOver:               {A: true, S: true, V: true},
		IssueDonorCertificates: {A: true, S: true},
		ReadReports:            {A: true, S: true, W: true},
		Intake:                 {A: true, S: true, B: true},
	}
	if len(want) != len(Capabilities()) {
		t.Fatalf("%d capabilities, %d expected", len(Capabilities()), len(want))
	}
	for _, c := range Capabilities() {
		for _, r := range Roles {
			a := Actor{UserID: 1, Role: r}
			if got := a.Can(c); got != want[c][r] {
				t.Errorf("%s can %s = %v, want %v", r, c, got, want[c][r])
			}
			err := a.Require(c, "non")
			switch {
			case want[c][r] && err != nil:
				t.Errorf("%s require %s: %v", r, c, err)
			case !want[c][r] && KindOf(err) != Forbidden:
				t.Errorf("%s require %s: %v, want Forbidden", r, c, err)
			}
		}
	}
	if (Actor{Role: "intrus"}).Can(ReadUnits) || Capability("unknown").Allows(RoleAdmin) {
		t.Error("an unknown role or capability allows something")
	}
}
