// Package shopify is the orders port's adapter for a Shopify store, over
// the Admin GraphQL API (never REST) at a pinned API version.
//
// Order ids are the store's order names (#1001); a Shopify GID
// (gid://shopify/Order/450789469) or numeric id is accepted too. Money is
// read from MoneyBag.shopMoney (the shop's currency) and converted to minor
// units exactly, from the decimal string. Refunds are made with
// refundCreate under the @idempotent directive keyed by the tool call's
// idempotency key, and the key is also written into the refund's note, so a
// retry after a lost answer is recognised beyond Shopify's own idempotency
// window. Every request reads extensions.cost.throttleStatus and paces the
// next one by the restore rate; THROTTLED answers are retried within the
// call's deadline.
package shopify

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/bizmcp/bizmcp/servers/orders/internal/orders"
	"github.com/bizmcp/bizmcp/shared/app"
	"github.com/bizmcp/bizmcp/shared/config"
)

// APIVersion is the Admin API version the adapter's queries were written
// and checked against (SHOPIFY_API_VERSION overrides it).
const APIVersion = "2026-10"

// Config is the adapter's settings (SHOPIFY_ prefix, as the contract names
// them).
type Config struct {
	Shop        string        `env:"SHOPIFY_SHOP"`
	AccessToken config.Secret `env:"SHOPIFY_ACCESS_TOKEN"`
	APIVersion  string        `env:"SHOPIFY_API_VERSION" envDefault:"2026-10"`
	APIURL      string        `env:"SHOPIFY_API_URL"`
	// RegionBy is "country" (the shipping country through RegionMap) or
	// "tag" (an order tag RegionTagPrefix+region, e.g. region:emea).
	RegionBy        string `env:"SHOPIFY_REGION_BY" envDefault:"country"`
	RegionMap       string `env:"SHOPIFY_REGION_MAP"`
	RegionTagPrefix string `env:"SHOPIFY_REGION_TAG_PREFIX" envDefault:"region:"`
}

// DefaultRegionMap is SHOPIFY_REGION_MAP when unset: ISO 3166 country codes
// to the sales regions the tools know; "*" is every other country.
const DefaultRegionMap = "US=na,CA=na,PR=na," +
	"MX=latam,BR=latam,AR=latam,CL=latam,CO=latam,PE=latam,UY=latam,CR=latam," +
	"GB=emea,IE=emea,DE=emea,FR=emea,IT=emea,ES=emea,PT=emea,NL=emea,BE=emea,LU=emea,AT=emea,CH=emea,DK=emea,SE=emea,NO=emea,FI=emea,PL=emea,CZ=emea,GR=emea,AE=emea,SA=emea,IL=emea,ZA=emea," +
	"JP=apac,AU=apac,NZ=apac,SG=apac,IN=apac,KR=apac,CN=apac,HK=apac,TW=apac,MY=apac,TH=apac,PH=apac,ID=apac,VN=apac"

// Settings document Config for --help and the README.
var Settings = []app.Setting{
	{Env: "SHOPIFY_SHOP", Meaning: "the store's myshopify domain, e.g. acme.myshopify.com (required)"},
	{Env: "SHOPIFY_ACCESS_TOKEN", Meaning: "the custom app's Admin API access token (shpat_...), sent as X-Shopify-Access-Token (required; never logged)"},
	{Env: "SHOPIFY_API_VERSION", Default: APIVersion, Meaning: "Admin API version (YYYY-MM); the queries were checked against " + APIVersion},
	{Env: "SHOPIFY_API_URL", Default: "https://$SHOPIFY_SHOP/admin/api/$SHOPIFY_API_VERSION/graphql.json", Meaning: "GraphQL endpoint override (https, or http on loopback only; tests)"},
	{Env: "SHOPIFY_REGION_BY", Default: "country", Meaning: "how an order's sales region is found: country (shipping country through SHOPIFY_REGION_MAP) or tag (an order tag SHOPIFY_REGION_TAG_PREFIX+region)"},
	{Env: "SHOPIFY_REGION_MAP", Default: "US=na,CA=na,DE=emea,JP=apac,... (README)", Meaning: "country=region pairs, comma-separated; *=region for every other country"},
	{Env: "SHOPIFY_REGION_TAG_PREFIX", Default: "region:", Meaning: "with SHOPIFY_REGION_BY=tag: the tag prefix, e.g. region:emea"},
}

// Backend is the "shopify" entry of orders-mcp's backends.
func Backend() app.Backend[orders.Backend] {
	return app.Backend[orders.Backend]{
		Name:     "shopify",
		Summary:  "a Shopify store through the Admin GraphQL API (custom app token; servers/orders/README.md)",
		Settings: Settings,
		Open: func(ctx context.Context, env app.BackendEnv) (orders.Backend, error) {
			cfg, err := LoadConfig(env.Binary, env.Environ)
			if err != nil {
				return nil, err
			}
			return New(cfg, env.HTTPClient(""), env.Logger)
		},
	}
}

var (
	shopPattern    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]*\.myshopify\.com$`) })
	versionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(20[0-9]{2}-(01|04|07|10)|unstable)$`) })
)

// LoadConfig reads and checks the SHOPIFY_* settings.
func LoadConfig(binary string, environ map[string]string) (Config, error) {
	var c Config
	if err := config.ParseEnv(binary, environ, "", &c); err != nil {
		return c, err
	}
	c.Shop = strings.ToLower(strings.TrimSpace(c.Shop))
	switch {
	case c.Shop == "":
		return c, config.Usagef(binary, "SHOPIFY_SHOP is not set; set it to the store's myshopify domain, e.g. acme.myshopify.com")
	case !shopPattern().MatchString(c.Shop):
		return c, config.Usagef(binary, "SHOPIFY_SHOP must be the store's myshopify domain like acme.myshopify.com, not %q", c.Shop)
	case c.AccessToken == "":
		return c, config.Usagef(binary, "SHOPIFY_ACCESS_TOKEN is not set; set it to the custom app's Admin API access token (servers/orders/README.md)")
	case !versionPattern().MatchString(c.APIVersion):
		return c, config.Usagef(binary, "SHOPIFY_API_VERSION must be a Shopify API version like %s, not %q", APIVersion, c.APIVersion)
	}
	if c.APIURL == "" {
		c.APIURL = "https://" + c.Shop + "/admin/api/" + c.APIVersion + "/graphql.json"
	} else if err := config.HTTPSOrLoopback(binary, "SHOPIFY_API_URL", c.APIURL); err != nil {
		return c, err
	}
	if _, err := c.regionRule(); err != nil {
		return c, config.Usagef(binary, "%v", err)
	}
	return c, nil
}

// Adapter is the orders port on a Shopify store.
type Adapter struct {
	c      *client
	region regionRule
	log    *slog.Logger
}

var _ orders.Backend = (*Adapter)(nil)

// New builds the adapter on hc (the shared backend client, or a test's).
func New(c Config, hc *http.Client, log *slog.Logger) (*Adapter, error) {
	if log == nil {
		log = slog.Default()
	}
	rule, err := c.regionRule()
	if err != nil {
		return nil, err
	}
	cl, err := newClient(c.APIURL, c.AccessToken.Reveal(), hc, log)
	if err != nil {
		return nil, err
	}
	if u, _ := url.Parse(c.APIURL); u != nil && u.Scheme == "http" {
		if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
			log.Warn("shopify: SHOPIFY_API_URL is not https", "host", u.Hostname())
		}
	}
	return &Adapter{c: cl, region: rule, log: log}, nil
}

// IDFormat: the store's order name (#1001), a GID or the numeric id.
func (a *Adapter) IDFormat() orders.IDFormat { return IDFormat }

// IDFormat is Shopify's order id format.
var IDFormat = orders.IDFormat{
	Pattern: `^(#[A-Za-z0-9-]{1,30}|[0-9]{1,20}|gid://shopify/Order/[0-9]{1,20})$`,
	Example: "#1001",
}

// Ping asks for the shop's name: the token works and the version exists.
func (a *Adapter) Ping(ctx context.Context) error {
	var out struct {
		Shop struct {
			Name string `json:"name"`
		} `json:"shop"`
	}
	return a.c.query(ctx, "shop", `query { shop { name } }`, nil, &out)
}

// regionRule is how an order's sales region is found.
type regionRule struct {
	byTag     bool
	tagPrefix string
	countries map[string]string // ISO country -> region; "*" = default
}

func (c Config) regionRule() (regionRule, error) {
	r := regionRule{tagPrefix: c.RegionTagPrefix}
	switch c.RegionBy {
	case "tag":
		r.byTag = true
		if strings.TrimSpace(r.tagPrefix) == "" {
			return r, fmt.Errorf("SHOPIFY_REGION_TAG_PREFIX must not be empty with SHOPIFY_REGION_BY=tag")
		}
		return r, nil
	case "country", "":
	default:
		return r, fmt.Errorf("SHOPIFY_REGION_BY must be country or tag, not %q", c.RegionBy)
	}
	spec := c.RegionMap
	if strings.TrimSpace(spec) == "" {
		spec = DefaultRegionMap
	}
	r.countries = map[string]string{}
	for _, pair := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
		k, v = strings.ToUpper(strings.TrimSpace(k)), strings.ToLower(strings.TrimSpace(v))
		if !ok || v == "" || (k != "*" && len(k) != 2) {
			return r, fmt.Errorf("SHOPIFY_REGION_MAP: %q is not COUNTRY=region (e.g. US=na,DE=emea,*=emea)", pair)
		}
		r.countries[k] = v
	}
	return r, nil
}

// of is the region of an order with shipping country cc and tags.
func (r regionRule) of(cc string, tags []string) string {
	if r.byTag {
		for _, t := range tags {
			if v, ok := strings.CutPrefix(strings.TrimSpace(t), r.tagPrefix); ok && v != "" {
				return strings.ToLower(v)
			}
		}
		return ""
	}
	if v, ok := r.countries[strings.ToUpper(cc)]; ok {
		return v
	}
	return r.countries["*"]
}
