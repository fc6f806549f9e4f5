package allocation

import (
	"context"
	"fmt"
	"strings"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
)

// AccessListExport is the access-log action of an export of the families
// list: one entry per export, naming every reference it contained.
const AccessListExport = "household.list_export"

// exportBatch is how many families an export reads at a time.
const exportBatch = 1000

// ExportHouseholds returns every family f selects among those a may see (a
// social worker: their partner's only), newest first, as summaries, and
// writes ONE access-log entry naming the references it returns, committed
// before they are: no export goes unrecorded. format ("csv", "xlsx") is
// noted in the entry. The summaries are read in keyset batches; a
// programme's families fit in memory, and the references must all be known
// before the entry is written, and the entry before the file.
func (s *Service) ExportHouseholds(ctx context.Context, a ordi.Actor, f HouseholdFilter, format string) ([]HouseholdSummary, error) {
	if err := a.Require(ordi.ReadHouseholds, readHouseholdsMessage); err != nil {
		return nil, err
	}
	if f.Status != "" && !f.Status.Valid() {
		var v ordi.Validation
		v.Add("status", "Statut inconnu.")
		return nil, v.Err()
	}
	out := []HouseholdSummary{}
	f.Before = 0
	for {
		var batch []HouseholdSummary
		err := s.householdQuery(ctx, a, f).Select(householdSummaryColumns).Order("id DESC").Limit(exportBatch).Scan(&batch).Error
		if err != nil {
			return nil, fmt.Errorf("export households: %w", err)
		}
		out = append(out, batch...)
		if len(batch) < exportBatch {
			break
		}
		f.Before = batch[len(batch)-1].ID
	}
	refs := make([]string, len(out))
	for i, h := range out {
		refs[i] = h.Reference
	}
	e := audit.Entry{At: s.now(), ActorID: actorID(a), ActorName: a.Name, Action: AccessListExport, ObjectType: "household",
		ObjectID: "list", Detail: format + " : " + strings.Join(refs, " ")}
	if err := s.access.record(ctx, e); err != nil {
		return nil, err
	}
	return out, nil
}
