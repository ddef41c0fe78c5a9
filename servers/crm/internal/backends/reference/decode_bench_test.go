package reference

import (
	stdjson "encoding/json"
	"io"
	"net/http/httptest"
	"syscall"
	"testing"

	mockcrm "github.com/bizmcp/bizmcp/mocks/crm"
	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
	segjson "github.com/segmentio/encoding/json"
)

// BenchmarkDecode compares the JSON libraries and decoding only what
// crm_get_customer's default view needs, on an ordinary and on the largest
// sample record. cpu-ns/op is the process's CPU time per decode (less
// disturbed than wall time on a shared machine).
func BenchmarkDecode(b *testing.B) {
	view := crm.View{Fields: []string{crm.FieldName, crm.FieldTags, crm.FieldAddress, crm.FieldRegion}, Notes: 3}
	for _, id := range []string{"C-1024", mockcrm.SampleLargestID} {
		w := httptest.NewRecorder()
		mockcrm.NewDomain().Handler().ServeHTTP(w, httptest.NewRequest("GET", "/customers/"+id, nil))
		raw, _ := io.ReadAll(w.Result().Body)
		for _, c := range []struct {
			name   string
			view   bool
			decode func([]byte, any) error
		}{
			{"encoding-json/all", false, stdjson.Unmarshal},
			{"segmentio/all", false, segjson.Unmarshal},
			{"encoding-json/view", true, stdjson.Unmarshal},
			{"segmentio/view", true, segjson.Unmarshal},
		} {
			b.Run(id+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				c0 := cpuNanos()
				for b.Loop() {
					var r customer
					if c.view {
						r.skipUnwanted(view)
					}
					if err := c.decode(raw, &r); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cpuNanos()-c0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

func cpuNanos() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
