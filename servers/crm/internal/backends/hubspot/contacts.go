package hubspot

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
	"github.com/bizmcp/bizmcp/shared/port"
)

const contactsPath = "/crm/v3/objects/contacts"

var digits = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{1,20}$`) })

// summaryProps are what a search summary shows.
func (c *Client) summaryProps() []string {
	return c.props("firstname", "lastname", "email", "company", "city", "country", c.cfg.RegionProperty, c.cfg.TierProperty, c.cfg.StatusProperty)
}

// props drops unmapped ("") and repeated names.
func (c *Client) props(names ...string) []string {
	var out []string
	for _, n := range names {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// Search runs POST /crm/v3/objects/contacts/search: the free text as
// HubSpot's query (default searchable properties: names, email, phone,
// company, domain), the region as a filter on the region property, ordered
// by record id, q.Limit results from offset q.Offset (HubSpot's `after` is
// the offset of the next result). Text made only of digits is first looked
// up as a record id.
func (c *Client) Search(ctx context.Context, q crm.SearchQuery) (*crm.SearchResult, error) {
	if q.Region != "" && c.cfg.RegionProperty == "" {
		return &crm.SearchResult{}, nil // no contact has a region: a regional search finds none
	}
	var region []filter
	if q.Region != "" {
		region = []filter{{PropertyName: c.cfg.RegionProperty, Operator: "EQ", Value: q.Region}}
	}
	req := searchRequest{
		Sorts:      []sort{{PropertyName: "hs_object_id", Direction: "ASCENDING"}},
		Properties: c.summaryProps(),
		Limit:      min(max(q.Limit, 1), 200),
	}
	if q.Offset > 0 {
		req.After = strconv.Itoa(q.Offset)
	}
	if digits().MatchString(q.Text) && q.Offset == 0 {
		byID := req
		byID.FilterGroups = []filterGroup{{Filters: append([]filter{{PropertyName: "hs_object_id", Operator: "EQ", Value: q.Text}}, region...)}}
		res, err := c.search(ctx, byID)
		if err != nil || res.Total > 0 {
			return res, err
		}
	}
	req.Query = q.Text
	if region != nil {
		req.FilterGroups = []filterGroup{{Filters: region}}
	}
	return c.search(ctx, req)
}

func (c *Client) search(ctx context.Context, req searchRequest) (*crm.SearchResult, error) {
	var res searchResponse
	// A search reads: the shared client may retry it.
	if err := c.call(ctx, http.MethodPost, contactsPath+"/search", nil, "search", req, &res); err != nil {
		return nil, err
	}
	out := &crm.SearchResult{Total: res.Total, Customers: make([]crm.Customer, 0, len(res.Results))}
	for i := range res.Results {
		out.Customers = append(out.Customers, c.customer(&res.Results[i]))
	}
	return out, nil
}

// getProps are the contact properties v asks for (the region always).
func (c *Client) getProps(v crm.View) []string {
	names := []string{"hs_object_id", c.cfg.RegionProperty}
	for f, ps := range map[string][]string{
		crm.FieldName: {"firstname", "lastname"}, crm.FieldCompany: {"company"}, crm.FieldEmail: {"email"},
		crm.FieldPhone: {"phone", "mobilephone"}, crm.FieldTier: {c.cfg.TierProperty}, crm.FieldStatus: {c.cfg.StatusProperty},
		crm.FieldOwner: {"hubspot_owner_id"}, crm.FieldAddress: {"address", "city", "state", "zip", "country"},
		crm.FieldTags: {c.cfg.TagsProperty}, crm.FieldCustomFields: c.cfg.CustomProperties,
	} {
		if v.Wants(f) {
			names = append(names, ps...)
		}
	}
	out := c.props(names...)
	slices.Sort(out) // a stable request
	return out
}

// Get reads a contact with the properties v needs (GET
// /crm/v3/objects/contacts/{id}?properties=...&associations=companies), its
// primary company's name, its owner's name and its newest notes.
func (c *Client) Get(ctx context.Context, id string, v crm.View) (*crm.Customer, error) {
	if !digits().MatchString(id) {
		return nil, port.NotFound("GET contact", "no contact "+id)
	}
	q := url.Values{"properties": {strings.Join(c.getProps(v), ",")}}
	if v.Wants(crm.FieldCompany) {
		q.Set("associations", "companies")
	}
	var o object
	if err := c.call(ctx, http.MethodGet, contactsPath+"/"+id, q, "", nil, &o); err != nil {
		return nil, err
	}
	cu := c.customer(&o)
	if v.Wants(crm.FieldCompany) {
		if name, err := c.companyName(ctx, &o); err != nil {
			return nil, err
		} else if name != "" {
			cu.Company = name
		}
	}
	if v.Wants(crm.FieldOwner) && cu.Owner != "" {
		cu.Owner = c.ownerName(ctx, cu.Owner)
	}
	if v.Wants(crm.FieldCustomFields) {
		for _, p := range c.cfg.CustomProperties {
			if s := o.prop(p); s != "" {
				if cu.CustomFields == nil {
					cu.CustomFields = map[string]string{}
				}
				cu.CustomFields[p] = s
			}
		}
	}
	if v.Wants(crm.FieldNotes) || v.Wants(crm.FieldNotesTotal) {
		notes, total, err := c.newestNotes(ctx, id, v.Notes)
		if err != nil {
			return nil, err
		}
		cu.Notes, cu.NotesTotal = notes, total
	}
	return &cu, nil
}

// customer converts a contact; the owner is its id until resolved.
func (c *Client) customer(o *object) crm.Customer {
	cu := crm.Customer{
		ID:        o.ID,
		Name:      strings.TrimSpace(o.prop("firstname") + " " + o.prop("lastname")),
		Company:   o.prop("company"),
		Email:     o.prop("email"),
		Phone:     cmpOr(o.prop("phone"), o.prop("mobilephone")),
		Region:    o.prop(c.cfg.RegionProperty),
		Tier:      o.prop(c.cfg.TierProperty),
		Status:    c.statusOf(o.prop(c.cfg.StatusProperty)),
		Owner:     o.prop("hubspot_owner_id"),
		UpdatedAt: cmpOr(o.UpdatedAt, o.prop("lastmodifieddate")),
	}
	if a := (crm.Address{Type: "primary", Line1: o.prop("address"), City: o.prop("city"), Region: o.prop("state"), PostalCode: o.prop("zip"), Country: o.prop("country")}); a != (crm.Address{Type: "primary"}) {
		cu.Addresses = []crm.Address{a}
	}
	if t := o.prop(c.cfg.TagsProperty); t != "" {
		for _, s := range strings.Split(t, ";") {
			if s = strings.TrimSpace(s); s != "" {
				cu.Tags = append(cu.Tags, s)
			}
		}
	}
	return cu
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// statusOf maps a status property value back to bizmcp's status; values
// with no mapping are shown as HubSpot has them.
func (c *Client) statusOf(v string) string {
	for _, s := range slices.Sorted(maps.Keys(c.cfg.StatusValues)) {
		if v != "" && strings.EqualFold(c.cfg.StatusValues[s], v) {
			return s
		}
	}
	return v
}

// companyName is the name of the contact's primary company (the
// association labelled contact_to_company, else the first one), or "" when
// it has none.
func (c *Client) companyName(ctx context.Context, o *object) (string, error) {
	rs := o.Associations["companies"].Results
	if len(rs) == 0 {
		return "", nil
	}
	cid := rs[0].ID
	for _, r := range rs {
		if r.Type == "contact_to_company" {
			cid = r.ID
			break
		}
	}
	if !digits().MatchString(cid) {
		return "", nil
	}
	var co object
	err := c.call(ctx, http.MethodGet, "/crm/v3/objects/companies/"+cid, url.Values{"properties": {"name"}}, "", nil, &co)
	if port.IsKind(err, port.KindNotFound) || port.IsKind(err, port.KindForbidden) {
		// Deleted since, or no crm.objects.companies.read scope: show the
		// contact's own company text.
		return "", nil
	}
	return co.prop("name"), err
}
