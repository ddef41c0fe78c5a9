package sanitize

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

func cpuNow() time.Duration {
	var r syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

func TestZZCPU(t *testing.T) {
	s := New(Options{Nonce: "deadbeef", AllowedLinkHosts: []string{"acme.example"}})
	for _, in := range []string{benchShort, benchNote, benchMail} {
		n := 200000/len(in) + 3
		c0 := cpuNow()
		w0 := time.Now()
		for i := 0; i < n; i++ {
			s.Text(in)
		}
		fmt.Printf("len=%d cpu/op=%v wall/op=%v\n", len(in), (cpuNow()-c0)/time.Duration(n), time.Since(w0)/time.Duration(n))
	}
}
