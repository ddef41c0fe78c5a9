// Command mock-backends serves the reference backend APIs (CRM, ...) over
// HTTP for tests and demos, with optional fixtures and fault injection.
//
//	mock-backends [--addr 127.0.0.1:9000] [--addr-file PATH] [--fixtures FILE] [--faults SPEC] [--seed N]
//	mock-backends --version
//
// Logs are JSON (log/slog) on stderr; the first line reports the bound
// address ("addr"), so --addr 127.0.0.1:0 picks a free port. --addr-file
// writes the bound address to a file once listening. SIGINT/SIGTERM shut
// down gracefully. Exit status 2 means bad flags, fixtures or faults.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	buildversion "github.com/bizmcp/bizmcp/internal/version"
	"github.com/bizmcp/bizmcp/mocks"
)

// version is set with -ldflags "-X main.version=v1.2.3".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil)
	stop()
	os.Exit(code)
}

func getVersion() string { return buildversion.Of(version) }

// run is main without the process: it returns the exit code. onListen, when
// non-nil, is called with the bound address once listening.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, onListen func(addr string)) int {
	fs := flag.NewFlagSet("mock-backends", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // help is printed once, below; errors are one line
	addr := fs.String("addr", "127.0.0.1:9000", "listen address (port 0 picks a free port)")
	addrFile := fs.String("addr-file", "", "write the bound address to this file once listening")
	fixtures := fs.String("fixtures", "", `JSON fixtures file {"crm": {"customers": [...]}, ...}; present keys replace sample data`)
	faultSpec := fs.String("faults", "", `fault SPEC, e.g. "/crm/customers/*=status:503@0.5#3; *=latency:50ms"`)
	seed := fs.Uint64("seed", 0, "seed for fault probabilities (0 = default)")
	debugLog := fs.Bool("debug", false, "log each injected fault")
	showVersion := fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: mock-backends [flags]\n\nServes the reference backend APIs (see mocks/README.md).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return 0
		}
		fmt.Fprintf(stderr, "mock-backends: %v (see --help)\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mock-backends: unexpected arguments: %v (see --help)\n", fs.Args())
		return 2
	}
	if *showVersion {
		fmt.Fprintf(stdout, "mock-backends %s\n", getVersion())
		return 0
	}

	level := slog.LevelInfo
	if *debugLog {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	fail := func(msg string, err error) int {
		log.Error(msg, "error", err.Error())
		return 2
	}

	opts := mocks.Options{Faults: *faultSpec, Seed: *seed, Logger: log}
	if *fixtures != "" {
		b, err := os.ReadFile(*fixtures)
		if err != nil {
			return fail("cannot read fixtures", err)
		}
		opts.Fixtures = b
	}
	srv, err := mocks.NewServer(opts)
	if err != nil {
		return fail("invalid configuration", err)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fail("cannot listen", err)
	}
	bound := ln.Addr().String()
	if *addrFile != "" {
		if err := writeFileAtomic(*addrFile, []byte(bound+"\n")); err != nil {
			ln.Close()
			return fail("cannot write --addr-file", err)
		}
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Info("mock-backends listening", "addr", bound, "url", "http://"+bound, "domains", srv.DomainNames(),
		"fixtures", *fixtures, "faults", srv.Faults().Spec(), "version", getVersion())
	if onListen != nil {
		onListen(bound)
	}

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fail("server failed", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	srv.Close() // release hanging requests first
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("graceful shutdown incomplete", "error", err.Error())
		_ = hs.Close()
	}
	if *addrFile != "" {
		_ = os.Remove(*addrFile)
	}
	log.Info("stopped")
	return 0
}

// writeFileAtomic writes via a temporary file and rename, so readers never
// see a partial address.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".addr-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
