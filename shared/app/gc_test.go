package app

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestGCHeadroomPercent(t *testing.T) {
	g := newGCHeadroom(16 << 20)
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 500},            // before the first cycle
		{1 << 20, 500},      // capped
		{16 << 20 / 5, 500}, // 3.2 MB: 500
		{4 << 20, 400},      // 4 MB live: room for 16 MB more
		{8 << 20, 200},      // 8 MB: 200
		{16 << 20, 100},     // the floor: the Go default
		{64 << 20, 100},     // a burst: never under 100
	} {
		if got := g.percent(c.live); got != c.want {
			t.Errorf("percent(%d MB) = %d, want %d", c.live>>20, got, c.want)
		}
	}
}

// TestGCHeadroomTunes checks that a collection sets GOGC from the live
// heap: a 40 MB live heap against a 16 MB floor gives the default 100, and
// once it is dropped the next cycles give more room.
func TestGCHeadroomTunes(t *testing.T) {
	old := debug.SetGCPercent(100)
	g := newGCHeadroom(16 << 20)
	tuned := make(chan int, 16)
	g.tuned = func(p int) {
		select {
		case tuned <- p:
		default:
		}
	}
	t.Cleanup(func() {
		g.stopped.Store(true)
		debug.SetGCPercent(old)
	})
	g.arm()
	ballast := make([]byte, 40<<20)
	for i := range ballast {
		ballast[i] = byte(i)
	}
	runtime.GC() // the sentinel becomes unreachable in this cycle
	if p := <-tuned; p != 100 {
		t.Errorf("GOGC with 40 MB live = %d, want 100", p)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("debug.SetGCPercent reported %d after tuning, want 100", got)
	}
	runtime.KeepAlive(ballast)
	ballast = nil
	for range 3 {
		runtime.GC()
		if p := <-tuned; p > 100 {
			return
		}
	}
	t.Error("GOGC stayed at 100 after the 40 MB were dropped")
}
