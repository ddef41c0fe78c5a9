package workload

import (
	"reflect"
	"testing"

	"github.com/bizmcp/bizmcp/internal/serverlist"
)

// Every server folder has a workload, in the order of the server list.
func TestEveryServerHasAWorkload(t *testing.T) {
	names, err := serverlist.Names()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range Servers {
		got = append(got, s.Name)
		if s.Binary != s.Name+"-mcp" || s.Calls[0].BackendPath == "" {
			t.Errorf("%s: binary %q, first call without backend_path (the benchmark needs it)", s.Name, s.Binary)
		}
	}
	if !reflect.DeepEqual(got, names) {
		t.Fatalf("workloads %v, servers %v", got, names)
	}
}
