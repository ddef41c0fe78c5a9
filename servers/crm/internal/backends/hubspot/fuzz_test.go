package hubspot

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/jarcoal/httpmock"
)

// FuzzNoteBody: any note body HubSpot holds (HTML written by anyone) reads
// back as text without panicking; a note bizmcp wrote reads back with its
// author and without the signature line, whatever its text.
func FuzzNoteBody(f *testing.F) {
	for _, s := range []string{"", "<p>hi</p>", noteHTML(crm.NewNote{Body: "a\nb", Author: "ann"}, "0123"), "— x · bizmcp ref", "<p>— </p>", "<div><p>— a · bizmcp</p>\n<p>tail</p></div>", "\xff<"} {
		f.Add(s)
	}
	c := &Client{owners: newOwnerCache()}
	f.Fuzz(func(t *testing.T, body string) {
		o := object{ID: "1", Properties: map[string]*string{"hs_note_body": &body}}
		c.note(context.Background(), &o)
		ours := noteHTML(crm.NewNote{Body: body, Author: "ann"}, "0123abcd")
		o.Properties["hs_note_body"] = &ours
		n := c.note(context.Background(), &o)
		if n.Author != "ann" || strings.Contains(n.Body, "bizmcp ref 0123abcd") {
			t.Errorf("%q read back as %+v", body, n)
		}
	})
}

// FuzzErrorBody: any error body becomes a *port.Error of a known kind.
func FuzzErrorBody(f *testing.F) {
	for _, s := range []string{`{}`, `not json`, `{"status":"error","message":"Property values were not valid: [{\"name\":\"email\",\"message\":\"x\"}]","category":"VALIDATION_ERROR","errors":[{"context":{"propertyName":[]}}]}`, `{"message":"\"message\":\"\\"}`} {
		f.Add(400, s)
		f.Add(429, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 400 || status > 599 {
			return
		}
		mt := httpmock.NewMockTransport()
		mt.RegisterNoResponder(httpmock.NewStringResponder(status, body))
		c := open(t, mt, "CRM_API_MAX_RETRIES=0")
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		err := c.call(ctx, http.MethodGet, "/x", nil, "", nil, &struct{}{})
		if _, ok := port.AsError(err); !ok {
			t.Fatalf("%d %q: %v", status, body, err)
		}
	})
}
