package mcpkit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/bizmcp/bizmcp/shared/backend"
	"github.com/bizmcp/bizmcp/shared/compress"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestCompleteFrom(t *testing.T) {
	got, err := CompleteFrom([]string{"fedex", "dhl", "ups", "usps"})(context.Background(), nil, "U")
	if err != nil || !slices.Equal(got, []string{"ups", "usps"}) {
		t.Errorf("CompleteFrom: %v %v", got, err)
	}
}

func TestIDPrefix(t *testing.T) {
	for _, c := range []struct {
		in, kind, pre string
		ok            bool
	}{
		{"482", "ORD", "ORD-482", true},
		{"ord-4", "ORD", "ORD-4", true},
		{"or", "ORD", "OR", true},
		{"", "C", "", true},
		{"x1", "C", "X1", false},
		{"T-5", "C", "T-5", false},
	} {
		if pre, ok := IDPrefix(c.in, c.kind); pre != c.pre || ok != c.ok {
			t.Errorf("IDPrefix(%q, %q) = %q, %v; want %q, %v", c.in, c.kind, pre, ok, c.pre, c.ok)
		}
	}
}

func TestScanPages(t *testing.T) {
	var offsets []int
	fetch := func(total int) func(int) (int, int, error) {
		offsets = nil
		return func(offset int) (int, int, error) {
			offsets = append(offsets, offset)
			return min(10, max(0, total-offset)), total, nil
		}
	}
	for _, c := range []struct {
		total int
		want  []int
	}{{0, []int{0}}, {25, []int{0, 10, 20}}, {30, []int{0, 10, 20}}, {1000, []int{0, 10, 20, 30}}} {
		if err := ScanPages(10, 40, fetch(c.total)); err != nil || !slices.Equal(offsets, c.want) {
			t.Errorf("total %d: offsets %v (%v), want %v", c.total, offsets, err, c.want)
		}
	}
	boom := errors.New("boom")
	if err := ScanPages(10, 40, func(int) (int, int, error) { return 0, 0, boom }); err != boom {
		t.Errorf("error: %v", err)
	}
}

func TestClip(t *testing.T) {
	if got := Clip("héllo wörld", 5); got != "héllo…" {
		t.Errorf("Clip: %q", got)
	}
	if got := Clip("short", 5); got != "short" {
		t.Errorf("Clip: %q", got)
	}
}

func TestPageLine(t *testing.T) {
	more := compress.Page{Returned: 10, Total: 42, HasMore: true, NextCursor: "abc"}
	if got, want := PageLine(more, "orders"), `showing 10 of 42 orders; more available: call again with cursor="abc"`; got != want {
		t.Errorf("PageLine: %q, want %q", got, want)
	}
	if got, want := PageLine(compress.Page{Returned: 3, Total: 3}, ""), "showing 3 of 3"; got != want {
		t.Errorf("PageLine: %q, want %q", got, want)
	}
}

func TestNotFound(t *testing.T) {
	shown := errors.New("not found in the CRM")
	if err := NotFound(shown); !IsNotFound(err) || err.Error() != shown.Error() || !errors.Is(err, shown) {
		t.Errorf("NotFound: %v", err)
	}
	if IsNotFound(shown) || IsNotFound(nil) {
		t.Error("IsNotFound of an unmarked error")
	}
	wrapped := fmt.Errorf("GET: %w", &backend.Error{Kind: backend.KindNotFound})
	if err := LookupError(wrapped, shown); !IsNotFound(err) || err.Error() != shown.Error() {
		t.Errorf("LookupError(not found): %v", err)
	}
	if err := LookupError(&backend.Error{Kind: backend.KindUnavailable}, shown); IsNotFound(err) || err != shown {
		t.Errorf("LookupError(unavailable): %v", err)
	}
}

func TestAddDocs(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "s", Version: "1"}, nil)
	AddDocs(srv, Doc{Name: "a", Title: "A", URI: "x://docs/a", Description: "doc a", Text: "# A"},
		Doc{Name: "b", Title: "B", URI: "x://docs/b", Description: "doc b", Text: "# B"})
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close(); ss.Wait() })
	list, err := cs.ListResources(ctx, nil)
	if err != nil || len(list.Resources) != 2 {
		t.Fatalf("resources: %+v %v", list, err)
	}
	res, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "x://docs/b"})
	if err != nil || res.Contents[0].Text != "# B" || res.Contents[0].MIMEType != "text/markdown" {
		t.Fatalf("read: %+v %v", res, err)
	}
}
