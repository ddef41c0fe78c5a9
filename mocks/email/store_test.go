package email

import (
	"errors"
	"testing"
	"time"
)

func testStore(t *testing.T) *Store {
	t.Helper()
	s := SampleStore()
	s.SetClock(func() time.Time { return time.Date(2026, 2, 24, 16, 0, 0, 0, time.UTC) })
	return s
}

func TestSearchFilters(t *testing.T) {
	s := testStore(t)
	yes := true
	for name, tc := range map[string]struct {
		q     Query
		check func(Message) bool
	}{
		"folder":      {Query{Folder: FolderSent}, func(m Message) bool { return m.Folder == FolderSent }},
		"from":        {Query{From: "costa-consultores"}, func(m Message) bool { return m.From.Email == DemoCustomerEmail }},
		"customer":    {Query{CustomerID: "C-1007"}, func(m Message) bool { return m.CustomerID == "C-1007" }},
		"thread":      {Query{ThreadID: LongThreadID}, func(m Message) bool { return m.ThreadID == LongThreadID }},
		"words":       {Query{Q: "ORD-48291 pedido"}, func(m Message) bool { return m.ID == DemoMessageID }},
		"attachments": {Query{HasAttachments: &yes, Limit: 100}, func(m Message) bool { return len(m.Attachments) > 0 }},
		"dates": {Query{After: time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC), Before: time.Date(2026, 2, 21, 0, 0, 0, 0, time.UTC)},
			func(m Message) bool { return m.Date.Day() == 20 && m.Date.Month() == 2 }},
	} {
		page, total, err := s.Search(tc.q)
		if err != nil || total == 0 || len(page) == 0 {
			t.Errorf("%s: %d hits of %d, %v", name, len(page), total, err)
			continue
		}
		for i, m := range page {
			if !tc.check(m) {
				t.Errorf("%s: unexpected hit %s", name, m.ID)
			}
			if i > 0 && m.Date.After(page[i-1].Date) {
				t.Errorf("%s: not newest first", name)
			}
		}
	}
	all, total, _ := s.Search(Query{Limit: MaxLimit})
	if total != s.Len() || len(all) != MaxLimit {
		t.Errorf("all: %d of %d", len(all), total)
	}
	for _, q := range []Query{{Limit: -1}, {Limit: MaxLimit + 1}, {Offset: -1}, {Folder: "spam"}} {
		var ve *ValidationError
		if _, _, err := s.Search(q); !errors.As(err, &ve) {
			t.Errorf("%+v: %v", q, err)
		}
	}
}

func TestSendIsIdempotent(t *testing.T) {
	s := testStore(t)
	c := Compose{To: []string{"marcus.lee@bizmcp.example"}, Subject: "Follow-up", BodyText: "Hello", InReplyTo: DemoMessageID}
	m1, replayed, err := s.Send(c, "key-1")
	if err != nil || replayed || m1.Folder != FolderSent || m1.SentAt == nil || m1.ThreadID != DemoThreadID {
		t.Fatalf("%+v %v %v", m1, replayed, err)
	}
	m2, replayed, err := s.Send(c, "key-1")
	if err != nil || !replayed || m2.ID != m1.ID {
		t.Fatalf("replay: %+v %v %v", m2, replayed, err)
	}
	c2 := c
	c2.BodyText = "Hello again"
	if _, _, err := s.Send(c2, "key-1"); !errors.Is(err, ErrIdempotencyConflict) {
		t.Errorf("same key, other body: %v", err)
	}
	if d := s.Deliveries(); len(d) != 1 || d[0].MessageID != m1.ID || d[0].IdempotencyKey != "key-1" {
		t.Errorf("deliveries: %+v", d)
	}
	// Without a key every call sends.
	s.Send(c2, "")
	s.Send(c2, "")
	if n := len(s.Deliveries()); n != 3 {
		t.Errorf("%d deliveries", n)
	}
}

func TestComposeValidation(t *testing.T) {
	s := testStore(t)
	for name, c := range map[string]Compose{
		"no recipients": {Subject: "x", BodyText: "y"},
		"bad address":   {To: []string{"not an address"}, Subject: "x", BodyText: "y"},
		"no body":       {To: []string{"a@bizmcp.example"}, Subject: "x"},
		"two lines":     {To: []string{"a@bizmcp.example"}, Subject: "x\ny", BodyText: "y"},
		"foreign from":  {From: "ceo@other.example", To: []string{"a@bizmcp.example"}, Subject: "x", BodyText: "y"},
	} {
		var ve *ValidationError
		if _, _, err := s.Send(c, ""); !errors.As(err, &ve) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, _, err := s.Send(Compose{To: []string{"a@bizmcp.example"}, Subject: "x", BodyText: "y", InReplyTo: "M-999"}, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown in_reply_to: %v", err)
	}
	if n := len(s.Deliveries()); n != 0 {
		t.Errorf("%d deliveries after rejected sends", n)
	}
}

func TestDrafts(t *testing.T) {
	s := testStore(t)
	d, replayed, err := s.CreateDraft(Compose{To: []string{DemoCustomerEmail}, BodyText: "Hola Santiago", InReplyTo: DemoMessageID}, "d-1")
	if err != nil || replayed || d.Folder != FolderDrafts || d.Subject != "Re: Order confirmation ORD-48291" || d.ThreadID != DemoThreadID {
		t.Fatalf("%+v %v", d, err)
	}
	again, replayed, _ := s.CreateDraft(Compose{To: []string{DemoCustomerEmail}, BodyText: "Hola Santiago", InReplyTo: DemoMessageID}, "d-1")
	if !replayed || again.ID != d.ID {
		t.Errorf("draft not replayed")
	}
	sent, replayed, err := s.SendDraft(d.ID, "s-1")
	if err != nil || replayed || sent.ID != d.ID || sent.Folder != FolderSent {
		t.Fatalf("%+v %v", sent, err)
	}
	if _, replayed, err := s.SendDraft(d.ID, "s-1"); err != nil || !replayed {
		t.Errorf("replay: %v %v", replayed, err)
	}
	if _, _, err := s.SendDraft(d.ID, "s-2"); !errors.Is(err, ErrNotDraft) {
		t.Errorf("second send with a new key: %v", err)
	}
	if _, _, err := s.SendDraft(DemoMessageID, ""); !errors.Is(err, ErrNotDraft) {
		t.Errorf("send an inbox message: %v", err)
	}
	if _, _, err := s.SendDraft("M-1", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown draft: %v", err)
	}
	if n := len(s.Deliveries()); n != 1 {
		t.Errorf("%d deliveries", n)
	}
	// Drafts may lack recipients; sending them may not.
	e, _, err := s.CreateDraft(Compose{Subject: "notes"}, "")
	if err != nil {
		t.Fatal(err)
	}
	var ve *ValidationError
	if _, _, err := s.SendDraft(e.ID, ""); !errors.As(err, &ve) {
		t.Errorf("empty draft sent: %v", err)
	}
}

func TestReplaceAndMailbox(t *testing.T) {
	s := testStore(t)
	mb := s.Mailbox()
	if mb.Address != MailboxAddress || len(mb.Folders) != len(Folders) {
		t.Fatalf("%+v", mb)
	}
	s.Replace(SampleMailbox(), []Message{{ID: "M-7", ThreadID: "T-3", Folder: FolderInbox, From: Address{Email: "a@b.example"}, BodyText: "hi"}})
	if s.Len() != 1 {
		t.Fatal(s.Len())
	}
	m, _, err := s.Send(Compose{To: []string{"a@b.example"}, Subject: "x", BodyText: "y"}, "")
	if err != nil || m.ID != "M-8" || m.ThreadID != "T-4" {
		t.Errorf("ids continue after the data set: %s %s %v", m.ID, m.ThreadID, err)
	}
}
