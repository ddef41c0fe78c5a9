package imap

import (
	"cmp"
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/servers/email/internal/email"
	"github.com/bizmcp/bizmcp/servers/email/internal/mailtext"
	"github.com/emersion/go-imap/v2"
)

const (
	// scanMax bounds the matches of one search that are ordered by date,
	// per folder: the newest (highest UIDs) scanMax; Total still counts all.
	scanMax = 5000
	// bodyMax bounds the bytes read of each text part of a message.
	bodyMax = 1 << 20
	// snippetBytes is what is read of a part for a search snippet.
	snippetBytes = 2048
	snippetChars = 200
	// threadMax bounds the messages of one conversation.
	threadMax = 200
)

// fetched is one message as read from the server.
type fetched struct {
	folder     string
	uid        imap.UID
	flags      []imap.Flag
	internal   time.Time
	h          header
	l          layout
	text, html string
}

func (f *fetched) id() string { return msgID(f.folder, f.uid) }

func (f *fetched) date() time.Time {
	if !f.h.date.IsZero() {
		return f.h.date.UTC()
	}
	return f.internal.UTC()
}

// fetch reads the messages uids of folder: flags, dates, structure,
// header, and up to textMax bytes of the text and HTML parts. Messages
// the server no longer has are left out.
func (a *Adapter) fetch(cn *conn, folder string, uids []imap.UID, textMax int64) ([]*fetched, error) {
	if len(uids) == 0 {
		return nil, nil
	}
	if _, err := a.examine(cn, folder); err != nil {
		return nil, err
	}
	hdr := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true}
	bufs, err := cn.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{
		UID: true, Flags: true, InternalDate: true, BodyStructure: &imap.FetchItemBodyStructure{Extended: true}, BodySection: []*imap.FetchItemBodySection{hdr},
	}).Collect()
	if err != nil {
		return nil, err
	}
	out := make([]*fetched, 0, len(bufs))
	for _, b := range bufs {
		f := &fetched{folder: folder, uid: b.UID, flags: b.Flags, internal: b.InternalDate,
			h: parseHeader(b.FindBodySection(hdr), a.s.CustomerHeader), l: layoutOf(b.BodyStructure)}
		out = append(out, f)
	}
	if textMax == 0 {
		return out, nil
	}
	// One FETCH per layout (messages whose text parts have the same part
	// numbers share one), run one after the other: go-imap's client must
	// not be left with unread responses of a pipelined command.
	type group struct {
		uids       []imap.UID
		text, html *imap.FetchItemBodySection
	}
	groups := map[string]*group{}
	var order []string
	byUID := map[imap.UID]*fetched{}
	for _, f := range out {
		byUID[f.uid] = f
		var g group
		key := ""
		if f.l.text != nil {
			g.text = section(f.l.text, textMax)
			key += partID(f.l.text.path)
		}
		key += "|"
		if f.l.html != nil && (f.l.text == nil || textMax > snippetBytes) {
			g.html = section(f.l.html, textMax)
			key += partID(f.l.html.path)
		}
		if g.text == nil && g.html == nil {
			continue
		}
		if groups[key] == nil {
			groups[key] = &g
			order = append(order, key)
		}
		groups[key].uids = append(groups[key].uids, f.uid)
	}
	for _, key := range order {
		g := groups[key]
		var secs []*imap.FetchItemBodySection
		for _, sec := range []*imap.FetchItemBodySection{g.text, g.html} {
			if sec != nil {
				secs = append(secs, sec)
			}
		}
		bs, err := cn.c.Fetch(imap.UIDSetNum(g.uids...), &imap.FetchOptions{UID: true, BodySection: secs}).Collect()
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			f := byUID[b.UID]
			if f == nil {
				continue
			}
			if g.text != nil {
				f.text = decodePart(f.l.text, b.FindBodySection(g.text))
			}
			if g.html != nil {
				f.html = decodePart(f.l.html, b.FindBodySection(g.html))
			}
		}
	}
	return out, nil
}

func addrs(as []email.Address) []email.Address { return slices.Clone(as) }

// message converts f (InReplyTo is resolved by the caller).
func (a *Adapter) message(f *fetched) email.Message {
	m := email.Message{
		ID: f.id(), Folder: f.folder, From: f.h.from, To: addrs(f.h.to), Cc: addrs(f.h.cc), Bcc: addrs(f.h.bcc), ReplyTo: addrs(f.h.replyTo),
		Subject: f.h.subject, Date: f.date(), MessageIDHeader: f.h.messageID, BodyText: f.text, BodyHTML: f.html,
		Snippet: snippet(f), Attachments: f.l.attachments, CustomerID: f.h.customerID, Language: f.h.language,
		Read: slices.Contains(f.flags, imap.FlagSeen),
	}
	return m
}

var space = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\s+`) })

func snippet(f *fetched) string {
	s := f.text
	if strings.TrimSpace(s) == "" && f.html != "" {
		if h, err := mailtext.FromHTML(f.html); err == nil {
			s = h.Text
		}
	}
	s = strings.TrimSpace(space().ReplaceAllString(s, " "))
	if r := []rune(s); len(r) > snippetChars {
		s = string(r[:snippetChars])
	}
	return s
}

var idWord = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[MTmt]-[0-9]*$`) })

func (a *Adapter) criteria(q email.SearchQuery) *imap.SearchCriteria {
	c := &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted}, Since: q.After, Before: q.Before}
	for _, w := range strings.Fields(q.Q) {
		if idWord().MatchString(w) {
			continue // ids are this adapter's, not in the mail
		}
		c.Text = append(c.Text, w)
	}
	if q.From != "" {
		c.Header = append(c.Header, imap.SearchCriteriaHeaderField{Key: "From", Value: q.From})
	}
	if q.CustomerID != "" {
		c.Header = append(c.Header, imap.SearchCriteriaHeaderField{Key: a.s.CustomerHeader, Value: q.CustomerID})
	}
	return c
}

// searchIn runs UID SEARCH in folder: the matching UIDs in ascending
// order, and the folder's UIDVALIDITY.
func (a *Adapter) searchIn(cn *conn, folder string, crit *imap.SearchCriteria) ([]imap.UID, uint32, error) {
	v, err := a.examine(cn, folder)
	if err != nil {
		return nil, 0, err
	}
	data, err := cn.c.UIDSearch(crit, nil).Wait()
	if err != nil {
		return nil, 0, err
	}
	// UIDs past 999,999,999 have no id (see msgID): left out.
	uids := slices.DeleteFunc(data.AllUIDs(), func(u imap.UID) bool { return u >= uidSpan })
	slices.Sort(uids)
	return uids, v, nil
}

type hit struct {
	folder string
	uid    imap.UID
	date   time.Time
}

// Search runs UID SEARCH in each folder, orders the matches newest first
// by arrival (INTERNALDATE) and reads one page of them.
func (a *Adapter) Search(ctx context.Context, q email.SearchQuery) (*email.SearchResult, error) {
	res := &email.SearchResult{Offset: q.Offset, Limit: q.Limit, Messages: []email.Summary{}}
	err := a.do(ctx, "UID SEARCH", func(cn *conn) error {
		fs, err := a.searchFolders(cn, q.Folder)
		if err != nil {
			return err
		}
		crit := a.criteria(q)
		var hits []hit
		validity := map[string]uint32{}
		for _, f := range fs {
			uids, v, err := a.searchIn(cn, f, crit)
			if err != nil {
				return err
			}
			validity[f] = v
			res.Total += len(uids)
			slices.Sort(uids)
			if len(uids) > scanMax {
				uids = uids[len(uids)-scanMax:]
			}
			if len(uids) == 0 {
				continue
			}
			bufs, err := cn.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, InternalDate: true}).Collect()
			if err != nil {
				return err
			}
			for _, b := range bufs {
				hits = append(hits, hit{f, b.UID, b.InternalDate})
			}
		}
		res.Snapshot = snapshotOf(fs, validity)
		slices.SortFunc(hits, func(x, y hit) int {
			if c := y.date.Compare(x.date); c != 0 {
				return c
			}
			return cmp.Compare(msgID(y.folder, y.uid), msgID(x.folder, x.uid))
		})
		page := hits[min(q.Offset, len(hits)):min(q.Offset+max(q.Limit, 0), len(hits))]
		msgs, err := a.fetchHits(cn, page, snippetBytes)
		if err != nil {
			return err
		}
		threads, err := a.threadIDs(cn, msgs)
		if err != nil {
			return err
		}
		for _, f := range msgs {
			m := a.message(f)
			res.Messages = append(res.Messages, email.Summary{ID: m.ID, ThreadID: threads[f.id()], Folder: m.Folder, From: m.From, To: m.To, Cc: m.Cc,
				Subject: m.Subject, Date: m.Date, Snippet: m.Snippet, AttachmentCount: len(m.Attachments), CustomerID: m.CustomerID, Language: m.Language, Read: m.Read})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// fetchHits reads the hits, keeping their order.
func (a *Adapter) fetchHits(cn *conn, hits []hit, textMax int64) ([]*fetched, error) {
	byFolder := map[string][]imap.UID{}
	for _, h := range hits {
		byFolder[h.folder] = append(byFolder[h.folder], h.uid)
	}
	got := map[string]*fetched{}
	for _, f := range email.Folders {
		if len(byFolder[f]) == 0 {
			continue
		}
		ms, err := a.fetch(cn, f, byFolder[f], textMax)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			got[m.id()] = m
		}
	}
	out := make([]*fetched, 0, len(hits))
	for _, h := range hits {
		if m := got[msgID(h.folder, h.uid)]; m != nil {
			out = append(out, m)
		}
	}
	return out, nil
}

// members finds the messages of the conversation known by key in every
// folder, in folder then UID order.
func (a *Adapter) members(cn *conn, key string) ([]hit, error) {
	if key == "" {
		return nil, nil
	}
	fs, err := a.searchFolders(cn, "")
	if err != nil {
		return nil, err
	}
	hdr := func(k string) imap.SearchCriteria {
		return imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: k, Value: key}}}
	}
	crit := &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted}, Or: [][2]imap.SearchCriteria{{hdr("Message-ID"), {Or: [][2]imap.SearchCriteria{{hdr("References"), hdr("In-Reply-To")}}}}}}
	return a.searchAll(cn, fs, crit)
}

// threadIDs names the conversation of each message: T-<n> where M-<n> is
// the conversation's root (the message whose Message-ID the others
// reference) when the mailbox has it, else its first member in folder then
// UID order. Roots and first members of a whole page are found with one
// SEARCH and one FETCH per folder.
func (a *Adapter) threadIDs(cn *conn, msgs []*fetched) (map[string]string, error) {
	out := map[string]string{}
	var keys []string
	for _, m := range msgs {
		if key := m.h.threadKey(); key != "" && key != m.h.messageID && !slices.Contains(keys, key) {
			keys = append(keys, key)
		}
	}
	named, err := a.threadRoots(cn, keys, []string{"Message-ID"})
	if err != nil {
		return nil, err
	}
	var rootless []string
	for _, k := range keys {
		if _, ok := named[k]; !ok {
			rootless = append(rootless, k)
		}
	}
	first, err := a.threadRoots(cn, rootless, []string{"References", "In-Reply-To"})
	if err != nil {
		return nil, err
	}
	for k, h := range first {
		named[k] = h
	}
	for _, m := range msgs {
		key := m.h.threadKey()
		h, ok := named[key]
		if key == "" || key == m.h.messageID || !ok {
			h = hit{folder: m.folder, uid: m.uid}
		}
		out[m.id()] = "T-" + strings.TrimPrefix(msgID(h.folder, h.uid), "M-")
	}
	return out, nil
}

// threadOf is the thread id of message m.
func (a *Adapter) threadOf(cn *conn, m *fetched) (string, error) {
	ids, err := a.threadIDs(cn, []*fetched{m})
	return ids[m.id()], err
}

// anyOf is the OR of criteria (a balanced tree of IMAP ORs).
func anyOf(cs []imap.SearchCriteria) imap.SearchCriteria {
	if len(cs) == 1 {
		return cs[0]
	}
	mid := len(cs) / 2
	return imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{anyOf(cs[:mid]), anyOf(cs[mid:])}}}
}

// threadRoots finds, for each key, the first message (folder order, then
// UID) whose headers fields name it: with "Message-ID" the key's own
// message, with References/In-Reply-To a message of its conversation.
// HEADER search matches substrings, so each candidate's header is read
// back and compared exactly.
func (a *Adapter) threadRoots(cn *conn, keys, fields []string) (map[string]hit, error) {
	out := map[string]hit{}
	if len(keys) == 0 {
		return out, nil
	}
	fs, err := a.searchFolders(cn, "")
	if err != nil {
		return nil, err
	}
	var alts []imap.SearchCriteria
	for _, k := range keys {
		for _, f := range fields {
			alts = append(alts, imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: f, Value: k}}})
		}
	}
	crit := anyOf(alts)
	crit.NotFlag = []imap.Flag{imap.FlagDeleted}
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
	}
	for _, f := range fs {
		if len(out) == len(keys) {
			break
		}
		uids, _, err := a.searchIn(cn, f, &crit)
		if err != nil {
			return nil, err
		}
		if len(uids) == 0 {
			continue
		}
		ms, err := a.fetch(cn, f, uids, 0)
		if err != nil {
			return nil, err
		}
		slices.SortFunc(ms, func(x, y *fetched) int { return cmp.Compare(x.uid, y.uid) })
		for _, m := range ms {
			k := m.h.messageID
			if fields[0] != "Message-ID" {
				k = m.h.threadKey()
			}
			if _, done := out[k]; want[k] && !done {
				out[k] = hit{folder: f, uid: m.uid}
			}
		}
	}
	return out, nil
}

// one reads one message by id.
func (a *Adapter) one(cn *conn, id, kind string, textMax int64) (*fetched, error) {
	folder, uid, ok := parseID(id, kind[:1])
	if !ok {
		return nil, notFound(map[string]string{"M": "message", "T": "thread"}[kind[:1]], id)
	}
	ms, err := a.fetch(cn, folder, []imap.UID{uid}, textMax)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, notFound(map[string]string{"M": "message", "T": "thread"}[kind[:1]], id)
	}
	return ms[0], nil
}

// Get reads one message: header, text and HTML bodies (at most 1 MB each),
// attachment metadata, and the id of the message it answers.
func (a *Adapter) Get(ctx context.Context, id string) (*email.Message, error) {
	var m email.Message
	err := a.do(ctx, "UID FETCH "+id, func(cn *conn) error {
		f, err := a.one(cn, id, "M", bodyMax)
		if err != nil {
			return err
		}
		m = a.message(f)
		threads, err := a.threadIDs(cn, []*fetched{f})
		if err != nil {
			return err
		}
		m.ThreadID = threads[f.id()]
		if f.h.inReplyTo != "" {
			if hs, err := a.byMessageID(cn, f.h.inReplyTo); err != nil {
				return err
			} else if len(hs) > 0 {
				m.InReplyTo = msgID(hs[0].folder, hs[0].uid)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// searchAll runs UID SEARCH in each folder: the hits in folder, then UID
// order.
func (a *Adapter) searchAll(cn *conn, folders []string, crit *imap.SearchCriteria) ([]hit, error) {
	var out []hit
	for _, f := range folders {
		uids, _, err := a.searchIn(cn, f, crit)
		if err != nil {
			return nil, err
		}
		for _, u := range uids {
			out = append(out, hit{folder: f, uid: u})
		}
	}
	return out, nil
}

// byMessageID finds the messages whose Message-ID is mid, in every folder
// (or only those given).
func (a *Adapter) byMessageID(cn *conn, mid string, folders ...string) ([]hit, error) {
	if len(folders) == 0 {
		var err error
		if folders, err = a.searchFolders(cn, ""); err != nil {
			return nil, err
		}
	}
	crit := &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted}, Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: mid}}}
	return a.searchAll(cn, folders, crit)
}

// Thread reads a conversation: every member across the folders, oldest
// first (at most threadMax).
func (a *Adapter) Thread(ctx context.Context, id string) (*email.Thread, error) {
	var th *email.Thread
	err := a.do(ctx, "THREAD "+id, func(cn *conn) error {
		f, err := a.one(cn, id, "T", 0)
		if err != nil {
			return err
		}
		hs, err := a.members(cn, f.h.threadKey())
		if err != nil {
			return err
		}
		if len(hs) == 0 {
			hs = []hit{{folder: f.folder, uid: f.uid}}
		}
		if len(hs) > threadMax {
			hs = hs[len(hs)-threadMax:]
		}
		msgs, err := a.fetchHits(cn, hs, bodyMax)
		if err != nil {
			return err
		}
		th = a.thread(msgs)
		if th.ID, err = a.threadOf(cn, f); err != nil {
			return err
		}
		for i := range th.Messages {
			th.Messages[i].ThreadID = th.ID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return th, nil
}

func (a *Adapter) thread(msgs []*fetched) *email.Thread {
	th := &email.Thread{}
	byMID := map[string]string{}
	for _, f := range msgs {
		if f.h.messageID != "" {
			byMID[f.h.messageID] = f.id()
		}
	}
	seen := map[string]bool{}
	for _, f := range msgs {
		m := a.message(f)
		m.InReplyTo = byMID[f.h.inReplyTo]
		th.Messages = append(th.Messages, m)
		for _, p := range append(append([]email.Address{m.From}, m.To...), m.Cc...) {
			if k := strings.ToLower(p.Email); k != "" && !seen[k] {
				seen[k] = true
				th.Participants = append(th.Participants, p)
			}
		}
	}
	slices.SortStableFunc(th.Messages, func(x, y email.Message) int { return x.Date.Compare(y.Date) })
	th.MessageCount = len(th.Messages)
	if len(th.Messages) > 0 {
		th.Subject = th.Messages[0].Subject
	}
	for i := range th.Messages {
		if th.CustomerID == "" {
			th.CustomerID = th.Messages[i].CustomerID
		}
	}
	return th
}
