// Package emailfake is an in-memory email.Backend for handler unit tests:
// a mailbox of messages in the four logical folders, threads by ThreadID,
// drafts and sends deduplicated by idempotency key, and a record of every
// delivery. It is safe for concurrent use.
package emailfake

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/servers/email/internal/email"
	"github.com/bizmcp/bizmcp/shared/port"
)

// Delivery is one message the fake sent.
type Delivery struct {
	Key string
	To  []string
	Msg email.Message
}

// Fake is the in-memory mailbox.
type Fake struct {
	// Err, when set, is returned by every call (a backend fault).
	Err error
	// Now dates new drafts and sends (default time.Now).
	Now func() time.Time

	mu         sync.Mutex
	msgs       map[string]*email.Message
	seq        int
	byKey      map[string]string // idempotency key -> message id
	deliveries []Delivery
}

var _ email.Backend = (*Fake)(nil)

// New returns a fake holding msgs (copied).
func New(msgs ...email.Message) *Fake {
	f := &Fake{msgs: map[string]*email.Message{}, byKey: map[string]string{}, seq: 90000}
	for i := range msgs {
		m := msgs[i]
		f.msgs[m.ID] = &m
	}
	return f
}

// Deliveries returns what was sent, in order.
func (f *Fake) Deliveries() []Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.deliveries)
}

func (f *Fake) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now().UTC().Truncate(time.Second)
}

func (f *Fake) Ping(context.Context) error { return f.Err }

func (f *Fake) Snapshot(context.Context, string) (string, error) { return "", f.Err }

func (f *Fake) Folders(context.Context) ([]string, error) { return email.Folders, f.Err }

func matches(m *email.Message, q email.SearchQuery) bool {
	text := strings.ToLower(strings.Join([]string{m.ID, m.Subject, m.BodyText, m.BodyHTML, m.From.Email, m.From.Name, m.CustomerID}, " "))
	for _, w := range strings.Fields(strings.ToLower(q.Q)) {
		if !strings.Contains(text, w) {
			return false
		}
	}
	from := strings.ToLower(m.From.Name + " " + m.From.Email)
	return (q.From == "" || strings.Contains(from, strings.ToLower(q.From))) &&
		(q.Folder == "" || m.Folder == q.Folder) &&
		(q.CustomerID == "" || m.CustomerID == q.CustomerID) &&
		(q.After.IsZero() || !m.Date.Before(q.After)) &&
		(q.Before.IsZero() || m.Date.Before(q.Before))
}

func (f *Fake) Search(_ context.Context, q email.SearchQuery) (*email.SearchResult, error) {
	if f.Err != nil {
		return nil, f.Err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var hits []*email.Message
	for _, m := range f.msgs {
		if matches(m, q) {
			hits = append(hits, m)
		}
	}
	slices.SortFunc(hits, func(a, b *email.Message) int {
		if c := b.Date.Compare(a.Date); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	res := &email.SearchResult{Total: len(hits), Offset: q.Offset, Limit: q.Limit, Messages: []email.Summary{}}
	for _, m := range hits[min(q.Offset, len(hits)):min(q.Offset+q.Limit, len(hits))] {
		res.Messages = append(res.Messages, email.Summary{ID: m.ID, ThreadID: m.ThreadID, Folder: m.Folder, From: m.From, To: m.To, Cc: m.Cc,
			Subject: m.Subject, Date: m.Date, Snippet: m.Snippet, AttachmentCount: len(m.Attachments), CustomerID: m.CustomerID, Read: m.Read})
	}
	return res, nil
}

func (f *Fake) Get(_ context.Context, id string) (*email.Message, error) {
	if f.Err != nil {
		return nil, f.Err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.msgs[id]
	if !ok {
		return nil, port.NotFound("get "+id, "message "+id+": not found")
	}
	c := *m
	return &c, nil
}

func (f *Fake) Thread(_ context.Context, id string) (*email.Thread, error) {
	if f.Err != nil {
		return nil, f.Err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	th := &email.Thread{ID: id}
	for _, m := range f.msgs {
		if m.ThreadID == id {
			th.Messages = append(th.Messages, *m)
		}
	}
	if len(th.Messages) == 0 {
		return nil, port.NotFound("thread "+id, "thread "+id+": not found")
	}
	slices.SortFunc(th.Messages, func(a, b email.Message) int { return a.Date.Compare(b.Date) })
	seen := map[string]bool{}
	for _, m := range th.Messages {
		for _, a := range append([]email.Address{m.From}, m.To...) {
			if !seen[a.Email] {
				seen[a.Email] = true
				th.Participants = append(th.Participants, a)
			}
		}
	}
	th.Subject, th.CustomerID, th.MessageCount = th.Messages[0].Subject, th.Messages[0].CustomerID, len(th.Messages)
	return th, nil
}

// replay returns a copy of what key wrote before, or nil (f.mu held).
func (f *Fake) replay(key string) *email.Message {
	id, ok := f.byKey[key]
	if !ok || key == "" {
		return nil
	}
	m := *f.msgs[id]
	return &m
}

// write runs do under the lock, once per key: a known key replays what
// it wrote.
func (f *Fake) write(key string, do func() (*email.Message, error)) (*email.Message, port.Write, error) {
	if f.Err != nil {
		return nil, port.Write{}, f.Err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if m := f.replay(key); m != nil {
		return m, port.Write{Replayed: true}, nil
	}
	m, err := do()
	if err != nil {
		return nil, port.Write{}, err
	}
	f.byKey[key] = m.ID
	out := *m
	return &out, port.Write{}, nil
}

// store files c in folder under key, once per key.
func (f *Fake) store(c email.Compose, key, folder string) (*email.Message, port.Write, error) {
	return f.write(key, func() (*email.Message, error) {
		f.seq++
		m := &email.Message{ID: fmt.Sprintf("M-%d", f.seq), Folder: folder, From: email.Address{Email: c.From}, Subject: c.Subject, BodyText: c.BodyText,
			InReplyTo: c.InReplyTo, Date: f.now(), Read: true}
		if m.From.Email == "" {
			m.From.Email = "sales@bizmcp.example"
		}
		for _, l := range []struct {
			in  []string
			out *[]email.Address
		}{{c.To, &m.To}, {c.Cc, &m.Cc}, {c.Bcc, &m.Bcc}} {
			for _, a := range l.in {
				*l.out = append(*l.out, email.Address{Email: a})
			}
		}
		m.ThreadID = fmt.Sprintf("T-%d", f.seq)
		if o, ok := f.msgs[c.InReplyTo]; ok {
			m.ThreadID, m.CustomerID = o.ThreadID, o.CustomerID
		}
		f.msgs[m.ID] = m
		if folder == email.FolderSent {
			f.deliver(m, key)
		}
		return m, nil
	})
}

func (f *Fake) deliver(m *email.Message, key string) {
	t := f.now()
	m.SentAt = &t
	var to []string
	for _, l := range [][]email.Address{m.To, m.Cc, m.Bcc} {
		for _, a := range l {
			to = append(to, a.Email)
		}
	}
	m.DeliveredTo = to
	f.deliveries = append(f.deliveries, Delivery{Key: key, To: to, Msg: *m})
}

func (f *Fake) CreateDraft(_ context.Context, c email.Compose, key string) (*email.Message, port.Write, error) {
	return f.store(c, key, email.FolderDrafts)
}

func (f *Fake) Send(_ context.Context, c email.Compose, key string) (*email.Message, port.Write, error) {
	return f.store(c, key, email.FolderSent)
}

func (f *Fake) SendDraft(_ context.Context, id, key string) (*email.Message, port.Write, error) {
	return f.write(key, func() (*email.Message, error) {
		m, ok := f.msgs[id]
		switch {
		case !ok:
			return nil, port.NotFound("send draft "+id, "draft "+id+": not found")
		case m.Folder != email.FolderDrafts:
			return nil, port.Conflict("send draft "+id, id+" is not a draft", "")
		}
		m.Folder = email.FolderSent
		f.deliver(m, key)
		return m, nil
	})
}
