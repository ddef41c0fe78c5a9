// Package email is the email server's port: the Backend interface its tools
// depend on and the domain types they exchange. It knows nothing of MCP or
// of how a backend is reached; adapters live under ../backends (the
// reference HTTP API, an IMAP/SMTP mailbox) and report every failure as a
// *port.Error.
package email

import (
	"context"
	"time"

	"github.com/bizmcp/bizmcp/shared/port"
)

// Logical folders every backend maps onto its own mailboxes.
const (
	FolderInbox   = "inbox"
	FolderSent    = "sent"
	FolderDrafts  = "drafts"
	FolderArchive = "archive"
)

// Folders lists the logical folders in display order.
var Folders = []string{FolderInbox, FolderSent, FolderDrafts, FolderArchive}

// SearchQuery selects messages; zero fields do not filter. Results are
// newest first; Offset and Limit select one page of them.
type SearchQuery struct {
	Q          string    // words that must all occur (subject, body, addresses)
	From       string    // sender address or name contains this
	Folder     string    // one of Folders; "" = every folder
	After      time.Time // on or after (inclusive)
	Before     time.Time // before (exclusive)
	CustomerID string    // CRM customer id the mail is with
	Limit      int
	Offset     int
}

// Backend is what the email tools need from a mailbox.
type Backend interface {
	port.Pinger
	// Search returns one page of the messages matching q, newest first,
	// with the total number of matches. SearchResult.Snapshot names the
	// state the offsets refer to (see Snapshot).
	Search(ctx context.Context, q SearchQuery) (*SearchResult, error)
	// Snapshot returns the identity of the numbering a search over folder
	// ("" = all) pages through: a cursor issued under one snapshot is void
	// under another (an IMAP server's UIDVALIDITY changed). "" when the
	// backend's offsets never go stale this way.
	Snapshot(ctx context.Context, folder string) (string, error)
	// Get returns one message with its bodies and attachment metadata.
	Get(ctx context.Context, id string) (*Message, error)
	// Thread returns a conversation, messages oldest first.
	Thread(ctx context.Context, id string) (*Thread, error)
	// CreateDraft saves m as a draft. A retry with the same key saves one
	// draft (Write.Replayed on the retry).
	CreateDraft(ctx context.Context, m Compose, key string) (*Message, port.Write, error)
	// Send delivers m. A retry with the same key delivers once.
	Send(ctx context.Context, m Compose, key string) (*Message, port.Write, error)
	// SendDraft delivers the saved draft id as it is. A retry with the same
	// key delivers once.
	SendDraft(ctx context.Context, id, key string) (*Message, port.Write, error)
	// Folders lists the logical folders (of Folders) this mailbox has.
	Folders(ctx context.Context) ([]string, error)
}
