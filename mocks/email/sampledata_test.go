package email

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bizmcp/bizmcp/mocks/crm"
	"github.com/bizmcp/bizmcp/mocks/world"
)

func sampleByID(t *testing.T) map[string]Message {
	t.Helper()
	out := map[string]Message{}
	for _, m := range SampleMessages() {
		if _, dup := out[m.ID]; dup {
			t.Fatalf("duplicate id %s", m.ID)
		}
		out[m.ID] = m
	}
	return out
}

func TestSampleIsDeterministic(t *testing.T) {
	a, b := SampleMessages(), SampleMessages()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two calls differ")
	}
	// A fresh generation (not the cached one) is equal too.
	if c := generate(); !reflect.DeepEqual(a, c) {
		t.Fatal("regeneration differs")
	}
}

func TestSampleShape(t *testing.T) {
	msgs := sampleByID(t)
	if len(msgs) < SampleMinMessages {
		t.Fatalf("%d messages, want >= %d", len(msgs), SampleMinMessages)
	}
	customers := map[string]crm.Customer{}
	for _, c := range crm.SampleCustomers() {
		customers[c.ID] = c
	}
	folders := map[string]int{}
	langs := map[string]int{}
	threads := map[string][]Message{}
	withCustomer := map[string]bool{}
	html, htmlOnly, attached := 0, 0, 0
	for _, m := range msgs {
		folders[m.Folder]++
		langs[m.Language]++
		threads[m.ThreadID] = append(threads[m.ThreadID], m)
		if m.BodyHTML != "" {
			html++
		}
		if m.BodyText == "" {
			htmlOnly++
		}
		if len(m.Attachments) > 0 {
			attached++
			for _, a := range m.Attachments {
				if a.ID == "" || a.Filename == "" || a.ContentType == "" || a.Size <= 0 {
					t.Errorf("%s: incomplete attachment metadata %+v", m.ID, a)
				}
			}
		}
		if m.Date.After(world.Now) {
			t.Errorf("%s dated %s, after world.Now", m.ID, m.Date)
		}
		if strings.TrimSpace(m.BodyText) == "" && strings.TrimSpace(m.BodyHTML) == "" {
			t.Errorf("%s has no body", m.ID)
		}
		if !slices.Contains(Folders, m.Folder) {
			t.Errorf("%s: folder %q", m.ID, m.Folder)
		}
		if len(m.Headers) < 10 {
			t.Errorf("%s: only %d raw headers", m.ID, len(m.Headers))
		}
		c, ok := customers[m.CustomerID]
		if !ok {
			t.Errorf("%s: customer %q is not a CRM sample customer", m.ID, m.CustomerID)
			continue
		}
		withCustomer[c.ID] = true
		// The customer side of the conversation uses the CRM email.
		if !strings.HasSuffix(m.From.Email, "@"+CompanyDomain) && !strings.EqualFold(m.From.Email, c.Email) {
			t.Errorf("%s: sender %s is neither the company nor %s's CRM email %s", m.ID, m.From.Email, c.ID, c.Email)
		}
		if m.InReplyTo != "" {
			p, ok := msgs[m.InReplyTo]
			if !ok || p.ThreadID != m.ThreadID {
				t.Errorf("%s: in_reply_to %s not in the same thread", m.ID, m.InReplyTo)
			}
		}
	}
	for _, f := range Folders {
		if folders[f] == 0 {
			t.Errorf("folder %s is empty", f)
		}
	}
	for _, l := range []string{"en", "de", "fr", "es", "ja", "zh"} {
		if langs[l] == 0 {
			t.Errorf("no %s mail", l)
		}
	}
	if len(withCustomer) < 60 {
		t.Errorf("only %d CRM customers have mail", len(withCustomer))
	}
	if html < 50 || htmlOnly < 10 || attached < 30 {
		t.Errorf("html %d, html-only %d, with attachments %d: too few", html, htmlOnly, attached)
	}
	t.Logf("%d messages in %d threads; folders %v; languages %v; html %d (only %d); attachments %d",
		len(msgs), len(threads), folders, langs, html, htmlOnly, attached)
}

func TestSampleLongThread(t *testing.T) {
	th, err := SampleStore().Thread(LongThreadID)
	if err != nil {
		t.Fatal(err)
	}
	if th.MessageCount < 16 || th.Messages[0].ID != LongThreadFirstID || th.Messages[len(th.Messages)-1].ID != LongThreadLastID {
		t.Fatalf("thread: %d messages, %s..%s", th.MessageCount, th.Messages[0].ID, th.Messages[len(th.Messages)-1].ID)
	}
	for i := 1; i < len(th.Messages); i++ {
		// Each message quotes the whole history, its predecessor included.
		_, para, _ := strings.Cut(longThreadTexts[i-1], "\n\n")
		if body := th.Messages[i].BodyText; !strings.Contains(body, "wrote:") || !strings.Contains(body, para[:40]) {
			t.Errorf("%s does not quote %s", th.Messages[i].ID, th.Messages[i-1].ID)
		}
	}
	last := th.Messages[len(th.Messages)-1]
	raw, _ := json.Marshal(last)
	if len(raw) < 20_000 {
		t.Errorf("last message is %d bytes raw, want > 20 KB", len(raw))
	}
	if strings.Count(last.BodyText, "wrote:") < 15 {
		t.Errorf("last message quotes %d messages", strings.Count(last.BodyText, "wrote:"))
	}
}

func TestSampleSpecials(t *testing.T) {
	msgs := sampleByID(t)
	get := func(id string) Message {
		m, ok := msgs[id]
		if !ok {
			t.Fatalf("missing %s", id)
		}
		return m
	}
	d := get(DemoMessageID)
	if d.CustomerID != DemoCustomerID || d.From.Email != DemoCustomerEmail || d.Read || d.Folder != FolderInbox ||
		!strings.Contains(d.BodyText, world.DemoOrderID) || d.InReplyTo != DemoOrderConfirmationID || d.Language != "es" {
		t.Errorf("demo message: %+v", d)
	}
	if m := get(InjectionForwardID); !strings.Contains(m.BodyText, InjectionForwardText) || !strings.Contains(m.BodyText, ExfilAddress) {
		t.Error("forward injection text missing")
	}
	if m := get(InjectionImageID); !strings.Contains(m.BodyText, "![]("+ExfilImageURL+")") {
		t.Error("markdown image missing")
	}
	if m := get(InjectionHiddenHTMLID); m.BodyText != "" || !strings.Contains(m.BodyHTML, "display:none") || !strings.Contains(m.BodyHTML, "email_send") {
		t.Error("hidden HTML injection missing")
	}
	if m := get(InjectionHTMLCommentID); m.BodyText != "" || !strings.Contains(m.BodyHTML, HTMLCommentInstruction) {
		t.Error("HTML comment injection missing")
	}
	if m := get(InjectionUnicodeTagID); !strings.Contains(m.BodyText, crm.TagEncode(TagInstruction)) || !strings.ContainsRune(m.Subject, 0x200b) {
		t.Error("tag-smuggling injection missing")
	}
	if m := get(HTMLTableID); m.BodyText != "" || !strings.Contains(m.BodyHTML, "<table") || !strings.Contains(m.BodyHTML, "<style") || len(m.Attachments) == 0 {
		t.Error("HTML table message")
	}
	for _, id := range SampleBenignLookalikeIDs {
		get(id)
	}
	for _, id := range SampleDraftIDs {
		if m := get(id); m.Folder != FolderDrafts || m.SentAt != nil {
			t.Errorf("%s is not an unsent draft", id)
		}
	}
	attribution := map[string]string{"de": "schrieb", "fr": "a écrit", "es": "escribió", "ja": "年", "zh": "写道"}
	for lang, id := range SampleLanguageIDs {
		m := get(id)
		body := m.BodyText
		if body == "" {
			body = m.BodyHTML
		}
		if m.Language != lang || !strings.Contains(body, attribution[lang]) && !strings.Contains(body, packs[lang].outlook.sent) {
			t.Errorf("%s (%s): language %s, no localized quote header", id, lang, m.Language)
		}
	}
}
