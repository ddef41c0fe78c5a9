package crm_test

import (
	"reflect"
	"testing"

	"github.com/bizmcp/bizmcp/mocks/crm"
	"github.com/bizmcp/bizmcp/mocks/world"
)

// The roster the other mocks use is the CRM sample data's: regenerate it
// with `go generate ./mocks/world` after changing the CRM sample data.
func TestWorldRosterMatchesSampleCustomers(t *testing.T) {
	got := world.Customers()
	cs := crm.SampleCustomers()
	if len(got) != len(cs) {
		t.Fatalf("world roster has %d customers, CRM sample %d: run go generate ./mocks/world", len(got), len(cs))
	}
	for i, c := range cs {
		if want := crm.RosterEntry(c); !reflect.DeepEqual(got[i], want) {
			t.Fatalf("roster entry %s differs from the CRM sample: run go generate ./mocks/world\n got %#v\nwant %#v", c.ID, got[i], want)
		}
	}
}
