package audit

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bizmcp/bizmcp/shared/telemetry"
)

// Options configures Open.
type Options struct {
	// Sink is "stderr" (or "") or a file path, opened for appending with
	// mode 0600.
	Sink string
	// MaxBytes rotates the file before it would grow past this size;
	// MaxAge rotates it once it is this old. 0 = never.
	MaxBytes int64
	MaxAge   time.Duration
	// MaxFiles rotated files are kept, the oldest removed first; 0 = all.
	MaxFiles int
	// OTLP, when set, also sends every record as an OTLP log record (a
	// copy for a SIEM; the sink above stays the complete trail).
	OTLP *telemetry.OTLPConfig
	// Version is the server's, for the OTLP resource.
	Version string
	// Logger reports OTLP export failures.
	Logger *slog.Logger
}

// Open returns a logger writing to sink: "stderr" (or "") or a file path
// (see OpenWith). The closer closes the file.
func Open(server, sink string, stderr io.Writer) (*Logger, io.Closer, error) {
	return OpenWith(server, Options{Sink: sink}, stderr)
}

// OpenWith returns a logger for o. On stderr every process starts a new
// chain. A file continues the chain of its last record (across restarts),
// and rotation renames it to <path>.<UTC time> and goes on in a new file
// at <path>, the chain continuing: `bizmcp-audit verify` takes the rotated
// files and the current one in order (RotatedFiles lists them). If the
// file's last line is not a record (a crash cut it), a new chain starts.
func OpenWith(server string, o Options, stderr io.Writer) (*Logger, io.Closer, error) {
	var (
		l      *Logger
		closer io.Closer = io.NopCloser(nil)
	)
	if o.Sink == "" || o.Sink == "stderr" {
		l = New(server, stderr)
	} else {
		fs := &fileSink{o: o, now: time.Now}
		if err := fs.open(); err != nil {
			return nil, nil, fmt.Errorf("audit log %s: %w", o.Sink, err)
		}
		l, closer = New(server, fs), fs
		if h, ok := lastHeader(o.Sink); ok {
			l.chain, l.seq, l.prev = h.Chain, h.Seq+1, h.Hash
		}
	}
	if o.OTLP != nil {
		lw := telemetry.NewLogWriter(*o.OTLP, server, o.Version, "bizmcp.audit", o.Logger)
		l.w = io.MultiWriter(l.w, lw) // lw never fails or blocks
		closer = closers{closer, lw}
	}
	return l, closer, nil
}

// closers closes each in order.
type closers []io.Closer

func (cs closers) Close() error {
	var first error
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func newChainID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type tail struct {
	Chain string `json:"chain"`
	Seq   uint64 `json:"seq"`
	Hash  string `json:"hash"`
}

// lastHeader reads the chain position of the last record of path.
func lastHeader(path string) (tail, bool) {
	f, err := os.Open(path)
	if err != nil {
		return tail{}, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return tail{}, false
	}
	const window = 64 << 10 // a record is far smaller
	off := max(st.Size()-window, 0)
	buf := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil && err != io.EOF {
		return tail{}, false
	}
	buf = bytes.TrimRight(buf, "\n")
	if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
		buf = buf[i+1:]
	}
	var t tail
	if json.Unmarshal(buf, &t) != nil || t.Chain == "" || len(t.Hash) != 64 {
		return tail{}, false
	}
	return t, true
}

// fileSink is an append-only file with size and age rotation.
type fileSink struct {
	o      Options
	now    func() time.Time
	mu     sync.Mutex
	f      *os.File
	size   int64
	opened time.Time
}

func (s *fileSink) open() error {
	f, err := os.OpenFile(s.o.Sink, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	s.f, s.size, s.opened = f, st.Size(), s.now()
	return nil
}

// Write appends one record, rotating first when it is due.
func (s *fileSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return 0, os.ErrClosed
	}
	if s.size > 0 && ((s.o.MaxBytes > 0 && s.size+int64(len(p)) > s.o.MaxBytes) || (s.o.MaxAge > 0 && s.now().Sub(s.opened) >= s.o.MaxAge)) {
		if err := s.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := s.f.Write(p)
	s.size += int64(n)
	return n, err
}

// rotatedSuffix sorts in time order.
const rotatedSuffix = "20060102T150405.000000000Z"

func (s *fileSink) rotate() error {
	if err := s.f.Close(); err != nil {
		return err
	}
	s.f = nil
	if err := os.Rename(s.o.Sink, s.o.Sink+"."+s.now().UTC().Format(rotatedSuffix)); err != nil {
		return err
	}
	if err := s.open(); err != nil {
		return err
	}
	if s.o.MaxFiles > 0 {
		old := RotatedFiles(s.o.Sink)
		for len(old) > s.o.MaxFiles {
			os.Remove(old[0])
			old = old[1:]
		}
	}
	return nil
}

// Close closes the file.
func (s *fileSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

// RotatedFiles lists the rotated files of the audit log at path, oldest
// first (the current file, path itself, is not included).
func RotatedFiles(path string) []string {
	m, _ := filepath.Glob(path + ".*")
	var out []string
	for _, f := range m {
		if _, err := time.Parse(rotatedSuffix, strings.TrimPrefix(f, path+".")); err == nil {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}
