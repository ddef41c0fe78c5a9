package backend

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

func TestQueryLeavesZeroValuesOut(t *testing.T) {
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.FixedZone("x", 3600))
	v := Query{"q": {""}}.Str("region", "").Str("status", "paid").Time("after", at).Time("before", time.Time{}).Page(0, 20).Values()
	if got, want := v.Encode(), "after=2024-05-01T11%3A00%3A00Z&offset=20&q=&status=paid"; got != want {
		t.Errorf("query %s, want %s", got, want)
	}
	if v := (Query{}).Page(0, 0).Values(); len(v) != 0 {
		t.Errorf("empty query: %v", v)
	}
}

func TestNewAPIGetJSONDoJSON(t *testing.T) {
	type api struct{ j *JSON }
	if _, err := NewAPI("not a url", http.DefaultClient, func(j *JSON) *api { return &api{j} }); err == nil {
		t.Error("NewAPI accepted a bad URL")
	}
	mt := httpmock.NewMockTransport()
	mt.RegisterResponderWithQuery("GET", base+"/things/a", "limit=5", httpmock.NewStringResponder(200, `{"v":7}`))
	mt.RegisterResponder("GET", base+"/things/b", status(404))
	mt.RegisterResponder("POST", base+"/things", func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("Idempotency-Key") != "k1" {
			return httpmock.NewStringResponse(400, `{}`), nil
		}
		resp := httpmock.NewStringResponse(201, `{"v":8}`)
		resp.Header.Set("Idempotent-Replayed", "true")
		return resp, nil
	})
	c, err := NewAPI(base, NewHTTPClient(Options{Name: "test", Base: mt}), func(j *JSON) *api { return &api{j} })
	if err != nil {
		t.Fatal(err)
	}
	type thing struct{ V int }
	ctx := context.Background()
	got, err := GetJSON[thing](ctx, c.j, "/things/a", Query{}.Int("limit", 5).Values())
	if err != nil || got.V != 7 {
		t.Fatalf("GetJSON: %+v %v", got, err)
	}
	if got, err := GetJSON[thing](ctx, c.j, "/things/b", nil); got != nil || err == nil {
		t.Fatalf("GetJSON 404: %+v %v", got, err)
	} else if e, _ := AsError(err); e.Kind != KindNotFound {
		t.Errorf("GetJSON 404 kind %v", e.Kind)
	}
	got, meta, err := DoJSON[thing](ctx, c.j, http.MethodPost, "/things", "k1", struct{}{})
	if err != nil || got.V != 8 || !meta.Replayed || meta.Status != 201 {
		t.Fatalf("DoJSON: %+v %+v %v", got, meta, err)
	}
	if got, meta, err := DoJSON[thing](ctx, c.j, http.MethodPost, "/things", "", struct{}{}); got != nil || err == nil || meta.Status != 400 {
		t.Fatalf("DoJSON 400: %+v %+v %v", got, meta, err)
	}
}
