// Package hubspot is the CRM port's adapter for HubSpot's CRM v3 API
// (contacts, companies, notes, owners; associations v4), authenticated with
// a private app's access token. It knows HTTP and JSON, not MCP. Every
// failure is a *port.Error; HubSpot's error body (category, message,
// correlationId) is read into it, the correlation id as RequestID.
//
// A bizmcp customer is a HubSpot contact. The mapping of bizmcp's fields to
// contact properties is configurable (Config); see servers/crm/README.md.
//
// Exactly once (AddNote): every note bizmcp writes carries a marker derived
// from the write's idempotency key (in a note property when
// HUBSPOT_NOTE_KEY_PROPERTY names one, else at the end of the note body).
// Before creating a note, and again after a create whose answer was lost,
// the adapter reads the contact's notes through the associations API, which
// sees a note as soon as it is created (the search API's index lags behind
// writes by seconds, so it is not used for this), and returns the note it
// finds instead of writing another. Update is a PATCH of absolute values:
// repeating it lands the same state; when the contact already holds the
// values nothing is written and the write is reported as replayed.
package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/bizmcp/bizmcp/shared/config"
)

// DefaultURL is HubSpot's API base URL.
const DefaultURL = "https://api.hubapi.com"

// Config is the adapter's settings, read from HUBSPOT_* variables.
type Config struct {
	Token config.Secret `env:"ACCESS_TOKEN"`
	URL   string        `env:"API_URL" envDefault:"https://api.hubapi.com"`
	// Property names on the contact object; "" = not mapped.
	RegionProperty string `env:"REGION_PROPERTY" envDefault:"bizmcp_region"`
	TierProperty   string `env:"TIER_PROPERTY" envDefault:"bizmcp_tier"`
	StatusProperty string `env:"STATUS_PROPERTY" envDefault:"lifecyclestage"`
	TagsProperty   string `env:"TAGS_PROPERTY" envDefault:"bizmcp_tags"`
	// StatusValues maps bizmcp statuses to values of StatusProperty.
	StatusValues map[string]string `env:"STATUS_VALUES" envDefault:"prospect:lead,active:customer"`
	// CustomProperties are shown as crm_get_customer's custom_fields.
	CustomProperties []string `env:"CUSTOM_PROPERTIES" envSeparator:"," envDefault:"jobtitle,hs_lead_status"`
	// NoteKeyProperty is a note property that holds bizmcp's write marker;
	// "" = the marker goes at the end of the note body.
	NoteKeyProperty string `env:"NOTE_KEY_PROPERTY"`
	// MaxNotes bounds how many of a contact's notes are read (newest-first
	// selection and the exactly-once lookup).
	MaxNotes int `env:"MAX_NOTES" envDefault:"1000"`
}

// Settings document Config for --help and the README.
var Settings = []app.Setting{
	{Env: "HUBSPOT_ACCESS_TOKEN", Meaning: "the private app's access token (required; never logged). Scopes: crm.objects.contacts.read, crm.objects.contacts.write, crm.objects.companies.read, crm.objects.owners.read"},
	{Env: "HUBSPOT_API_URL", Default: DefaultURL, Meaning: "the API's base URL; https, or http on loopback only (tests)"},
	{Env: "HUBSPOT_REGION_PROPERTY", Default: "bizmcp_region", Meaning: "contact property holding the sales region (na, emea, apac, latam); regional users see only contacts whose value is their region; empty or - = none (regional users then see no contact)"},
	{Env: "HUBSPOT_TIER_PROPERTY", Default: "bizmcp_tier", Meaning: "contact property for tier (bronze, silver, gold, platinum); empty or - = not mapped"},
	{Env: "HUBSPOT_STATUS_PROPERTY", Default: "lifecyclestage", Meaning: "contact property for status; empty or - = not mapped"},
	{Env: "HUBSPOT_STATUS_VALUES", Default: "prospect:lead,active:customer", Meaning: "bizmcp status:property value pairs; statuses not listed cannot be set"},
	{Env: "HUBSPOT_TAGS_PROPERTY", Default: "bizmcp_tags", Meaning: "multiple-checkbox contact property for tags; empty or - = not mapped"},
	{Env: "HUBSPOT_CUSTOM_PROPERTIES", Default: "jobtitle,hs_lead_status", Meaning: "contact properties shown as custom_fields"},
	{Env: "HUBSPOT_NOTE_KEY_PROPERTY", Meaning: "note property for bizmcp's exactly-once marker; empty = marker at the end of the note body"},
	{Env: "HUBSPOT_MAX_NOTES", Default: "1000", Meaning: "most notes of one contact read for the newest notes and the exactly-once lookup"},
	{Env: "CRM_API_RATE_LIMIT, CRM_API_RATE_BURST", Default: "10, 10", Meaning: "outbound requests per second (HubSpot private apps: 100-190 per 10 s); searches are held to 4 per second"},
}

// Backend is the hubspot entry of crm-mcp's backend list.
var Backend = app.Backend[crm.Backend]{
	Name:     "hubspot",
	Summary:  "HubSpot CRM (v3 API) through a private app: contacts are customers, notes are notes",
	Settings: Settings,
	Open: func(_ context.Context, env app.BackendEnv) (crm.Backend, error) {
		var c Config
		if err := config.ParseEnv(env.Binary, env.Environ, "HUBSPOT_", &c); err != nil {
			return nil, err
		}
		// An empty (or "-") property setting unmaps the field; caarlos0/env
		// would put the default back.
		for name, dst := range map[string]*string{"REGION": &c.RegionProperty, "TIER": &c.TierProperty, "STATUS": &c.StatusProperty, "TAGS": &c.TagsProperty} {
			if v, set := env.Environ["HUBSPOT_"+name+"_PROPERTY"]; set && (v == "" || v == "-") {
				*dst = ""
			}
		}
		if err := c.validate(env.Binary); err != nil {
			return nil, err
		}
		if _, set := env.Environ[env.Prefix+"API_RATE_LIMIT"]; !set {
			env.API.RateLimit = 10
		}
		if _, set := env.Environ[env.Prefix+"API_RATE_BURST"]; !set {
			env.API.RateBurst = 10
		}
		base := env.Base
		if base == nil {
			t := http.DefaultTransport.(*http.Transport).Clone()
			t.ResponseHeaderTimeout = env.API.Timeout
			base = t
		}
		env.Base = newTransport(base, time.Now)
		return New(c, env.HTTPClient(c.Token.Reveal()))
	},
}

func (c *Config) validate(binary string) error {
	if c.Token.Reveal() == "" {
		return config.Usagef(binary, "HUBSPOT_ACCESS_TOKEN is not set; create a private app in HubSpot (Settings > Integrations > Private Apps) and set its access token")
	}
	if err := config.HTTPSOrLoopback(binary, "HUBSPOT_API_URL", c.URL); err != nil {
		return err
	}
	for status := range c.StatusValues {
		if !slices.Contains([]string{"active", "churned", "prospect", "on_hold"}, status) {
			return config.Usagef(binary, "HUBSPOT_STATUS_VALUES: unknown bizmcp status %q (use active, churned, prospect, on_hold)", status)
		}
	}
	if c.MaxNotes < 1 || c.MaxNotes > 10000 {
		return config.Usagef(binary, "HUBSPOT_MAX_NOTES must be between 1 and 10000")
	}
	return nil
}

// Client is the CRM port on HubSpot.
type Client struct {
	j      *backend.JSON
	cfg    Config
	owners *ownerCache
	now    func() time.Time
}

var _ crm.Backend = (*Client)(nil)

// New returns the adapter for the API at c.URL over hc, whose transport
// must include newTransport (Backend.Open builds it so).
func New(c Config, hc *http.Client) (*Client, error) {
	j, err := backend.NewJSON(c.URL, hc)
	if err != nil {
		return nil, err
	}
	if c.MaxNotes <= 0 {
		c.MaxNotes = 1000
	}
	return &Client{j: j, cfg: c, owners: newOwnerCache(), now: time.Now}, nil
}

// IDFormat: HubSpot record ids are decimal numbers.
func (c *Client) IDFormat() crm.IDFormat {
	return crm.IDFormat{Pattern: "^[0-9]{1,20}$", Example: "51"}
}

// Ping reads one contact id: it checks reachability, the token and the
// contacts read scope.
func (c *Client) Ping(ctx context.Context) error {
	var out struct{}
	return c.call(ctx, http.MethodGet, "/crm/v3/objects/contacts", url.Values{"limit": {"1"}, "properties": {"hs_object_id"}}, "", nil, &out)
}

// fieldOf maps a contact property back to the bizmcp field it holds, for
// errors that name a property.
func (c *Client) fieldOf(property string) string {
	for f, p := range map[string]string{
		crm.FieldEmail: "email", crm.FieldPhone: "phone", crm.FieldOwner: "hubspot_owner_id",
		crm.FieldTier: c.cfg.TierProperty, crm.FieldStatus: c.cfg.StatusProperty, crm.FieldTags: c.cfg.TagsProperty,
	} {
		if p != "" && strings.EqualFold(p, property) {
			return f
		}
	}
	return property
}

func notMapped(field, setting string) error {
	return fmt.Errorf("no HubSpot property is mapped to %s (%s)", field, setting)
}
