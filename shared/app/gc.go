package app

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// gcHeadroom is the collector's setting unless GOGC is set: after every
// cycle GOGC becomes max(100, 100 x gcFloor / live heap), so the heap may
// grow by at least gcFloor bytes between cycles. At rest and under light
// load (a live heap of 3-8 MB) that is GOGC 200-500: the SDK allocates a
// few hundred KB per call, and fewer cycles cost less CPU. Under a burst
// (hundreds of calls in flight, a live heap of 30 MB and more) it is the
// Go default, GOGC=100, the same peak a plain go-sdk server reaches for
// the same live heap. Measured with benchreport (README, Performance).
type gcHeadroom struct {
	floor  uint64
	sample []metrics.Sample
	last   int
	// stopped ends the re-arming (tests); tuned, when set, is told each
	// setting after a cycle (tests).
	stopped atomic.Bool
	tuned   func(percent int)
}

// gcFloor is the smallest growth of the heap between two collections.
const gcFloor = 16 << 20

// startGCHeadroom sets GOGC from the live heap after every collection,
// from now on (a finalizer on an object made unreachable each cycle runs
// after that cycle, as bytedance's gctuner does). tune runs here once and
// then only on the finalizer goroutine, one call at a time.
func startGCHeadroom(floor uint64) {
	g := newGCHeadroom(floor)
	g.tune()
	g.arm()
}

func newGCHeadroom(floor uint64) *gcHeadroom {
	return &gcHeadroom{floor: floor, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}, last: -1}
}

type gcSentinel struct{ _ [16]byte }

func (g *gcHeadroom) arm() {
	runtime.SetFinalizer(new(gcSentinel), func(*gcSentinel) {
		if g.stopped.Load() {
			return
		}
		p := g.tune()
		g.arm() // before telling a test, whose next runtime.GC must find it
		if g.tuned != nil {
			g.tuned(p)
		}
	})
}

// percent is the GOGC for a live heap of live bytes.
func (g *gcHeadroom) percent(live uint64) int {
	if live == 0 {
		return 500
	}
	return min(500, max(100, int(100*g.floor/live)))
}

func (g *gcHeadroom) tune() int {
	metrics.Read(g.sample)
	var live uint64
	if g.sample[0].Value.Kind() == metrics.KindUint64 {
		live = g.sample[0].Value.Uint64()
	}
	p := g.percent(live)
	if p != g.last {
		debug.SetGCPercent(p)
		g.last = p
	}
	return p
}
