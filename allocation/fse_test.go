package allocation_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/database/dbtest"
)

func TestFSEAnswers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		answers := allocation.FSEAnswers{Labour: allocation.FSELongTermUnemployed, Age: allocation.FSE55Plus, Education: allocation.FSEEducation(allocation.FSEDeclined)}
		n := nomination("Benali Aïcha")
		n.FSEAnswers = answers

		t.Run("ErrQuestionsOff", func(t *testing.T) {
			_, err := w.svc.Nominate(ctx, w.workerA, n)
			if ordi.KindOf(err) != ordi.Invalid || !fieldsOf(err)["fse_labour_status"] || !fieldsOf(err)["fse_age_band"] || !fieldsOf(err)["fse_education"] {
				t.Fatalf("answers accepted with the questions off: %v", err)
			}
		})
		rules := allocation.DefaultRules()
		rules.FSEQuestions = true
		if _, err := w.svc.SetRules(ctx, w.admin, rules); err != nil {
			t.Fatal(err)
		}
		t.Run("ErrUnknownAnswer", func(t *testing.T) {
			bad := n
			bad.FSEAnswers = allocation.FSEAnswers{Labour: "retired", Age: "42", Education: "bac"}
			_, err := w.svc.Nominate(ctx, w.workerA, bad)
			if ordi.KindOf(err) != ordi.Invalid || len(fieldsOf(err)) != 3 {
				t.Fatalf("unknown answers: %v", err)
			}
		})
		h, err := w.svc.Nominate(ctx, w.workerA, n)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("OK", func(t *testing.T) {
			got, err := w.svc.Household(ctx, w.workerA, h.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.FSEAnswers != answers {
				t.Fatalf("read back %+v, want %+v", got.FSEAnswers, answers)
			}
			e, err := w.svc.ExportHousehold(ctx, w.workerA, h.ID)
			if err != nil || e.Household.FSEAnswers != answers {
				t.Fatalf("export %+v, %v", e.Household.FSEAnswers, err)
			}
		})
		// Off again: the file keeps its answers and its other fields can
		// still be edited, but no answer can be changed.
		rules.FSEQuestions = false
		if _, err := w.svc.SetRules(ctx, w.admin, rules); err != nil {
			t.Fatal(err)
		}
		t.Run("EditWhileOff", func(t *testing.T) {
			same, other := string(allocation.FSELongTermUnemployed), string(allocation.FSEEmployed)
			notes := "appeler le matin"
			h2, err := w.svc.UpdateHousehold(ctx, w.workerA, h.ID, allocation.HouseholdUpdate{Version: h.Version, Notes: &notes, FSELabour: &same})
			if err != nil || h2.FSEAnswers != answers {
				t.Fatalf("edit of another field: %+v, %v", h2.FSEAnswers, err)
			}
			_, err = w.svc.UpdateHousehold(ctx, w.workerA, h.ID, allocation.HouseholdUpdate{Version: h2.Version, FSELabour: &other})
			if ordi.KindOf(err) != ordi.Invalid || !fieldsOf(err)["fse_labour_status"] {
				t.Fatalf("answer changed with the questions off: %v", err)
			}
		})
	})
}
