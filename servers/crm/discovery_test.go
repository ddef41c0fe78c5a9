package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/app/apptest"
)

// The server card is served at the MCP endpoint's URL plus /server-card
// (the location the Server Card extension reserves), without a token,
// from server.json and the running version; initialize's serverInfo
// carries the same title, description and icons.
func TestServerCard(t *testing.T) {
	_, ts, _ := authServer(t)
	req, _ := http.NewRequest(http.MethodGet, ts.URL+app.ServerCardPath, nil)
	req.Header.Set("Accept", app.ServerCardMediaType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var card struct {
		Schema, Name, Version, Title, Description string
		Icons                                     []struct{ Src string }
		Remotes                                   []struct {
			Type, URL                 string
			SupportedProtocolVersions []string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&card); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != app.ServerCardMediaType || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("card: %s %q %q", resp.Status, resp.Header.Get("Content-Type"), resp.Header.Get("Access-Control-Allow-Origin"))
	}
	if card.Name != "io.github.bizmcp/crm" || card.Version != "test" || card.Title != "CRM" || card.Description == "" || len(card.Icons) != 1 ||
		len(card.Remotes) != 1 || card.Remotes[0].URL != resource || card.Remotes[0].Type != "streamable-http" || len(card.Remotes[0].SupportedProtocolVersions) == 0 {
		t.Errorf("card %+v", card)
	}

	cs := apptest.Session(t, Spec, []string{"--demo"})
	info := cs.InitializeResult().ServerInfo
	if info.Title != "CRM" || info.Description != card.Description || len(info.Icons) != 2 || !strings.HasPrefix(info.Icons[0].Source, "data:image/svg+xml;base64,") || info.Icons[1].Source != card.Icons[0].Src {
		t.Errorf("serverInfo %+v", info)
	}
}
