package email

import "time"

// Address is one mailbox address.
type Address struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Attachment is an attachment's metadata (the API never sends content).
type Attachment struct {
	ID          string `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Disposition string `json:"disposition"`
}

// Message is the backend's full message. The MCP tools never pass it to the
// model whole: headers are dropped, bodies trimmed and sanitized. Folder is
// one of Folders; InReplyTo is the id (not the Message-ID header) of the
// message this one answers, "" when the backend does not have it.
type Message struct {
	ID              string       `json:"id"`
	ThreadID        string       `json:"thread_id"`
	Folder          string       `json:"folder"`
	Labels          []string     `json:"labels"`
	From            Address      `json:"from"`
	To              []Address    `json:"to"`
	Cc              []Address    `json:"cc"`
	Bcc             []Address    `json:"bcc"`
	ReplyTo         []Address    `json:"reply_to"`
	Subject         string       `json:"subject"`
	Date            time.Time    `json:"date"`
	MessageIDHeader string       `json:"message_id_header"`
	InReplyTo       string       `json:"in_reply_to"`
	BodyText        string       `json:"body_text"`
	BodyHTML        string       `json:"body_html"`
	Snippet         string       `json:"snippet"`
	Attachments     []Attachment `json:"attachments"`
	CustomerID      string       `json:"customer_id"`
	Language        string       `json:"language"`
	Read            bool         `json:"read"`
	SentAt          *time.Time   `json:"sent_at"`
	DeliveredTo     []string     `json:"delivered_to"`
	// Headers (raw transport headers) and other fields are not kept: no
	// tool shows them.
}

// Summary is one search hit.
type Summary struct {
	ID              string    `json:"id"`
	ThreadID        string    `json:"thread_id"`
	Folder          string    `json:"folder"`
	From            Address   `json:"from"`
	To              []Address `json:"to"`
	Cc              []Address `json:"cc"`
	Subject         string    `json:"subject"`
	Date            time.Time `json:"date"`
	Snippet         string    `json:"snippet"`
	AttachmentCount int       `json:"attachment_count"`
	CustomerID      string    `json:"customer_id"`
	Language        string    `json:"language"`
	Read            bool      `json:"read"`
}

// SearchResult is one page of a message search.
type SearchResult struct {
	Messages []Summary `json:"messages"`
	Total    int       `json:"total"`
	Offset   int       `json:"offset"`
	Limit    int       `json:"limit"`
	// Snapshot is Backend.Snapshot at the time of the search.
	Snapshot string `json:"-"`
}

// Thread is a conversation, messages oldest first.
type Thread struct {
	ID           string    `json:"id"`
	Subject      string    `json:"subject"`
	CustomerID   string    `json:"customer_id"`
	Participants []Address `json:"participants"`
	MessageCount int       `json:"message_count"`
	Messages     []Message `json:"messages"`
}

// Compose is a message to save as a draft or send. InReplyTo is the id of
// the message it answers; the backend files it in that thread.
type Compose struct {
	From      string   `json:"from,omitempty"`
	To        []string `json:"to"`
	Cc        []string `json:"cc,omitempty"`
	Bcc       []string `json:"bcc,omitempty"`
	Subject   string   `json:"subject"`
	BodyText  string   `json:"body_text"`
	InReplyTo string   `json:"in_reply_to,omitempty"`
}
