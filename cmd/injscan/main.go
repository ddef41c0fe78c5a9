// Command injscan runs the prompt-injection sanitizer (shared/sanitize) over
// JSON lines, with the same code path as the MCP servers.
//
//	injscan [--allow-host HOST]... < in.jsonl > out.jsonl
//
// Each input line is {"id": <any JSON>, "text": "..."}; each output line is
// {"id": <same>, "flagged": bool, "classes": [...], "clean": "..."}, where
// clean is exactly Sanitizer.Text(text).Text. A malformed line yields
// {"id": null, "error": "line N: ..."} and processing continues. Blank lines
// are skipped. Lines may be up to 16 MiB.
//
// Allowed link hosts come from --allow-host (repeatable) merged with the
// comma-separated MCP_ALLOWED_LINK_HOSTS environment variable. The exit
// status is 0 unless stdin cannot be read (1) or the flags are wrong (2).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"strings"

	buildversion "github.com/bizmcp/bizmcp/internal/version"
	"github.com/bizmcp/bizmcp/shared/sanitize"
)

// maxLine is the longest input line accepted.
const maxLine = 16 << 20

// version is set at link time (-ldflags "-X main.version=v1.2.3"); by
// default it comes from the build info.
var version = ""

// stderr is where diagnostics go (tests replace it).
var stderr io.Writer = os.Stderr

func main() { os.Exit(run(os.Stdin, os.Stdout, os.Args[1:])) }

type hostList []string

func (h *hostList) String() string { return strings.Join(*h, ",") }

func (h *hostList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*h = append(*h, p)
		}
	}
	return nil
}

type input struct {
	ID   json.RawMessage `json:"id"`
	Text *string         `json:"text"`
}

type output struct {
	ID      json.RawMessage `json:"id"`
	Flagged bool            `json:"flagged"`
	Classes []string        `json:"classes"`
	Clean   string          `json:"clean"`
}

type errorLine struct {
	ID    json.RawMessage `json:"id"`
	Error string          `json:"error"`
}

func versionString() string { return buildversion.Of(version) }

// run is the whole command: it reads JSON lines from stdin and writes one
// result line per input line to stdout, returning the exit status.
func run(stdin io.Reader, stdout io.Writer, args []string) int {
	fs := flag.NewFlagSet("injscan", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // help is printed once, below; errors are one line
	var hosts hostList
	fs.Var(&hosts, "allow-host", "host (and its subdomains) whose links survive; repeatable; merged with $MCP_ALLOWED_LINK_HOSTS")
	showVersion := fs.Bool("version", false, "print the version and exit")
	failOnFlag := fs.Bool("fail-on-flag", false, "exit with status 1 when any line is flagged (for audit jobs); a count goes to stderr")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: injscan [--allow-host HOST]... [--fail-on-flag] < in.jsonl > out.jsonl\n\n"+
			"Reads lines {\"id\": ..., \"text\": \"...\"} and writes {\"id\", \"flagged\", \"classes\", \"clean\"}.\n"+
			"Exit status: 0 done, 1 a line was flagged (with --fail-on-flag) or stdin failed, 2 bad usage.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return 0
		}
		fmt.Fprintf(stderr, "injscan: %v (see --help)\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "injscan: unexpected argument %q (see --help)\n", fs.Arg(0))
		return 2
	}
	if *showVersion {
		fmt.Fprintf(stdout, "injscan %s\n", versionString())
		return 0
	}
	if env := os.Getenv("MCP_ALLOWED_LINK_HOSTS"); env != "" {
		_ = hosts.Set(env)
	}
	san := sanitize.New(sanitize.Options{AllowedLinkHosts: hosts})

	w := bufio.NewWriterSize(stdout, 64<<10)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	emitErr := func(n int, msg string) {
		_ = enc.Encode(errorLine{ID: json.RawMessage("null"), Error: fmt.Sprintf("line %d: %s", n, msg)})
	}

	r := bufio.NewReaderSize(stdin, 64<<10)
	flagged := 0
	for n := 1; ; n++ {
		line, tooLong, err := readLine(r)
		if err != nil && !errors.Is(err, io.EOF) {
			w.Flush()
			fmt.Fprintf(stderr, "injscan: reading stdin: %v\n", err)
			return 1
		}
		if tooLong {
			emitErr(n, fmt.Sprintf("line longer than %d bytes", maxLine))
		} else if len(bytes.TrimSpace(line)) > 0 {
			if handle(san, enc, n, line, emitErr) {
				flagged++
			}
		}
		if errors.Is(err, io.EOF) {
			if *failOnFlag && flagged > 0 {
				w.Flush()
				fmt.Fprintf(stderr, "injscan: %d line(s) flagged\n", flagged)
				return 1
			}
			return 0
		}
	}
}

// handle writes the result of one input line and reports whether it was
// flagged.
func handle(san *sanitize.Sanitizer, enc *json.Encoder, n int, line []byte, emitErr func(int, string)) bool {
	var in input
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&in); err != nil {
		emitErr(n, "invalid JSON: "+err.Error())
		return false
	}
	if dec.More() {
		emitErr(n, "invalid JSON: trailing data after the object")
		return false
	}
	if in.Text == nil {
		emitErr(n, `missing string field "text"`)
		return false
	}
	id := in.ID
	if len(id) == 0 {
		id = json.RawMessage("null")
	} else {
		var b bytes.Buffer
		if err := json.Compact(&b, id); err == nil {
			id = b.Bytes()
		}
	}
	res := san.Text(*in.Text)
	classes := res.Classes
	if classes == nil {
		classes = []string{}
	}
	_ = enc.Encode(output{ID: id, Flagged: res.Flagged, Classes: classes, Clean: res.Text})
	return res.Flagged
}

// readLine reads one line (without its "\n" or "\r\n"). A line longer
// than maxLine is skipped up to its end and reported with tooLong. err is
// io.EOF after the last line.
func readLine(r *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, e := r.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > maxLine+2 {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		switch {
		case e == nil:
			if tooLong {
				return nil, true, nil
			}
			return trimEOL(line), false, nil
		case errors.Is(e, bufio.ErrBufferFull):
			continue
		default:
			if tooLong {
				return nil, true, e
			}
			return trimEOL(line), false, e
		}
	}
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}
