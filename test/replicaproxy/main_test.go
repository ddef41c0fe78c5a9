package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRoundRobin(t *testing.T) {
	var urls []string
	for i := range 2 {
		b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "replica-%d", i)
		}))
		defer b.Close()
		urls = append(urls, b.URL)
	}
	h, err := newHandler(urls, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	p := httptest.NewServer(h)
	defer p.Close()
	var got []string
	for range 4 {
		resp, err := http.Post(p.URL+"/mcp", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got = append(got, string(b))
	}
	if fmt.Sprint(got) != "[replica-0 replica-1 replica-0 replica-1]" {
		t.Fatalf("requests went to %v, want strict alternation", got)
	}
	resp, err := http.Get(p.URL + "/_proxy/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Backends []struct{ Requests, Errors int64 }
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	for i, b := range st.Backends {
		if b.Requests != 2 || b.Errors != 0 {
			t.Errorf("backend %d: %+v, want 2 requests and no errors", i, b)
		}
	}
}

func TestNeedsTwoBackends(t *testing.T) {
	if _, err := newHandler([]string{"http://127.0.0.1:1"}, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("one backend accepted")
	}
}
