package compress

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLimit(t *testing.T) {
	for _, c := range []struct{ req, want int }{{0, 10}, {-3, 10}, {5, 5}, {50, 50}, {51, 50}, {10000, 50}} {
		if got := Limit(c.req, 10, 50); got != c.want {
			t.Errorf("Limit(%d) = %d, want %d", c.req, got, c.want)
		}
	}
}

func TestCursorRoundTripAndScope(t *testing.T) {
	c := EncodeCursor(40, "q=acme")
	if off, err := DecodeCursor(c, "q=acme"); err != nil || off != 40 {
		t.Fatalf("got %d %v", off, err)
	}
	if _, err := DecodeCursor(c, "q=other"); !errors.Is(err, ErrCursor) || !strings.Contains(err.Error(), "different query") {
		t.Errorf("cursor replayed against another query: %v", err)
	}
	for _, bad := range []string{"x", "!!!", strings.Repeat("A", 100), EncodeCursor(1, "s")[:5]} {
		if _, err := DecodeCursor(bad, "s"); !errors.Is(err, ErrCursor) {
			t.Errorf("DecodeCursor(%q) = %v", bad, err)
		}
	}
	if off, err := DecodeCursor("", "s"); off != 0 || err != nil {
		t.Errorf("empty cursor: %d %v", off, err)
	}
}

func FuzzCursor(f *testing.F) {
	f.Add(EncodeCursor(3, "s"), "s")
	f.Add("AQA", "")
	f.Fuzz(func(t *testing.T, c, scope string) {
		off, err := DecodeCursor(c, scope)
		if err == nil && (off < 0 || off > 1<<31) {
			t.Fatalf("offset %d out of range", off)
		}
		if err == nil && c != "" {
			if again := EncodeCursor(off, scope); again != c {
				// Non-canonical encodings must not decode to a valid offset.
				if off2, err2 := DecodeCursor(again, scope); err2 != nil || off2 != off {
					t.Fatalf("re-encode mismatch")
				}
			}
		}
	})
}

func TestPaginate(t *testing.T) {
	lo, hi, p := Paginate(25, 20, 10, "s")
	if lo != 20 || hi != 25 || p.HasMore || p.NextCursor != "" || p.Returned != 5 || p.Total != 25 {
		t.Errorf("last page: %d %d %+v", lo, hi, p)
	}
	lo, hi, p = Paginate(25, 0, 10, "s")
	if lo != 0 || hi != 10 || !p.HasMore {
		t.Fatalf("first page: %+v", p)
	}
	if next, _ := DecodeCursor(p.NextCursor, "s"); next != 10 {
		t.Errorf("next cursor offset %d", next)
	}
	if lo, hi, _ := Paginate(5, 99, 10, "s"); lo != 5 || hi != 5 {
		t.Errorf("offset past end: %d %d", lo, hi)
	}
}

func TestTruncate(t *testing.T) {
	s := strings.Repeat("héllo ", 100)
	got, cut := Truncate(s, 50, "ask for more")
	if !cut || !strings.Contains(got, TruncMarker) || !strings.Contains(got, "ask for more") || !utf8.ValidString(got) {
		t.Fatalf("got %q", got)
	}
	if !strings.Contains(got, "550 more characters") {
		t.Errorf("marker does not count the cut: %q", got)
	}
	if got, cut := Truncate("short", 50, ""); cut || got != "short" {
		t.Errorf("short text changed: %q", got)
	}
	if got, _ := Truncate("日本語のテキスト", 3, ""); !strings.HasPrefix(got, "日本語 ") {
		t.Errorf("split a rune: %q", got)
	}
}

type rec struct {
	ID    string   `json:"id"`
	Name  string   `json:"name,omitempty"`
	Email string   `json:"email,omitempty"`
	Tags  []string `json:"tags,omitempty"`
}

func TestProject(t *testing.T) {
	r := rec{ID: "C-1", Name: "Ann", Email: "a@x", Tags: []string{"t"}}
	dropped, err := Project(&r, []string{"email"})
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "C-1" || r.Email != "a@x" || r.Name != "" || r.Tags != nil {
		t.Errorf("projected: %+v", r)
	}
	if strings.Join(dropped, ",") != "name,tags" {
		t.Errorf("dropped %v", dropped)
	}
	if _, err := Project(&r, []string{"nope"}); err == nil || !strings.Contains(err.Error(), "valid fields are: name, email, tags") {
		t.Errorf("unknown field: %v", err)
	}
	r2 := rec{ID: "C-2", Name: "B"}
	if _, err := Project(&r2, nil); err != nil || r2.Name != "B" {
		t.Errorf("empty projection changed the record")
	}
}

func TestEstimateTokens(t *testing.T) {
	if EstimateTokens(0) != 0 || EstimateTokens(4) != 1 || EstimateTokens(5) != 2 {
		t.Error("estimate")
	}
}

func BenchmarkProject(b *testing.B) {
	for b.Loop() {
		r := rec{ID: "C-1", Name: "Ann", Email: "a@x", Tags: []string{"t"}}
		Project(&r, []string{"email"})
	}
}

// Cursors are signed: one built by hand (the old unkeyed format, or a
// new-format cursor with a guessed tag) or signed with another key is
// refused.
func TestCursorCannotBeForged(t *testing.T) {
	scope := "crm_search_customers\x00acme\x00emea"
	// The old format: version 1 | offset | sha256(scope)[:8], which anyone
	// could compute.
	old := []byte{1}
	old = binary.AppendUvarint(old, 1000)
	h := sha256.Sum256([]byte(scope))
	old = append(old, h[:8]...)
	if _, err := DecodeCursor(base64.RawURLEncoding.EncodeToString(old), scope); !errors.Is(err, ErrCursor) {
		t.Errorf("unkeyed cursor accepted: %v", err)
	}
	// Take a real cursor and change its offset.
	real, _ := base64.RawURLEncoding.DecodeString(EncodeCursor(10, scope))
	real[1] = 99
	if _, err := DecodeCursor(base64.RawURLEncoding.EncodeToString(real), scope); !errors.Is(err, ErrCursor) {
		t.Errorf("altered offset accepted: %v", err)
	}
	// Another key (another server, or before a restart).
	c := EncodeCursor(10, scope)
	SetCursorKey([]byte("another key of at least thirty-two bytes"))
	defer SetCursorKey([]byte("restored key, also thirty-two bytes long"))
	if _, err := DecodeCursor(c, scope); !errors.Is(err, ErrCursor) {
		t.Errorf("cursor of another key accepted: %v", err)
	}
	// Replicas sharing a key accept each other's cursors.
	SetCursorKey([]byte("shared key of at least thirty-two bytes!"))
	c = EncodeCursor(10, scope)
	SetCursorKey([]byte("shared key of at least thirty-two bytes!"))
	if off, err := DecodeCursor(c, scope); err != nil || off != 10 {
		t.Errorf("same key: %d %v", off, err)
	}
}
