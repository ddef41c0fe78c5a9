package imap

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/bizmcp/bizmcp/servers/email/internal/email"
	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/emersion/go-imap/v2"
)

// Adapter is the email port over an IMAP mailbox and SMTP submission.
type Adapter struct {
	s    Settings
	log  *slog.Logger
	pool *pool

	mu        sync.Mutex
	mailboxes map[string]string // logical folder -> mailbox name
}

var _ email.Backend = (*Adapter)(nil)

// New builds the adapter on validated settings; it connects lazily.
func New(s Settings, log *slog.Logger) *Adapter {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Adapter{s: s, log: log}
	a.pool = newPool(&a.s, log)
	return a
}

// Close logs out the pooled connections.
func (a *Adapter) Close() { a.pool.close() }

// folderDigit numbers the logical folders in ids.
var folderDigit = map[string]uint64{email.FolderInbox: 1, email.FolderSent: 2, email.FolderDrafts: 3, email.FolderArchive: 4}

const uidSpan = 1_000_000_000 // UIDs up to 999,999,999 fit an id

func msgID(folder string, uid imap.UID) string {
	return fmt.Sprintf("M-%d", folderDigit[folder]*uidSpan+uint64(uid))
}

// parseID splits M-<f><uid> (or T-...); ok is false for ids this adapter
// never issued.
func parseID(id, prefix string) (folder string, uid imap.UID, ok bool) {
	digits := strings.TrimPrefix(id, prefix+"-")
	if !strings.HasPrefix(id, prefix+"-") || len(digits) != 10 || digits[0] == '0' || strings.Trim(digits, "0123456789") != "" {
		return "", 0, false // one spelling per message: no sign, no leading zero
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n%uidSpan == 0 {
		return "", 0, false
	}
	for f, d := range folderDigit {
		if n/uidSpan == d {
			return f, imap.UID(n % uidSpan), true
		}
	}
	return "", 0, false
}

func notFound(kind, id string) *port.Error {
	return port.NotFound("get "+id, fmt.Sprintf("%s %s: not found in this mailbox", kind, id))
}

// resolve returns the mailbox names of the logical folders, listing them
// once per process (SPECIAL-USE attributes, then the settings, then the
// usual names).
func (a *Adapter) resolve(cn *conn) (map[string]string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.mailboxes != nil {
		return a.mailboxes, nil
	}
	var opts *imap.ListOptions
	if cn.c.Caps().Has(imap.CapSpecialUse) {
		opts = &imap.ListOptions{ReturnSpecialUse: true}
	}
	list, err := cn.c.List("", "*", opts).Collect()
	if err != nil {
		return nil, err
	}
	m := map[string]string{email.FolderInbox: "INBOX"}
	byName := map[string]string{}
	for _, l := range list {
		if slices.Contains(l.Attrs, imap.MailboxAttrNoSelect) || slices.Contains(l.Attrs, imap.MailboxAttrNonExistent) {
			continue
		}
		byName[strings.ToLower(l.Mailbox)] = l.Mailbox
		for attr, f := range map[imap.MailboxAttr]string{imap.MailboxAttrSent: email.FolderSent, imap.MailboxAttrDrafts: email.FolderDrafts, imap.MailboxAttrArchive: email.FolderArchive} {
			if slices.Contains(l.Attrs, attr) && m[f] == "" {
				m[f] = l.Mailbox
			}
		}
	}
	for f, set := range map[string]string{email.FolderSent: a.s.SentFolder, email.FolderDrafts: a.s.DraftsFolder, email.FolderArchive: a.s.ArchiveFolder} {
		if set != "" {
			m[f] = set
			continue
		}
		if m[f] != "" {
			continue
		}
		for _, guess := range map[string][]string{
			email.FolderSent:    {"sent", "sent items", "sent messages", "inbox.sent"},
			email.FolderDrafts:  {"drafts", "inbox.drafts"},
			email.FolderArchive: {"archive", "archives", "inbox.archive"},
		}[f] {
			if n, ok := byName[guess]; ok {
				m[f] = n
				break
			}
		}
	}
	a.mailboxes = m
	return m, nil
}

// mailbox names the mailbox of a logical folder, or fails with what to set.
func (a *Adapter) mailbox(cn *conn, folder string) (string, error) {
	m, err := a.resolve(cn)
	if err != nil {
		return "", err
	}
	if n := m[folder]; n != "" {
		return n, nil
	}
	setting := "EMAIL_IMAP_" + strings.ToUpper(folder) + "_FOLDER"
	return "", &port.Error{Kind: port.KindMisconfigured, Op: "LIST", Setting: setting,
		Message: fmt.Sprintf("this mailbox has no %s folder (none is marked \\%s); create one or set %s", folder, strings.ToUpper(folder[:1])+folder[1:], setting)}
}

// examine selects mailbox read-only (a no-op when it already is).
func (a *Adapter) examine(cn *conn, folder string) (uint32, error) {
	name, err := a.mailbox(cn, folder)
	if err != nil {
		return 0, err
	}
	if cn.selected == name {
		return cn.validity, nil
	}
	cn.selected = ""
	sel, err := cn.c.Select(name, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return 0, err
	}
	cn.selected, cn.validity = name, sel.UIDValidity
	return sel.UIDValidity, nil
}

// selectRW selects mailbox for writing (flags, expunge).
func (a *Adapter) selectRW(cn *conn, folder string) error {
	name, err := a.mailbox(cn, folder)
	if err != nil {
		return err
	}
	cn.selected = ""
	sel, err := cn.c.Select(name, nil).Wait()
	if err != nil {
		return err
	}
	cn.validity = sel.UIDValidity
	cn.selected = "" // read-write: the next examine re-selects read-only
	return nil
}

// Ping logs in (or reuses a live connection) and sends NOOP.
func (a *Adapter) Ping(ctx context.Context) error {
	return a.do(ctx, "NOOP", func(cn *conn) error { return cn.c.Noop().Wait() })
}

// Folders lists the logical folders the mailbox has.
func (a *Adapter) Folders(ctx context.Context) ([]string, error) {
	var out []string
	err := a.do(ctx, "LIST", func(cn *conn) error {
		m, err := a.resolve(cn)
		for _, f := range email.Folders {
			if m[f] != "" {
				out = append(out, f)
			}
		}
		return err
	})
	return out, err
}

// searchFolders are the folders a search over folder ("" = all) reads.
func (a *Adapter) searchFolders(cn *conn, folder string) ([]string, error) {
	if folder != "" {
		if _, ok := folderDigit[folder]; !ok {
			return nil, port.Invalid("SEARCH", "folder", "unknown folder "+folder)
		}
		return []string{folder}, nil
	}
	m, err := a.resolve(cn)
	var out []string
	for _, f := range email.Folders {
		if m[f] != "" {
			out = append(out, f)
		}
	}
	return out, err
}

// Snapshot is a digest of the UIDVALIDITY of the folders a search reads:
// cursors and ids refer to UIDs, which a changed UIDVALIDITY voids.
func (a *Adapter) Snapshot(ctx context.Context, folder string) (string, error) {
	var snap string
	err := a.do(ctx, "STATUS", func(cn *conn) error {
		fs, err := a.searchFolders(cn, folder)
		if err != nil {
			return err
		}
		m, err := a.resolve(cn)
		if err != nil {
			return err
		}
		v := map[string]uint32{}
		for _, f := range fs {
			d, err := cn.c.Status(m[f], &imap.StatusOptions{UIDValidity: true}).Wait()
			if err != nil {
				return err
			}
			v[f] = d.UIDValidity
		}
		snap = snapshotOf(fs, v)
		return nil
	})
	return snap, err
}

func snapshotOf(folders []string, validity map[string]uint32) string {
	h := fnv.New64a()
	for _, f := range folders {
		fmt.Fprintf(h, "%s=%d;", f, validity[f])
	}
	return strconv.FormatUint(h.Sum64(), 36)
}
