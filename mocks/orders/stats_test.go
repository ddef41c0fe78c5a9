package orders_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/mocks"
	"github.com/bizmcp/bizmcp/mocks/orders"
)

// Through mock-backends, writes are counted once and replays separately.
func TestMountedWritesCounted(t *testing.T) {
	s, err := mocks.NewServer(mocks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	post := func(path, body, key string) int {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Idempotency-Key", key)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec.Code
	}
	body := `{"amount_minor":100,"currency":"USD","reason":"goodwill"}`
	if c := post("/orders/orders/"+orders.DemoOrderID+"/refunds", body, "k"); c != 201 {
		t.Fatalf("%d", c)
	}
	post("/orders/orders/"+orders.DemoOrderID+"/refunds", body, "k")
	post("/orders/orders/"+orders.DemoOrderID+"/cancel", `{"reason":"other"}`, "c")
	st := s.Stats().Domains["orders"]
	if st.Writes != 1 || st.Replays != 1 || st.RejectedWrites != 1 {
		t.Errorf("%+v", st)
	}
}
