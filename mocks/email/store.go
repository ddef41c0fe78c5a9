package email

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bizmcp/bizmcp/mocks/internal/domainkit"
	"github.com/bizmcp/bizmcp/mocks/internal/idem"
)

// Limits enforced by the store and the API.
const (
	DefaultLimit      = 20
	MaxLimit          = 100
	MaxRecipients     = 50 // to + cc + bcc of one message
	MaxSubjectChars   = 998
	MaxBodyChars      = 200_000 // body_text, characters
	MaxHTMLChars      = 500_000 // body_html, characters
	MaxIdempotencyKey = idem.MaxKeyBytes
	snippetChars      = 200
)

// Errors returned by Store methods. Validation failures are *ValidationError.
var (
	ErrNotFound = errors.New("not found")
	// ErrIdempotencyConflict: the Idempotency-Key was already used for a
	// different request.
	ErrIdempotencyConflict = idem.ErrConflict
	// ErrNotDraft: POST /drafts/{id}/send on a message that is not a draft
	// (or a draft that was already sent).
	ErrNotDraft = errors.New("not a draft")
)

// ValidationError is a client error naming the offending field.
type ValidationError = domainkit.ValidationError

var invalid = domainkit.Invalid

// Query selects messages for Search. Text fields match case-insensitively.
type Query struct {
	Q              string    // every word must occur in subject, body, sender or recipients
	From           string    // substring of the sender's address or name
	To             string    // substring of any recipient's address or name
	Folder         string    // one of Folders; "" = all
	After, Before  time.Time // date >= After, date < Before; zero = unbounded
	CustomerID     string    // exact
	ThreadID       string    // exact
	HasAttachments *bool
	Limit          int // 0 = DefaultLimit
	Offset         int
}

// Store is an in-memory, concurrency-safe mailbox. Every value it returns
// is a deep copy.
type Store struct {
	mu         sync.RWMutex
	mailbox    Mailbox
	msgs       map[string]*Message
	ids        []string // newest first
	threads    map[string][]string
	idem       idem.Table[Message]
	deliveries []Delivery
	seqMsg     int
	seqThread  int
	now        func() time.Time
}

// NewStore returns a store for the mailbox holding deep copies of msgs.
func NewStore(mailbox Mailbox, msgs []Message) *Store {
	s := &Store{now: time.Now}
	s.Replace(mailbox, msgs)
	return s
}

// SampleStore returns a store loaded with the sample mailbox and messages.
func SampleStore() *Store { return NewStore(SampleMailbox(), SampleMessages()) }

// SetClock replaces the clock used for the date of drafts and sent mail.
func (s *Store) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Replace swaps the whole data set (and forgets idempotency keys and
// deliveries).
func (s *Store) Replace(mailbox Mailbox, msgs []Message) {
	byID := make(map[string]*Message, len(msgs))
	for _, m := range msgs {
		c := m.Clone()
		if c.Snippet == "" {
			c.Snippet = makeSnippet(c.BodyText, c.BodyHTML)
		}
		if c.SizeEstimate == 0 {
			c.SizeEstimate = sizeEstimate(&c)
		}
		byID[c.ID] = &c
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mailbox = mailbox
	s.msgs = byID
	s.idem.Reset()
	s.deliveries = nil
	s.seqMsg, s.seqThread = 0, 0
	for id, m := range byID {
		s.seqMsg = max(s.seqMsg, idNumber(id))
		s.seqThread = max(s.seqThread, idNumber(m.ThreadID))
	}
	s.reindex()
}

// idNumber returns the number in "M-10042" (0 if none).
func idNumber(id string) int {
	_, n, _ := strings.Cut(id, "-")
	v, _ := strconv.Atoi(n)
	return v
}

// reindex rebuilds the date order and the thread index; s.mu is held.
func (s *Store) reindex() {
	s.ids = s.ids[:0]
	s.threads = map[string][]string{}
	for id := range s.msgs {
		s.ids = append(s.ids, id)
	}
	slices.SortFunc(s.ids, func(a, b string) int { return newerFirst(s.msgs[a], s.msgs[b]) })
	for i := len(s.ids) - 1; i >= 0; i-- { // oldest first within a thread
		m := s.msgs[s.ids[i]]
		s.threads[m.ThreadID] = append(s.threads[m.ThreadID], m.ID)
	}
}

func newerFirst(a, b *Message) int {
	if c := b.Date.Compare(a.Date); c != 0 {
		return c
	}
	return idNumber(b.ID) - idNumber(a.ID)
}

// Mailbox returns the mailbox description with current folder counts.
func (s *Store) Mailbox() Mailbox {
	s.mu.RLock()
	defer s.mu.RUnlock()
	mb := s.mailbox
	mb.Domains = slices.Clone(mb.Domains)
	mb.Folders = nil
	for _, f := range Folders {
		fc := FolderCount{Name: f}
		for _, m := range s.msgs {
			if m.Folder == f {
				fc.Total++
				if !m.Read {
					fc.Unread++
				}
			}
		}
		mb.Folders = append(mb.Folders, fc)
	}
	return mb
}

// Len is the number of messages.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.msgs)
}

// List returns every message, newest first.
func (s *Store) List() []Message {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Message, 0, len(s.ids))
	for _, id := range s.ids {
		out = append(out, s.msgs[id].Clone())
	}
	return out
}

// Get returns one message.
func (s *Store) Get(id string) (Message, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.msgs[id]
	if !ok {
		return Message{}, fmt.Errorf("message %s: %w", id, ErrNotFound)
	}
	return m.Clone(), nil
}

// Thread returns a thread with its messages oldest first.
func (s *Store) Thread(id string) (Thread, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids, ok := s.threads[id]
	if !ok {
		return Thread{}, fmt.Errorf("thread %s: %w", id, ErrNotFound)
	}
	t := Thread{ID: id, Participants: []Address{}, Messages: make([]Message, 0, len(ids))}
	seen := map[string]bool{}
	for _, mid := range ids {
		m := s.msgs[mid]
		if t.Subject == "" {
			t.Subject = m.Subject
		}
		if m.CustomerID != "" {
			t.CustomerID = m.CustomerID
		}
		for _, a := range append(append([]Address{m.From}, m.To...), m.Cc...) {
			k := strings.ToLower(a.Email)
			if !seen[k] {
				seen[k] = true
				t.Participants = append(t.Participants, a)
			}
		}
		if m.Date.After(t.LastDate) {
			t.LastDate = m.Date
		}
		t.Messages = append(t.Messages, m.Clone())
	}
	t.MessageCount = len(t.Messages)
	return t, nil
}

// Search returns one page of matching messages, newest first, and the total
// number of matches.
func (s *Store) Search(q Query) ([]Message, int, error) {
	limit, err := domainkit.Window(q.Limit, q.Offset, DefaultLimit, MaxLimit, domainkit.Fail)
	if err != nil {
		return nil, 0, err
	}
	if q.Folder != "" && !slices.Contains(Folders, q.Folder) {
		return nil, 0, invalid("folder", "must be one of %s, got %q", strings.Join(Folders, "|"), q.Folder)
	}
	words := strings.Fields(strings.ToLower(q.Q))
	from, to := strings.ToLower(strings.TrimSpace(q.From)), strings.ToLower(strings.TrimSpace(q.To))
	s.mu.RLock()
	defer s.mu.RUnlock()
	page, total := domainkit.Page(s.ids, q.Offset, limit, func(id string) bool {
		m := s.msgs[id]
		switch {
		case q.Folder != "" && m.Folder != q.Folder,
			q.CustomerID != "" && m.CustomerID != q.CustomerID,
			q.ThreadID != "" && m.ThreadID != q.ThreadID,
			!q.After.IsZero() && m.Date.Before(q.After),
			!q.Before.IsZero() && !m.Date.Before(q.Before),
			q.HasAttachments != nil && (len(m.Attachments) > 0) != *q.HasAttachments,
			from != "" && !addrMatches(from, m.From),
			to != "" && !anyAddrMatches(to, m.To, m.Cc, m.Bcc),
			len(words) > 0 && !textMatches(m, words):
			return false
		}
		return true
	}, func(id string) Message { return s.msgs[id].Clone() })
	return page, total, nil
}

func addrMatches(needle string, a Address) bool {
	return strings.Contains(strings.ToLower(a.Email), needle) || strings.Contains(strings.ToLower(a.Name), needle)
}

func anyAddrMatches(needle string, lists ...[]Address) bool {
	for _, l := range lists {
		for _, a := range l {
			if addrMatches(needle, a) {
				return true
			}
		}
	}
	return false
}

func textMatches(m *Message, words []string) bool {
	var b strings.Builder
	for _, s := range []string{m.ID, m.Subject, m.From.Name, m.From.Email, m.BodyText, m.Snippet, m.CustomerID} {
		b.WriteString(strings.ToLower(s))
		b.WriteByte('\n')
	}
	for _, l := range [][]Address{m.To, m.Cc} {
		for _, a := range l {
			b.WriteString(strings.ToLower(a.Name + " " + a.Email + "\n"))
		}
	}
	for _, a := range m.Attachments {
		b.WriteString(strings.ToLower(a.Filename) + "\n")
	}
	hay := b.String()
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// Deliveries returns every message the API has sent, oldest first.
func (s *Store) Deliveries() []Delivery {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Delivery, len(s.deliveries))
	for i, d := range s.deliveries {
		d.To = slices.Clone(d.To)
		out[i] = d
	}
	return out
}

// normAddrs validates and normalizes a recipient list.
func normAddrs(field string, in []string) ([]Address, error) {
	out := make([]Address, 0, len(in))
	for i, raw := range in {
		a, err := mail.ParseAddress(strings.TrimSpace(raw))
		if err != nil || !strings.Contains(a.Address, "@") {
			return nil, invalid(fmt.Sprintf("%s[%d]", field, i), "not a valid email address: %q", raw)
		}
		out = append(out, Address{Name: a.Name, Email: a.Address})
	}
	return out, nil
}

func domainOf(addr string) string {
	return strings.ToLower(addr[strings.LastIndexByte(addr, '@')+1:])
}

// validate checks a compose body; draft relaxes the recipient requirement.
// s.mu is held.
func (s *Store) validate(c Compose, draft bool) (to, cc, bcc []Address, from Address, err error) {
	if to, err = normAddrs("to", c.To); err != nil {
		return
	}
	if cc, err = normAddrs("cc", c.Cc); err != nil {
		return
	}
	if bcc, err = normAddrs("bcc", c.Bcc); err != nil {
		return
	}
	n := len(to) + len(cc) + len(bcc)
	switch {
	case n == 0 && !draft:
		err = invalid("to", "at least one recipient is required")
	case n > MaxRecipients:
		err = invalid("to", "%d recipients; at most %d per message", n, MaxRecipients)
	case utf8.RuneCountInString(c.Subject) > MaxSubjectChars:
		err = invalid("subject", "at most %d characters", MaxSubjectChars)
	case strings.ContainsAny(c.Subject, "\r\n"):
		err = invalid("subject", "must be one line")
	case strings.TrimSpace(c.BodyText) == "" && strings.TrimSpace(c.BodyHTML) == "" && !draft:
		err = invalid("body_text", "body_text (or body_html) is required")
	case utf8.RuneCountInString(c.BodyText) > MaxBodyChars:
		err = invalid("body_text", "at most %d characters", MaxBodyChars)
	case utf8.RuneCountInString(c.BodyHTML) > MaxHTMLChars:
		err = invalid("body_html", "at most %d characters", MaxHTMLChars)
	}
	if err != nil {
		return
	}
	from = Address{Name: s.mailbox.DisplayName, Email: s.mailbox.Address}
	if c.From != "" {
		a, perr := mail.ParseAddress(c.From)
		if perr != nil {
			err = invalid("from", "not a valid email address: %q", c.From)
			return
		}
		if !slices.Contains(s.mailbox.Domains, domainOf(a.Address)) {
			err = invalid("from", "this mailbox may not send as %s (allowed domains: %s)", a.Address, strings.Join(s.mailbox.Domains, ", "))
			return
		}
		from = Address{Name: a.Name, Email: a.Address}
	}
	if c.InReplyTo != "" {
		if _, ok := s.msgs[c.InReplyTo]; !ok {
			err = fmt.Errorf("in_reply_to: message %s: %w", c.InReplyTo, ErrNotFound)
		}
	}
	return
}

// replay looks a key up; s.mu is held.
func (s *Store) replay(key, fp string) (Message, bool, error) {
	if err := idem.CheckKey(key, domainkit.Fail); err != nil {
		return Message{}, false, err
	}
	m, ok, err := s.idem.Lookup(key, fp)
	if !ok || err != nil {
		return Message{}, false, err
	}
	return m.Clone(), true, nil
}

func (s *Store) remember(key, fp string, m *Message) {
	if key != "" {
		s.idem.Remember(key, fp, m.Clone())
	}
}

// compose builds a new message from a validated body; s.mu is held.
func (s *Store) compose(c Compose, from Address, to, cc, bcc []Address, folder string) *Message {
	now := s.now().UTC().Truncate(time.Second)
	s.seqMsg++
	m := &Message{
		ID:       fmt.Sprintf("M-%d", s.seqMsg),
		Folder:   folder,
		From:     from,
		To:       to,
		Cc:       cc,
		Bcc:      bcc,
		Subject:  c.Subject,
		Date:     now,
		BodyText: c.BodyText,
		BodyHTML: c.BodyHTML,
		Read:     true,
	}
	m.MessageIDHeader = fmt.Sprintf("<%s.%d@mail.%s>", strings.ToLower(m.ID), now.Unix(), domainOf(from.Email))
	if parent, ok := s.msgs[c.InReplyTo]; ok && c.InReplyTo != "" {
		m.ThreadID = parent.ThreadID
		m.InReplyTo = parent.ID
		m.References = append(slices.Clone(parent.References), parent.MessageIDHeader)
		m.CustomerID = parent.CustomerID
		if m.Subject == "" {
			m.Subject = replySubject(parent.Subject)
		}
	} else {
		s.seqThread++
		m.ThreadID = fmt.Sprintf("T-%d", s.seqThread)
	}
	m.Headers = []Header{
		{"Message-ID", m.MessageIDHeader},
		{"Date", now.Format(time.RFC1123Z)},
		{"From", formatAddr(from)},
		{"To", formatAddrs(to)},
		{"Subject", m.Subject},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=UTF-8"},
		{"X-Mailer", "bizmcp reference mail API"},
	}
	if len(cc) > 0 {
		m.Headers = append(m.Headers, Header{"Cc", formatAddrs(cc)})
	}
	if m.InReplyTo != "" {
		m.Headers = append(m.Headers, Header{"In-Reply-To", m.References[len(m.References)-1]}, Header{"References", strings.Join(m.References, " ")})
	}
	m.Snippet = makeSnippet(m.BodyText, m.BodyHTML)
	m.SizeEstimate = sizeEstimate(m)
	m.normalize()
	return m
}

func replySubject(s string) string {
	if l := strings.ToLower(s); strings.HasPrefix(l, "re:") || strings.HasPrefix(l, "aw:") {
		return s
	}
	return "Re: " + s
}

// add stores a new message; s.mu is held.
func (s *Store) add(m *Message) {
	s.msgs[m.ID] = m
	s.reindex()
}

// deliver marks m sent and logs the delivery; s.mu is held.
func (s *Store) deliver(m *Message, key string) {
	now := s.now().UTC().Truncate(time.Second)
	m.Folder = FolderSent
	m.Labels = []string{"SENT"}
	m.Date = now
	m.SentAt = &now
	m.DeliveredTo = nil
	for _, l := range [][]Address{m.To, m.Cc, m.Bcc} {
		for _, a := range l {
			m.DeliveredTo = append(m.DeliveredTo, a.Email)
		}
	}
	m.normalize()
	s.deliveries = append(s.deliveries, Delivery{MessageID: m.ID, To: slices.Clone(m.DeliveredTo), Subject: m.Subject, At: now, IdempotencyKey: key})
}

// CreateDraft saves a draft. With an idempotency key, a repeat of the same
// request returns the original draft and replayed=true without writing; the
// same key with a different request is ErrIdempotencyConflict.
func (s *Store) CreateDraft(c Compose, idemKey string) (Message, bool, error) {
	fp := idem.Fingerprint("draft", "", c)
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok, err := s.replay(idemKey, fp); ok || err != nil {
		return m, ok, err
	}
	to, cc, bcc, from, err := s.validate(c, true)
	if err != nil {
		return Message{}, false, err
	}
	m := s.compose(c, from, to, cc, bcc, FolderDrafts)
	m.Labels = []string{"DRAFT"}
	s.add(m)
	s.remember(idemKey, fp, m)
	return m.Clone(), false, nil
}

// Send sends a new message: it is stored in the sent folder and logged as
// delivered. Idempotency keys behave as in CreateDraft, so a retried send
// delivers once.
func (s *Store) Send(c Compose, idemKey string) (Message, bool, error) {
	fp := idem.Fingerprint("send", "", c)
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok, err := s.replay(idemKey, fp); ok || err != nil {
		return m, ok, err
	}
	to, cc, bcc, from, err := s.validate(c, false)
	if err != nil {
		return Message{}, false, err
	}
	m := s.compose(c, from, to, cc, bcc, FolderSent)
	s.deliver(m, idemKey)
	s.add(m)
	s.remember(idemKey, fp, m)
	return m.Clone(), false, nil
}

// SendDraft sends the draft id. A draft that was already sent, or a message
// that is no draft, is ErrNotDraft (unless the key replays the send).
func (s *Store) SendDraft(id, idemKey string) (Message, bool, error) {
	fp := idem.Fingerprint("send_draft", id, nil)
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok, err := s.replay(idemKey, fp); ok || err != nil {
		return m, ok, err
	}
	m, ok := s.msgs[id]
	if !ok {
		return Message{}, false, fmt.Errorf("draft %s: %w", id, ErrNotFound)
	}
	if m.Folder != FolderDrafts {
		return Message{}, false, fmt.Errorf("message %s is in %s: %w", id, m.Folder, ErrNotDraft)
	}
	if len(m.To)+len(m.Cc)+len(m.Bcc) == 0 {
		return Message{}, false, invalid("to", "draft %s has no recipients", id)
	}
	if strings.TrimSpace(m.BodyText) == "" && strings.TrimSpace(m.BodyHTML) == "" {
		return Message{}, false, invalid("body_text", "draft %s has no body", id)
	}
	s.deliver(m, idemKey)
	s.reindex()
	s.remember(idemKey, fp, m)
	return m.Clone(), false, nil
}

func formatAddr(a Address) string {
	return (&mail.Address{Name: a.Name, Address: a.Email}).String()
}

func formatAddrs(as []Address) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = formatAddr(a)
	}
	return strings.Join(parts, ", ")
}

// makeSnippet is the first characters of the body, as mail APIs compute it:
// HTML tags are dropped crudely (hidden text included), white space
// collapsed.
func makeSnippet(text, html string) string {
	src := text
	if strings.TrimSpace(src) == "" {
		src = stripTags(html)
	}
	src = strings.Join(strings.Fields(src), " ")
	if utf8.RuneCountInString(src) <= snippetChars {
		return src
	}
	r := []rune(src)
	return string(r[:snippetChars])
}

func stripTags(h string) string {
	var b strings.Builder
	depth := 0
	lower := strings.ToLower(h)
	for i := 0; i < len(h); i++ {
		switch {
		case strings.HasPrefix(lower[i:], "<style") || strings.HasPrefix(lower[i:], "<head"):
			end := "</style>"
			if strings.HasPrefix(lower[i:], "<head") {
				end = "</head>"
			}
			if j := strings.Index(lower[i:], end); j >= 0 {
				i += j + len(end) - 1
				continue
			}
		case h[i] == '<':
			depth++
		case h[i] == '>' && depth > 0:
			depth--
			b.WriteByte(' ')
		case depth == 0:
			b.WriteByte(h[i])
		}
	}
	return strings.NewReplacer("&nbsp;", " ", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'").Replace(b.String())
}

func sizeEstimate(m *Message) int {
	n := len(m.BodyText) + len(m.BodyHTML) + 400
	for _, h := range m.Headers {
		n += len(h.Name) + len(h.Value) + 4
	}
	for _, a := range m.Attachments {
		n += int(a.Size*4/3) + 200
	}
	return n
}
