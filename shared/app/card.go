package app

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	segjson "github.com/segmentio/encoding/json"
)

// Registry is what a server's server.json (the MCP registry's format,
// servers/<name>/server.json) says about it; the server card and the
// serverInfo of initialize are derived from it.
type Registry struct {
	Name        string     `json:"name"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Version     string     `json:"version"`
	WebsiteURL  string     `json:"websiteUrl,omitempty"`
	Repository  any        `json:"repository,omitempty"`
	Icons       []mcp.Icon `json:"icons,omitempty"`
}

// registryOf parses spec's server.json ("" fields when it has none), at
// every start: with segmentio's decoder (the SDK's), half encoding/json's
// time on these files.
func registryOf[X any, P port.Pinger](spec Spec[X, P]) (Registry, error) {
	var r Registry
	if len(spec.ServerJSON) == 0 {
		return r, nil
	}
	if err := segjson.Unmarshal(spec.ServerJSON, &r); err != nil {
		return r, fmt.Errorf("%s server.json: %w", spec.Binary, err)
	}
	return r, nil
}

// implementation is the serverInfo a client sees: name, title, version
// and the published icon. Under MCP 2026-07-28 the SDK repeats serverInfo
// in every result's _meta, so it stays small: the description, website and
// repository are in server.json and the server card, and the icon is a
// URL (an inline data: URI would add 600 bytes to every result).
func implementation[X any, P port.Pinger](spec Spec[X, P], version string, reg Registry) *mcp.Implementation {
	return &mcp.Implementation{Name: spec.Binary, Title: spec.Title, Version: version, Icons: reg.Icons}
}

// ServerCardPath is where the server card is served: the MCP endpoint's
// URL plus /server-card, the location the MCP Server Card extension
// (SEP-2127, experimental-ext-server-card docs/discovery.md) reserves.
const ServerCardPath = "/mcp/server-card"

// ServerCardMediaType is the card's media type.
const ServerCardMediaType = "application/mcp-server-card+json"

// ServerCardSchema is the card format's schema URI.
const ServerCardSchema = "https://static.modelcontextprotocol.io/schemas/v1/server-card.schema.json"

type cardRemote struct {
	Type                      string   `json:"type"`
	URL                       string   `json:"url"`
	SupportedProtocolVersions []string `json:"supportedProtocolVersions,omitempty"`
}

type serverCard struct {
	Schema      string       `json:"$schema"`
	Name        string       `json:"name"`
	Version     string       `json:"version"`
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description"`
	WebsiteURL  string       `json:"websiteUrl,omitempty"`
	Repository  any          `json:"repository,omitempty"`
	Icons       []mcp.Icon   `json:"icons,omitempty"`
	Remotes     []cardRemote `json:"remotes,omitempty"`
}

// cardHandler serves the server card: identity from server.json, the
// running version, and — when MCP_RESOURCE_URL names this deployment's
// public MCP URL — that URL as the streamable-HTTP remote. Without it no
// remote is listed (the card must not reveal internal addresses, and a
// Host header is the client's to choose). Public, cacheable, CORS-open,
// as the extension asks.
func cardHandler(reg Registry, version, resourceURL string) http.Handler {
	card := serverCard{Schema: ServerCardSchema, Name: reg.Name, Version: version, Title: reg.Title,
		Description: reg.Description, WebsiteURL: reg.WebsiteURL, Repository: reg.Repository, Icons: reg.Icons}
	if resourceURL != "" {
		card.Remotes = []cardRemote{{Type: "streamable-http", URL: resourceURL, SupportedProtocolVersions: mcp.SupportedProtocolVersions()}}
	}
	body, _ := json.MarshalIndent(card, "", "  ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET")
		h.Set("Access-Control-Allow-Headers", "Content-Type, If-None-Match")
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Content-Type", ServerCardMediaType)
		h.Set("Cache-Control", "public, max-age=3600")
		w.Write(body)
	})
}
