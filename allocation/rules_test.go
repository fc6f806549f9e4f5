package allocation_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
)

func TestParseIncomeBand(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want allocation.IncomeBand
		ok   bool
	}{
		{"QF2", allocation.QF2, true}, {"qf 3", allocation.QF3, true}, {"5", allocation.QF5, true}, {"", "", true},
		{"1234", "", false}, {"850 €", "", false}, {"1 200,50 euros", "", false}, {"QF9", "", false}, {"riche", "", false},
	} {
		got, err := allocation.ParseIncomeBand(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseIncomeBand(%q) = %q, %v", tc.in, got, err)
		}
	}
	if _, err := allocation.ParseIncomeBand("1234"); err == nil || !strings.Contains(err.Error(), "revenu exact") {
		t.Errorf("an amount is refused with %v, want a message about exact income", err)
	}
}

func TestChecklist(t *testing.T) {
	r := allocation.DefaultRules()
	ok := r.Evaluate(allocation.Facts{QPV: true, IncomeBracket: allocation.QF2})
	if !ok.AllPassed || len(ok.Checks) != 4 {
		t.Fatalf("eligible family: %+v", ok)
	}
	for name, tc := range map[string]struct {
		facts allocation.Facts
		rule  string
	}{
		"OutsideQPV":     {allocation.Facts{QPV: false, IncomeBracket: allocation.QF1}, "qpv"},
		"IncomeTooHigh":  {allocation.Facts{QPV: true, IncomeBracket: allocation.QF4}, "income"},
		"IncomeUnknown":  {allocation.Facts{QPV: true}, "income"},
		"HasComputer":    {allocation.Facts{QPV: true, IncomeBracket: allocation.QF1, HasComputer: true}, "no_computer"},
		"EquippedBefore": {allocation.Facts{QPV: true, IncomeBracket: allocation.QF1, AlreadyEquipped: true}, "one_unit"},
	} {
		t.Run(name, func(t *testing.T) {
			c := r.Evaluate(tc.facts)
			if c.AllPassed {
				t.Fatal("all passed")
			}
			for _, ch := range c.Checks {
				if (ch.Rule == tc.rule) == ch.Passed {
					t.Errorf("check %s passed=%v", ch.Rule, ch.Passed)
				}
				if ch.Detail == "" || ch.Label == "" {
					t.Errorf("check %s lacks French text", ch.Rule)
				}
			}
		})
	}
	// Rules switched off are not checked.
	r.QPVRequired, r.NoComputerRequired = false, false
	c := r.Evaluate(allocation.Facts{HasComputer: true, IncomeBracket: allocation.QF1})
	if !c.AllPassed || len(c.Checks) != 2 {
		t.Fatalf("relaxed rules: %+v", c)
	}
}

func TestRulesValidate(t *testing.T) {
	if err := allocation.DefaultRules().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := allocation.Rules{MaxIncomeBand: "QF8", RequiredSessions: 0}
	err := bad.Validate()
	var e *ordi.Error
	if !errors.As(err, &e) || e.Kind != ordi.Invalid || len(e.Fields) != 2 {
		t.Fatalf("err = %v", err)
	}
}
