// Command gencorpus turns the hand-written corpus sources in
// testdata/corpus/src/{tune,holdout}/*.txt into the JSON-lines corpus in
// testdata/corpus/ that the evaluation reads. Run it from shared/sanitize
// (go generate does).
//
// Source format: "@label X", "@class X" and "@lang X" lines set defaults
// for the cases that follow (and end the case before them); "--- ID [LANG]" starts a case; the case text is
// every line up to the next "---" header, with trailing blank lines
// trimmed. Lines starting with '#' before the first case are comments.
//
// Only character-level transformations are generated, by markup inside the
// text:
//
//	{{tags:T}}   T mirrored into Unicode tag characters (U+E0020–E007E)
//	{{zw:T}}     zero-width characters (ZWSP, ZWNJ, ZWJ, WJ, BOM, SHY) between letters
//	{{homo:T}}   Latin letters swapped for Cyrillic look-alikes
//	{{greek:T}}  Latin letters swapped for Greek look-alikes
//	{{full:T}}   fullwidth forms
//	{{math:T}}   mathematical bold letters
//	{{b64:T}}    base64;  {{hex:T}} hex;  {{rot13:T}} ROT13;  {{rev:T}} reversed
//	{{rlo:T}}    right-to-left override + T reversed + pop (renders as T)
//	{{vs:T}}     T's bytes as variation selectors (emoji smuggling)
//	{{zwbin:T}}  T's bits as ZWSP/ZWNJ runs
//	{{pct:T}}    percent-encoded;  {{ent:T}} HTML numeric entities
//	{{u:HEX}}    one code point, e.g. {{u:1b}} for ESC
//	{{rot3:T}} {{rot7:T}}  Caesar shifts;  {{morse:T}}  Morse code
//	{{leet:T}}   leetspeak (a→4 e→3 i→1 o→0 s→5 t→7)
//	{{ansi:T}}   an ANSI reset (ESC [0m) between letters of each word
//	{{bidi:T}}   bidi isolates/embeddings between letters of each word
//
// A line "@keep TEXT" inside a case is not part of its text: it adds TEXT
// (after markup) to the case's must_keep list.
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

type caseJSON struct {
	ID       string   `json:"id"`
	Label    string   `json:"label"`
	Class    string   `json:"class"`
	Lang     string   `json:"lang"`
	Split    string   `json:"split"`
	Text     string   `json:"text"`
	MustKeep []string `json:"must_keep,omitempty"`
}

func main() {
	root := "testdata/corpus"
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	seen := map[string]string{}
	for _, split := range []string{"tune", "holdout"} {
		files, _ := filepath.Glob(filepath.Join(root, "src", split, "*.txt"))
		sort.Strings(files)
		for _, f := range files {
			cases, err := parse(f, split)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			for _, c := range cases {
				if prev, dup := seen[c.ID]; dup {
					fmt.Fprintf(os.Stderr, "%s: duplicate id %s (also in %s)\n", f, c.ID, prev)
					os.Exit(1)
				}
				seen[c.ID] = f
			}
			out := filepath.Join(root, split+"-"+strings.TrimSuffix(filepath.Base(f), ".txt")+".jsonl")
			if err := write(out, cases); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			fmt.Fprintf(os.Stderr, "%s: %d cases\n", out, len(cases))
		}
	}
}

func write(path string, cases []caseJSON) error {
	var b strings.Builder
	for _, c := range cases {
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(c); err != nil {
			return err
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

var markupRE = regexp.MustCompile(`\{\{(tags|zw|homo|greek|full|math|b64|hex|rot13|rot3|rot7|morse|leet|ansi|bidi|rev|rlo|vs|zwbin|pct|ent|u):(.*?)\}\}`)

func parse(path, split string) ([]caseJSON, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var (
		cases    []caseJSON
		cur      *caseJSON
		lines    []string
		defaults = map[string]string{}
		lineNo   int
	)
	flush := func() error {
		if cur == nil {
			return nil
		}
		for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
			lines = lines[:len(lines)-1]
		}
		text := strings.Join(lines, "\n")
		if text == "" {
			return fmt.Errorf("%s: case %s has no text", path, cur.ID)
		}
		cur.Text = markupRE.ReplaceAllStringFunc(text, func(m string) string {
			sm := markupRE.FindStringSubmatch(m)
			return transform(sm[1], sm[2])
		})
		if cur.Label != "attack" && cur.Label != "benign" {
			return fmt.Errorf("%s: case %s: bad label %q", path, cur.ID, cur.Label)
		}
		cases = append(cases, *cur)
		cur, lines = nil, nil
		return nil
	}
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lineNo++
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "--- "):
			if err := flush(); err != nil {
				return nil, err
			}
			f := strings.Fields(l[4:])
			if len(f) == 0 {
				return nil, fmt.Errorf("%s:%d: case header without id", path, lineNo)
			}
			c := caseJSON{ID: f[0], Label: defaults["label"], Class: defaults["class"], Lang: defaults["lang"], Split: split}
			if len(f) > 1 {
				c.Lang = f[1]
			}
			if c.Lang == "" {
				c.Lang = "en"
			}
			cur = &c
		case strings.HasPrefix(l, "@label ") || strings.HasPrefix(l, "@class ") || strings.HasPrefix(l, "@lang "):
			if err := flush(); err != nil {
				return nil, err
			}
			k, v, _ := strings.Cut(l[1:], " ")
			defaults[k] = strings.TrimSpace(v)
		case cur == nil && strings.HasPrefix(l, "#"):
		case cur == nil && strings.TrimSpace(l) == "":
		case cur == nil:
			return nil, fmt.Errorf("%s:%d: text outside a case", path, lineNo)
		case strings.HasPrefix(l, "@keep "):
			k := markupRE.ReplaceAllStringFunc(l[6:], func(m string) string {
				sm := markupRE.FindStringSubmatch(m)
				return transform(sm[1], sm[2])
			})
			cur.MustKeep = append(cur.MustKeep, k)
		default:
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return cases, nil
}

var (
	cyr   = map[rune]rune{'a': 'а', 'c': 'с', 'e': 'е', 'i': 'і', 'o': 'о', 'p': 'р', 's': 'ѕ', 'x': 'х', 'y': 'у', 'j': 'ј', 'h': 'һ', 'A': 'А', 'B': 'В', 'C': 'С', 'E': 'Е', 'H': 'Н', 'I': 'І', 'K': 'К', 'M': 'М', 'O': 'О', 'P': 'Р', 'T': 'Т', 'X': 'Х', 'Y': 'У'}
	greek = map[rune]rune{'a': 'α', 'o': 'ο', 'i': 'ι', 'v': 'ν', 'p': 'ρ', 'u': 'υ', 'k': 'κ', 't': 'τ', 'n': 'η', 'x': 'χ', 'A': 'Α', 'B': 'Β', 'E': 'Ε', 'H': 'Η', 'I': 'Ι', 'K': 'Κ', 'M': 'Μ', 'N': 'Ν', 'O': 'Ο', 'P': 'Ρ', 'T': 'Τ', 'X': 'Χ', 'Y': 'Υ', 'Z': 'Ζ'}
	zws   = []rune{0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x00ad}
)

func mapRunes(s string, m map[rune]rune) string {
	return strings.Map(func(r rune) rune {
		if v, ok := m[r]; ok {
			return v
		}
		return r
	}, s)
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

var morse = map[rune]string{
	'a': ".-", 'b': "-...", 'c': "-.-.", 'd': "-..", 'e': ".", 'f': "..-.", 'g': "--.", 'h': "....", 'i': "..", 'j': ".---",
	'k': "-.-", 'l': ".-..", 'm': "--", 'n': "-.", 'o': "---", 'p': ".--.", 'q': "--.-", 'r': ".-.", 's': "...", 't': "-",
	'u': "..-", 'v': "...-", 'w': ".--", 'x': "-..-", 'y': "-.--", 'z': "--..", '0': "-----", '1': ".----", '2': "..---",
	'3': "...--", '4': "....-", '5': ".....", '6': "-....", '7': "--...", '8': "---..", '9': "----.",
}

func transform(op, t string) string {
	var b strings.Builder
	switch op {
	case "tags":
		for _, r := range t {
			if r >= 0x20 && r <= 0x7e {
				b.WriteRune(0xe0000 + r)
			}
		}
	case "zw":
		n := 0
		prevLetter := false
		for _, r := range t {
			letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
			if letter && prevLetter {
				b.WriteRune(zws[n%len(zws)])
				n++
			}
			b.WriteRune(r)
			prevLetter = letter
		}
	case "homo":
		return mapRunes(t, cyr)
	case "greek":
		return mapRunes(t, greek)
	case "full":
		for _, r := range t {
			if r > 0x20 && r < 0x7f {
				r += 0xfee0
			}
			b.WriteRune(r)
		}
	case "math":
		for _, r := range t {
			switch {
			case r >= 'a' && r <= 'z':
				r = 0x1d41a + r - 'a'
			case r >= 'A' && r <= 'Z':
				r = 0x1d400 + r - 'A'
			}
			b.WriteRune(r)
		}
	case "b64":
		return base64.StdEncoding.EncodeToString([]byte(t))
	case "hex":
		return hex.EncodeToString([]byte(t))
	case "rot13":
		for _, r := range t {
			switch {
			case r >= 'a' && r <= 'z':
				r = 'a' + (r-'a'+13)%26
			case r >= 'A' && r <= 'Z':
				r = 'A' + (r-'A'+13)%26
			}
			b.WriteRune(r)
		}
	case "rot3", "rot7":
		n := rune(3)
		if op == "rot7" {
			n = 7
		}
		for _, r := range t {
			switch {
			case r >= 'a' && r <= 'z':
				r = 'a' + (r-'a'+n)%26
			case r >= 'A' && r <= 'Z':
				r = 'A' + (r-'A'+n)%26
			}
			b.WriteRune(r)
		}
	case "morse":
		for i, r := range strings.ToLower(t) {
			if r == ' ' {
				b.WriteString(" /")
				continue
			}
			if code, ok := morse[r]; ok {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(code)
			}
		}
		return strings.TrimSpace(b.String())
	case "leet":
		return strings.NewReplacer("a", "4", "e", "3", "i", "1", "o", "0", "s", "5", "t", "7").Replace(t)
	case "ansi", "bidi":
		seps := []string{"\x1b[0m", "\x1b[1m", "\x1b[22m"}
		if op == "bidi" {
			seps = []string{"\u2066", "\u2069", "\u202a", "\u202c"}
		}
		n := 0
		prevLetter := false
		for _, r := range t {
			letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
			if letter && prevLetter && n%2 == 0 {
				b.WriteString(seps[(n/2)%len(seps)])
			}
			if letter && prevLetter {
				n++
			}
			b.WriteRune(r)
			prevLetter = letter
		}
	case "rev":
		return reverse(t)
	case "rlo":
		return "\u202e" + reverse(t) + "\u202c"
	case "vs":
		for _, c := range []byte(t) {
			if c < 16 {
				b.WriteRune(0xfe00 + rune(c))
			} else {
				b.WriteRune(0xe0100 + rune(c) - 16)
			}
		}
	case "zwbin":
		for _, c := range []byte(t) {
			for i := 7; i >= 0; i-- {
				if c>>i&1 == 1 {
					b.WriteRune(0x200c)
				} else {
					b.WriteRune(0x200b)
				}
			}
		}
	case "pct":
		for _, c := range []byte(t) {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	case "ent":
		for _, r := range t {
			fmt.Fprintf(&b, "&#%d;", r)
		}
	case "u":
		v, err := strconv.ParseUint(t, 16, 32)
		if err != nil {
			panic("bad {{u:" + t + "}}")
		}
		b.WriteRune(rune(v))
	}
	return b.String()
}
