package hubspot

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bizmcp/bizmcp/servers/crm/internal/crm"
	"github.com/bizmcp/bizmcp/shared/htmltext"
	"github.com/bizmcp/bizmcp/shared/port"
)

const (
	notesPath = "/crm/v3/objects/notes"
	batchSize = 100 // HubSpot's batch read limit
	// signature starts the line bizmcp appends to the notes it writes:
	// "— <author> · bizmcp", then " ref <marker>" when the marker is kept
	// in the body.
	signature    = " · bizmcp"
	markerPrefix = "bizmcp ref "
)

// marker is the exactly-once marker of the write with idempotency key key:
// 24 hex digits of its SHA-256, so the key itself is never stored.
func marker(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:12])
}

// maxListed bounds the note ids listed for one contact (20 pages).
const maxListed = 10000

// noteIDs lists the ids of the notes associated with contact id (GET
// /crm/v4/objects/contacts/{id}/associations/notes, 500 a page, at most
// maxListed), highest id first.
func (c *Client) noteIDs(ctx context.Context, id string) ([]string, error) {
	var ids []uint64
	q := url.Values{"limit": {"500"}}
	for len(ids) < maxListed {
		var page associations
		if err := c.call(ctx, http.MethodGet, "/crm/v4/objects/contacts/"+id+"/associations/notes", q, "", nil, &page); err != nil {
			return nil, err
		}
		for _, r := range page.Results {
			if n, err := strconv.ParseUint(r.ToObjectID.String(), 10, 64); err == nil {
				ids = append(ids, n)
			}
		}
		if page.Paging == nil || page.Paging.Next == nil || page.Paging.Next.After == "" {
			break
		}
		q.Set("after", page.Paging.Next.After)
	}
	slices.Sort(ids)
	slices.Reverse(ids)
	out := make([]string, len(ids))
	for i, n := range ids {
		out[i] = strconv.FormatUint(n, 10)
	}
	return out, nil
}

// candidates are the notes considered for the newest notes and the
// exactly-once lookup: the MaxNotes highest ids (HubSpot hands out ids in
// increasing order in practice; it does not promise it, hence the
// timestamps for the order among them).
func (c *Client) candidates(ids []string) []string { return ids[:min(len(ids), c.cfg.MaxNotes)] }

// readNotes batch-reads notes with props (POST
// /crm/v3/objects/notes/batch/read, 100 ids a request). Ids that no longer
// exist are left out.
func (c *Client) readNotes(ctx context.Context, ids []string, props []string) ([]object, error) {
	var out []object
	for chunk := range slices.Chunk(ids, batchSize) {
		in := batchRead{Properties: props}
		for _, id := range chunk {
			in.Inputs = append(in.Inputs, idRef{ID: id})
		}
		var res batchResponse
		if err := c.call(ctx, http.MethodPost, notesPath+"/batch/read", nil, "batch-read", in, &res); err != nil {
			return nil, err
		}
		out = append(out, res.Results...)
	}
	return out, nil
}

// noteProps are the note properties a crm.Note is made of.
var noteProps = []string{"hs_timestamp", "hs_note_body", "hubspot_owner_id"}

// newestNotes returns the n newest notes of contact id, newest first, and
// how many it has. When there are more candidates than n, it reads their
// timestamps, then the bodies of the n newest only.
func (c *Client) newestNotes(ctx context.Context, id string, n int) ([]crm.Note, int, error) {
	all, err := c.noteIDs(ctx, id)
	if err != nil || n == 0 || len(all) == 0 {
		return nil, len(all), err
	}
	ids := c.candidates(all)
	full := noteProps
	props := full
	if len(ids) > n {
		props = []string{"hs_timestamp"}
	}
	objs, err := c.readNotes(ctx, ids, props)
	if err != nil {
		return nil, 0, err
	}
	slices.SortFunc(objs, func(a, b object) int { return newerFirst(&a, &b) })
	objs = objs[:min(n, len(objs))]
	if len(ids) > n {
		top := make([]string, len(objs))
		for i := range objs {
			top[i] = objs[i].ID
		}
		if objs, err = c.readNotes(ctx, top, full); err != nil {
			return nil, 0, err
		}
		slices.SortFunc(objs, func(a, b object) int { return newerFirst(&a, &b) })
	}
	notes := make([]crm.Note, 0, len(objs))
	for i := range objs {
		notes = append(notes, c.note(ctx, &objs[i]))
	}
	return notes, len(all), nil
}

// newerFirst orders notes by hs_timestamp, newest first, then by id.
func newerFirst(a, b *object) int {
	ta, tb := noteTime(a), noteTime(b)
	if c := tb.Compare(ta); c != 0 {
		return c
	}
	ia, _ := strconv.ParseUint(a.ID, 10, 64)
	ib, _ := strconv.ParseUint(b.ID, 10, 64)
	return cmp.Compare(ib, ia)
}

// noteTime reads hs_timestamp: RFC 3339 (what the API returns) or Unix
// milliseconds (what it accepts).
func noteTime(o *object) time.Time {
	s := cmp.Or(o.prop("hs_timestamp"), o.CreatedAt)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms)
	}
	return time.Time{}
}

// note converts a note: the HTML body as text, bizmcp's marker line read
// for the author and removed, else the owner as the author.
func (c *Client) note(ctx context.Context, o *object) crm.Note {
	body := o.prop("hs_note_body")
	if t, err := htmltext.String(body); err == nil {
		body = t
	}
	author := ""
	if i := strings.LastIndex(body, "— "); i >= 0 {
		line := body[i+len("— "):]
		if j := strings.Index(line, signature); j >= 0 && !strings.Contains(line, "\n") {
			author = strings.TrimSpace(line[:j])
			body = strings.TrimSpace(body[:i])
		}
	}
	if author == "" {
		if oid := o.prop("hubspot_owner_id"); oid != "" {
			author = c.ownerName(ctx, oid)
		}
	}
	ts := noteTime(o)
	at := ""
	if !ts.IsZero() {
		at = ts.UTC().Format(time.RFC3339)
	}
	return crm.Note{ID: o.ID, Author: author, Body: body, CreatedAt: at}
}

// noteHTML is the body bizmcp writes: the text as an HTML paragraph, then
// the author line, with the marker unless it is "" (kept in a property).
func noteHTML(n crm.NewNote, mark string) string {
	var b strings.Builder
	b.WriteString("<p>")
	for i, line := range strings.Split(strings.ReplaceAll(n.Body, "\r\n", "\n"), "\n") {
		if i > 0 {
			b.WriteString("<br>")
		}
		b.WriteString(html.EscapeString(line))
	}
	b.WriteString("</p><p>— ")
	b.WriteString(html.EscapeString(cmp.Or(n.Author, "assistant")))
	b.WriteString(signature)
	if mark != "" {
		b.WriteString(" ref ")
		b.WriteString(mark)
	}
	b.WriteString("</p>")
	return b.String()
}

// findNote looks for the note carrying mark among contact id's notes.
func (c *Client) findNote(ctx context.Context, id, mark string) (*object, error) {
	all, err := c.noteIDs(ctx, id)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	// Highest ids first: a retried note is among the latest. With a key
	// property only that property is read, then the note found.
	full := noteProps
	prop, props := "hs_note_body", full
	if c.cfg.NoteKeyProperty != "" {
		prop, props = c.cfg.NoteKeyProperty, []string{c.cfg.NoteKeyProperty}
	}
	for chunk := range slices.Chunk(c.candidates(all), batchSize) {
		objs, err := c.readNotes(ctx, chunk, props)
		if err != nil {
			return nil, err
		}
		for i := range objs {
			v := objs[i].prop(prop)
			switch {
			case c.cfg.NoteKeyProperty == "" && strings.Contains(v, markerPrefix+mark):
				return &objs[i], nil
			case c.cfg.NoteKeyProperty != "" && v == mark:
				found, err := c.readNotes(ctx, []string{objs[i].ID}, full)
				if err != nil || len(found) == 0 {
					return nil, err
				}
				return &found[0], nil
			}
		}
	}
	return nil, nil
}

// AddNote creates a note associated with contact id (POST
// /crm/v3/objects/notes with association type 202), exactly once per key:
// see the package documentation.
func (c *Client) AddNote(ctx context.Context, id string, n crm.NewNote, key string) (*crm.Note, port.Write, error) {
	if !digits().MatchString(id) {
		return nil, port.Write{}, port.NotFound("POST note", "no contact "+id)
	}
	// The contact must exist (an association to a missing id is a 400).
	var o object
	if err := c.call(ctx, http.MethodGet, contactsPath+"/"+id, url.Values{"properties": {"hs_object_id"}}, "", nil, &o); err != nil {
		return nil, port.Write{}, err
	}
	mark := marker(key)
	if prev, err := c.findNote(ctx, id, mark); err != nil {
		return nil, port.Write{}, err
	} else if prev != nil {
		note := c.note(ctx, prev)
		return &note, port.Write{Replayed: true}, nil
	}
	bodyMark := mark
	if c.cfg.NoteKeyProperty != "" {
		bodyMark = ""
	}
	in := newObject{
		Properties: map[string]string{
			"hs_timestamp": c.now().UTC().Format("2006-01-02T15:04:05.000Z"),
			"hs_note_body": noteHTML(n, bodyMark),
		},
		Associations: []association{{To: idRef{ID: id}, Types: []associationType{{Category: "HUBSPOT_DEFINED", TypeID: noteToContact}}}},
	}
	if c.cfg.NoteKeyProperty != "" {
		in.Properties[c.cfg.NoteKeyProperty] = mark
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		var created object
		// Never retried by the transport: a lost answer is resolved by
		// looking the note up below, not by posting again blindly.
		reqID, err := c.exchange(ctx, http.MethodPost, notesPath, nil, "", in, &created)
		if err == nil {
			note := c.note(ctx, &created)
			return &note, port.Write{RequestID: reqID}, nil
		}
		lastErr = err
		if !ambiguous(err) || ctx.Err() != nil {
			break
		}
		// The note may have been created: look before trying again.
		prev, ferr := c.findNote(ctx, id, mark)
		if ferr != nil {
			break
		}
		if prev != nil {
			note := c.note(ctx, prev)
			reqID := ""
			if pe, ok := port.AsError(err); ok {
				reqID = pe.RequestID
			}
			return &note, port.Write{RequestID: reqID}, nil
		}
		if pe, _ := port.AsError(err); pe != nil && pe.RetryAfter > 0 {
			if !fits(ctx, pe.RetryAfter) || port.Sleep(ctx, pe.RetryAfter) != nil {
				break
			}
		}
	}
	return nil, port.Write{}, lastErr
}

// ambiguous reports a failed create that may still have written the note
// (the answer was lost or unreadable) or that is worth another try.
func ambiguous(err error) bool {
	pe, ok := port.AsError(err)
	if !ok {
		return true
	}
	switch pe.Kind {
	case port.KindUnavailable, port.KindUnreachable, port.KindMalformed, port.KindTimeout, port.KindRateLimited, port.KindTooLarge:
		return true
	}
	return false
}
