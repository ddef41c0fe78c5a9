package email

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/bizmcp/bizmcp/mocks/internal/domainkit"
)

// Fixtures is the "email" section of a mock-backends fixtures file. Mailbox
// is optional (default: SampleMailbox()).
type Fixtures struct {
	Mailbox  *Mailbox  `json:"mailbox,omitempty"`
	Messages []Message `json:"messages"`
}

// ParseFixtures decodes and validates the "email" fixtures section: unknown
// fields are rejected; every message needs a unique id of the form M-<n>, a
// thread id T-<n>, a valid folder and a sender.
func ParseFixtures(raw json.RawMessage) (Mailbox, []Message, error) {
	f, err := domainkit.DecodeFixtures("email", "messages", raw, func(f *Fixtures) bool { return f.Messages != nil })
	if err != nil {
		return Mailbox{}, nil, err
	}
	mb := SampleMailbox()
	if f.Mailbox != nil {
		mb = *f.Mailbox
		if !strings.Contains(mb.Address, "@") || len(mb.Domains) == 0 {
			return Mailbox{}, nil, fmt.Errorf("email fixtures: mailbox needs an address and at least one domain")
		}
	}
	seen := map[string]bool{}
	for i, m := range f.Messages {
		where := fmt.Sprintf("email fixtures: messages[%d]", i)
		switch {
		case !strings.HasPrefix(m.ID, "M-") || idNumber(m.ID) == 0:
			return Mailbox{}, nil, fmt.Errorf("%s: id %q must look like M-10001", where, m.ID)
		case seen[m.ID]:
			return Mailbox{}, nil, fmt.Errorf("%s: duplicate id %q", where, m.ID)
		case !strings.HasPrefix(m.ThreadID, "T-") || idNumber(m.ThreadID) == 0:
			return Mailbox{}, nil, fmt.Errorf("%s (%s): thread_id %q must look like T-1001", where, m.ID, m.ThreadID)
		case !slices.Contains(Folders, m.Folder):
			return Mailbox{}, nil, fmt.Errorf("%s (%s): folder must be one of %s, got %q", where, m.ID, strings.Join(Folders, "|"), m.Folder)
		case m.From.Email == "":
			return Mailbox{}, nil, fmt.Errorf("%s (%s): from.email is required", where, m.ID)
		}
		seen[m.ID] = true
	}
	return mb, f.Messages, nil
}

// Domain adapts the email API to mock-backends (it satisfies mocks.Domain).
type Domain struct {
	domainkit.Adapter[*Store]
}

// NewDomain returns the email domain loaded with the sample data.
// The API is served under /email.
func NewDomain() *Domain {
	return &Domain{domainkit.NewAdapter("email", SampleStore(), NewHandler)}
}

// LoadFixtures replaces the sample data with the "email" fixtures section.
func (d *Domain) LoadFixtures(raw json.RawMessage) error {
	mb, msgs, err := ParseFixtures(raw)
	if err != nil {
		return err
	}
	d.Store().Replace(mb, msgs)
	return nil
}
