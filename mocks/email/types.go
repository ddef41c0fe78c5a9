// Package email is the email reference backend: one company mailbox
// (sales@bizmcp.example) with its folders, threads and messages, an HTTP API
// to search, read, draft and send mail (served under /email by
// mock-backends), and a deterministic sample data set of threads with the
// CRM sample customers. See API.md.
//
// Like the CRM API, it returns what a real mail API returns: full messages
// with raw transport headers, HTML and text bodies, long quoted histories,
// signatures and attachment metadata. The MCP server built on it must trim
// and sanitize them for a model.
package email

import (
	"slices"
	"time"

	"github.com/bizmcp/bizmcp/mocks/internal/apijson"
)

// Folders of the mailbox.
const (
	FolderInbox   = "inbox"
	FolderSent    = "sent"
	FolderDrafts  = "drafts"
	FolderArchive = "archive"
)

// Folders lists every folder, in display order.
var Folders = []string{FolderInbox, FolderSent, FolderDrafts, FolderArchive}

// Address is one mailbox address.
type Address struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Header is one raw transport header, in message order.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Attachment is an attachment's metadata. The API never serves content.
type Attachment struct {
	ID          string `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Disposition string `json:"disposition"` // attachment | inline
	ContentID   string `json:"content_id"`
	SHA256      string `json:"sha256"`
}

// Message is one message, exactly as GET /messages/{id} serialises it.
type Message struct {
	ID       string   `json:"id"`
	ThreadID string   `json:"thread_id"`
	Folder   string   `json:"folder"`
	Labels   []string `json:"labels"`

	From    Address   `json:"from"`
	To      []Address `json:"to"`
	Cc      []Address `json:"cc"`
	Bcc     []Address `json:"bcc"`
	ReplyTo []Address `json:"reply_to"`
	Subject string    `json:"subject"`
	Date    time.Time `json:"date"`

	// MessageIDHeader is the RFC 5322 Message-ID; InReplyTo is the API id of
	// the message this one answers ("" for a thread's first message).
	MessageIDHeader string   `json:"message_id_header"`
	InReplyTo       string   `json:"in_reply_to"`
	References      []string `json:"references"`
	Headers         []Header `json:"headers"`

	BodyText    string       `json:"body_text"`
	BodyHTML    string       `json:"body_html"`
	Snippet     string       `json:"snippet"`
	Attachments []Attachment `json:"attachments"`

	CustomerID   string  `json:"customer_id"` // CRM customer the thread is with, "" if none
	Language     string  `json:"language"`    // BCP 47 of the body, e.g. "de"
	Read         bool    `json:"read"`
	Starred      bool    `json:"starred"`
	Importance   string  `json:"importance"` // low | normal | high
	SpamScore    float64 `json:"spam_score"`
	SizeEstimate int     `json:"size_estimate"` // bytes of the raw RFC 5322 message
	// SentAt is set when the API sent the message (POST /messages/send or
	// /drafts/{id}/send); DeliveredTo lists the accepted recipients.
	SentAt      *time.Time `json:"sent_at"`
	DeliveredTo []string   `json:"delivered_to"`
}

// Summary is one search hit: the message without bodies and headers.
type Summary struct {
	ID              string    `json:"id"`
	ThreadID        string    `json:"thread_id"`
	Folder          string    `json:"folder"`
	Labels          []string  `json:"labels"`
	From            Address   `json:"from"`
	To              []Address `json:"to"`
	Cc              []Address `json:"cc"`
	Subject         string    `json:"subject"`
	Date            time.Time `json:"date"`
	Snippet         string    `json:"snippet"`
	HasAttachments  bool      `json:"has_attachments"`
	AttachmentCount int       `json:"attachment_count"`
	CustomerID      string    `json:"customer_id"`
	Language        string    `json:"language"`
	Read            bool      `json:"read"`
	SizeEstimate    int       `json:"size_estimate"`
}

// Thread is a conversation: its messages oldest first.
type Thread struct {
	ID           string    `json:"id"`
	Subject      string    `json:"subject"`
	CustomerID   string    `json:"customer_id"`
	Participants []Address `json:"participants"`
	MessageCount int       `json:"message_count"`
	LastDate     time.Time `json:"last_date"`
	Messages     []Message `json:"messages"`
}

// Mailbox describes the mailbox the API serves (GET /mailbox).
type Mailbox struct {
	Address     string        `json:"address"`
	DisplayName string        `json:"display_name"`
	Domains     []string      `json:"domains"` // the domains this mailbox may send as
	Folders     []FolderCount `json:"folders"`
}

// FolderCount is one folder's size.
type FolderCount struct {
	Name   string `json:"name"`
	Total  int    `json:"total"`
	Unread int    `json:"unread"`
}

// Compose is the body of POST /drafts and POST /messages/send.
type Compose struct {
	From      string   `json:"from,omitempty"` // default: the mailbox address
	To        []string `json:"to"`
	Cc        []string `json:"cc,omitempty"`
	Bcc       []string `json:"bcc,omitempty"`
	Subject   string   `json:"subject"`
	BodyText  string   `json:"body_text"`
	BodyHTML  string   `json:"body_html,omitempty"`
	InReplyTo string   `json:"in_reply_to,omitempty"` // API id of the message answered
}

// Delivery is one message handed to the outside world (GET /deliveries).
type Delivery struct {
	MessageID      string    `json:"message_id"`
	To             []string  `json:"to"` // every envelope recipient (to, cc, bcc)
	Subject        string    `json:"subject"`
	At             time.Time `json:"at"`
	IdempotencyKey string    `json:"idempotency_key"`
}

// Clone returns a deep copy of m with nil lists made empty.
func (m Message) Clone() Message {
	out := m
	out.Labels = slices.Clone(m.Labels)
	out.To = slices.Clone(m.To)
	out.Cc = slices.Clone(m.Cc)
	out.Bcc = slices.Clone(m.Bcc)
	out.ReplyTo = slices.Clone(m.ReplyTo)
	out.References = slices.Clone(m.References)
	out.Headers = slices.Clone(m.Headers)
	out.Attachments = slices.Clone(m.Attachments)
	out.DeliveredTo = slices.Clone(m.DeliveredTo)
	if m.SentAt != nil {
		t := *m.SentAt
		out.SentAt = &t
	}
	out.normalize()
	return out
}

func (m *Message) normalize() {
	apijson.EmptySlices(&m.To, &m.Cc, &m.Bcc, &m.ReplyTo)
	apijson.EmptySlices(&m.Labels)
	apijson.EmptySlices(&m.References)
	apijson.EmptySlices(&m.Headers)
	apijson.EmptySlices(&m.Attachments)
	apijson.EmptySlices(&m.DeliveredTo)
}

// Summary returns the search-hit view of m.
func (m Message) Summary() Summary {
	return Summary{
		ID: m.ID, ThreadID: m.ThreadID, Folder: m.Folder, Labels: slices.Clone(m.Labels),
		From: m.From, To: slices.Clone(m.To), Cc: slices.Clone(m.Cc),
		Subject: m.Subject, Date: m.Date, Snippet: m.Snippet,
		HasAttachments: len(m.Attachments) > 0, AttachmentCount: len(m.Attachments),
		CustomerID: m.CustomerID, Language: m.Language, Read: m.Read, SizeEstimate: m.SizeEstimate,
	}
}
