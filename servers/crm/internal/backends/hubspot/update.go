package hubspot

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
	"github.com/bizmcp/bizmcp/shared/port"
)

// Update sets the mapped contact properties p changes (PATCH
// /crm/v3/objects/contacts/{id}). It reads them first: when the contact
// already holds every value nothing is written and the write is reported
// as replayed (a retry of an applied update). The owner is a HubSpot owner
// id, or an owner's email looked up in /crm/v3/owners.
func (c *Client) Update(ctx context.Context, id string, p crm.Patch, key string) (*crm.Customer, port.Write, error) {
	if !digits().MatchString(id) {
		return nil, port.Write{}, port.NotFound("PATCH contact", "no contact "+id)
	}
	props, err := c.patchProps(ctx, p)
	if err != nil {
		return nil, port.Write{}, err
	}
	names := c.props(append(c.summaryProps(), slices.Sorted(maps.Keys(props))...)...)
	var cur object
	if err := c.call(ctx, http.MethodGet, contactsPath+"/"+id, url.Values{"properties": {strings.Join(names, ",")}}, "", nil, &cur); err != nil {
		return nil, port.Write{}, err
	}
	if cur.Properties == nil {
		cur.Properties = map[string]*string{}
	}
	same := true
	for k, v := range props {
		if cur.prop(k) != v {
			same = false
		}
	}
	if same {
		cu := c.customer(&cur)
		return &cu, port.Write{Replayed: true}, nil
	}
	var res object
	// PATCH sets absolute values: the shared client may retry it.
	reqID, err := c.exchange(ctx, http.MethodPatch, contactsPath+"/"+id, nil, key, patch{Properties: props}, &res)
	if err != nil {
		return nil, port.Write{}, err
	}
	for k, v := range props {
		cur.Properties[k] = &v
	}
	for k, v := range res.Properties {
		if v != nil {
			cur.Properties[k] = v
		}
	}
	cur.UpdatedAt = cmpOr(res.UpdatedAt, cur.UpdatedAt)
	cu := c.customer(&cur)
	return &cu, port.Write{RequestID: reqID}, nil
}

// patchProps maps p to contact properties.
func (c *Client) patchProps(ctx context.Context, p crm.Patch) (map[string]string, error) {
	out := map[string]string{}
	set := func(field string, v *string, prop, setting string) error {
		if v == nil {
			return nil
		}
		if prop == "" {
			return port.Invalid("PATCH contact", field, notMapped(field, setting).Error())
		}
		out[prop] = *v
		return nil
	}
	for _, s := range []struct {
		field         string
		v             *string
		prop, setting string
	}{
		{crm.FieldEmail, p.Email, "email", ""},
		{crm.FieldPhone, p.Phone, "phone", ""},
		{crm.FieldTier, p.Tier, c.cfg.TierProperty, "HUBSPOT_TIER_PROPERTY"},
	} {
		if err := set(s.field, s.v, s.prop, s.setting); err != nil {
			return nil, err
		}
	}
	if p.Status != nil {
		v, ok := c.cfg.StatusValues[*p.Status]
		if !ok || c.cfg.StatusProperty == "" {
			return nil, port.Invalid("PATCH contact", crm.FieldStatus, "status "+*p.Status+" has no HubSpot value in this deployment (HUBSPOT_STATUS_VALUES); tell the user")
		}
		out[c.cfg.StatusProperty] = v
	}
	if p.Tags != nil {
		if c.cfg.TagsProperty == "" {
			return nil, port.Invalid("PATCH contact", crm.FieldTags, notMapped(crm.FieldTags, "HUBSPOT_TAGS_PROPERTY").Error())
		}
		out[c.cfg.TagsProperty] = strings.Join(p.Tags, ";")
	}
	if p.Owner != nil {
		oid, err := c.ownerID(ctx, *p.Owner)
		if err != nil {
			return nil, err
		}
		out["hubspot_owner_id"] = oid
	}
	return out, nil
}

// ownerID resolves an owner given as a HubSpot owner id or an email.
func (c *Client) ownerID(ctx context.Context, who string) (string, error) {
	who = strings.TrimSpace(who)
	if digits().MatchString(who) {
		return who, nil
	}
	if !strings.Contains(who, "@") {
		return "", port.Invalid("owner", crm.FieldOwner, "give the account manager as a HubSpot owner id (e.g. 61123) or their HubSpot user email")
	}
	var page ownersPage
	if err := c.call(ctx, http.MethodGet, "/crm/v3/owners", url.Values{"email": {who}, "limit": {"1"}}, "", nil, &page); err != nil {
		return "", err
	}
	if len(page.Results) == 0 {
		return "", port.Invalid("owner", crm.FieldOwner, "no HubSpot owner has the email "+who)
	}
	c.owners.put(page.Results[0])
	return page.Results[0].ID, nil
}

// ownerName shows owner id as "First Last <email>" (GET
// /crm/v3/owners/{id}, cached for 10 minutes); the bare id when it cannot
// be read (missing crm.objects.owners.read scope, deleted owner).
func (c *Client) ownerName(ctx context.Context, id string) string {
	if o, ok := c.owners.get(id); ok {
		return o
	}
	if !digits().MatchString(id) {
		return id
	}
	var o owner
	if err := c.call(ctx, http.MethodGet, "/crm/v3/owners/"+id, nil, "", nil, &o); err != nil {
		return "HubSpot owner " + id
	}
	o.ID = id
	return c.owners.put(o)
}

// ownerCache remembers owner names.
type ownerCache struct {
	mu sync.Mutex
	m  map[string]ownerEntry
}

type ownerEntry struct {
	name string
	at   time.Time
}

func newOwnerCache() *ownerCache { return &ownerCache{m: map[string]ownerEntry{}} }

func (c *ownerCache) get(id string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || time.Since(e.at) > 10*time.Minute {
		return "", false
	}
	return e.name, true
}

func (c *ownerCache) put(o owner) string {
	name := strings.TrimSpace(o.FirstName + " " + o.LastName)
	if o.Email != "" {
		name = strings.TrimSpace(name + " <" + o.Email + ">")
	}
	if name == "" {
		name = "HubSpot owner " + o.ID
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) > 1000 {
		clear(c.m)
	}
	c.m[o.ID] = ownerEntry{name: name, at: time.Now()}
	return name
}
