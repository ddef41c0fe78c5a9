package sanitize

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// Class names reported in Result.Classes.
const (
	ClassInstructionOverride = "instruction_override"
	ClassRoleMarker          = "role_marker"
	ClassToolCallRequest     = "tool_call_request"
	ClassDataExfiltration    = "data_exfiltration"
	ClassExfilLink           = "exfil_link"
	ClassHiddenHTML          = "hidden_html"
	ClassUnicodeSmuggling    = "unicode_smuggling"
	ClassEncodedPayload      = "encoded_payload"
	ClassAddressedToAI       = "addressed_to_ai"
	ClassMultilingual        = "multilingual"
	// Informational classes: they never flag by themselves.
	ClassInvisibleChars = "invisible_chars"
	ClassLinkRemoved    = "link_removed"
)

const (
	clsOverride = iota
	clsRole
	clsTool
	clsExfil
	clsExfilLink
	clsHidden
	clsSmuggling
	clsEncoded
	clsAddressed
	clsMultilingual
	clsInvisible
	clsLinkRemoved
	numClasses
)

var classNames = [numClasses]string{
	ClassInstructionOverride, ClassRoleMarker, ClassToolCallRequest, ClassDataExfiltration,
	ClassExfilLink, ClassHiddenHTML, ClassUnicodeSmuggling, ClassEncodedPayload,
	ClassAddressedToAI, ClassMultilingual, ClassInvisibleChars, ClassLinkRemoved,
}

// Threshold is the score at which text is flagged. Each rule that fires
// adds its weight once; strong rules weigh 1, weak hints 0.2–0.6, so weak
// hints flag only together.
const Threshold = 1.0

// Which folded copy a rule matches.
const (
	cLatin = iota
	cNative
	cLines
	cCJK
)

// rule is one detection pattern. Triggers are words (for the words
// copies) or substrings (lines, CJK) of which one must occur; the regexp
// then runs only on windows around the occurrences, which keeps detection
// linear and cheap.
type rule struct {
	name  string
	class int
	w     float64
	copy  int
	trig  []string
	// pattern is compiled on first use (re, anch): most rules never run for
	// most texts, and compiling all of them at start cost 30 ms and 16 MB.
	pattern  string
	once     sync.Once
	anchOnce sync.Once
	re       *ruleProg
	adjust   func(m *match) float64 // optional: weight of one match (0 = ignore)
	// need, when set, is a second word list (words copies only): one of
	// its words must also occur in the window, or the regexp is not run.
	need map[string]bool
	// gate, when set, must accept the copies before the rule runs at all.
	gate func(c *copies) bool
	// starts, when set, are the words a match can start with (see
	// anchor.go); anch is the pattern anchored at the start of its input,
	// run by backtrack.go's search.
	starts map[string]bool
	anch   *ruleProg
	// startIDs and needIDs are starts and need as vocabulary bitsets.
	startIDs, needIDs bitset
	// required holds the literals a match needs (rulefast.go).
	required required
}

// match is one regexp match inside a folded copy.
type match struct {
	s          string // the whole copy
	start, end int
	sub        []int // submatch offsets into s
	w          float64
	whole      [2]int // backing of sub for a whole match (newMatch)
}

// newMatch sets m to the match s[start:end] of a rule of weight w, its
// offsets in sub, and returns it. m is the scratch match of a text's
// findings: an adjust function reads its match and keeps nothing of it
// (nor does adjustSeen), so one match serves every match of the text
// where each was an allocation (two of three successful anchored
// attempts, about 0.65 a text).
func newMatch(m *match, s string, start, end int, w float64) *match {
	*m = match{s: s, start: start, end: end, w: w, whole: [2]int{start, end}}
	m.sub = m.whole[:]
	return m
}

func (m *match) text() string { return m.s[m.start:m.end] }

func (m *match) after(n int) string {
	e := m.end + n
	if e > len(m.s) {
		e = len(m.s)
	}
	for e < len(m.s) && !utf8.RuneStart(m.s[e]) {
		e++
	}
	return m.s[m.end:e]
}

func (m *match) before(n int) string {
	b := m.start - n
	if b < 0 {
		b = 0
	}
	for b > 0 && !utf8.RuneStart(m.s[b]) {
		b--
	}
	return m.s[b:m.start]
}

// hasWord reports whether the space-separated words copy fragment s holds
// any of the words.
func hasWord(s string, words ...string) bool {
	for _, w := range words {
		i := 0
		for {
			k := strings.Index(s[i:], w)
			if k < 0 {
				break
			}
			k += i
			e := k + len(w)
			if (k == 0 || s[k-1] == ' ') && (e == len(s) || s[e] == ' ') {
				return true
			}
			i = k + 1
		}
	}
	return false
}

// Token cues: the word sets that the rule gates and decodePass ask about
// (does the latin or the native copy hold one of these words?). runRules
// passes over both copies' vocabulary ids anyway, to size its hits; it
// notes there which of the sets the copies' words fall in (copies.cues),
// so that the questions cost no pass over the tokens of their own (three
// such passes per text took 1.5% of a cold pass).
const (
	cueRot         = 1 << iota // rotWords, in the latin copy
	cueReverse                 // reverseWords, in the latin copy
	cueVocative                // vocativeNouns, in the latin copy
	cueReverseIntl             // reverseWordsIntl, in the native copy
	cueMLSend                  // mlSendVerbs, in the native copy

	cueLatin  = cueRot | cueReverse | cueVocative
	cueNative = cueReverseIntl | cueMLSend
)

// vocabCues holds the cue bits of each vocabulary word (made with
// vocabTab): a bit is set exactly when its set holds the word.
var vocabCues []uint8

func buildVocabCues() {
	sets := []struct {
		set bitset
		bit uint8
	}{{rotWords, cueRot}, {reverseWords, cueReverse}, {vocativeNouns, cueVocative}, {reverseWordsIntl, cueReverseIntl}, {mlSendVerbs, cueMLSend}}
	vocabCues = make([]uint8, len(vocab))
	for id := range vocabCues {
		for _, c := range sets {
			if c.set.has(int32(id)) {
				vocabCues[id] |= c.bit
			}
		}
	}
}

// hasCue reports whether the copies hold a word of the cue's set (runRules
// has set c.cues).
func (c *copies) hasCue(cue uint8) bool { return c.cues&cue != 0 }

// hasWordPrefix reports whether a word of s starts with one of the stems.
func hasWordPrefix(s string, stems ...string) bool {
	for _, st := range stems {
		i := 0
		for {
			k := strings.Index(s[i:], st)
			if k < 0 {
				break
			}
			k += i
			if k == 0 || s[k-1] == ' ' {
				return true
			}
			i = k + 1
		}
	}
	return false
}

var (
	rules []*rule
	// vocab numbers every word that a rule triggers on, starts with or
	// needs; trigLatinID and trigNativeID list the rules each word triggers.
	vocab        map[string]int32
	vocabTab     *strTable[int32] // vocab for wordIDs, made when ensureRules has numbered every word
	trigLatinID  [][]int
	trigNativeID [][]int
	trigLines    subList
	trigCJK      subList
)

func wordID(w string) int32 {
	if id, ok := vocab[w]; ok {
		return id
	}
	id := int32(len(vocab))
	vocab[w] = id
	trigLatinID = append(trigLatinID, nil)
	trigNativeID = append(trigNativeID, nil)
	return id
}

type subTrig struct {
	sub   string
	rules []int
	// key and mask are sub's first bytes (up to 8) as peek8 reads them
	// and the mask of the bytes sub holds (newSubList).
	key, mask uint64
	// slot, for a substring that two of its occurrences can share bytes
	// of (it ends with a prefix of itself: "execute"), indexes scanSubs'
	// next positions; -1 for the others, whose occurrences never
	// overlap, so that one found after another starts after its end.
	slot int
}

// subList is a list of substring triggers sorted by substring, and the
// span of each first byte pair in it (of the first byte, for a trigger
// of one byte). A text is walked once (scanSubs): only at a byte pair
// that starts a trigger (pairs) are the triggers of its span compared
// with the text there.
type subList struct {
	subs   []subTrig
	firsts []firstSpan
	// pairs marks the first byte pairs of the triggers, and every pair
	// that starts with the byte of a one-byte trigger, by the low six bits
	// of each byte (pairBit): 512 bytes, which stay in the cache, where
	// an exact set of pairs (8 KiB) cost a miss at many pairs of a text.
	// A pair it holds is checked against the spans of its first byte.
	// ones marks the bytes of the one-byte triggers (a one-byte trigger
	// can also be the text's last byte).
	pairs [64]uint64
	ones  [4]uint64
	// byFirst is the span in firsts of each first byte.
	byFirst [256]struct{ lo, hi uint16 }
	// slots is how many triggers have a slot.
	slots int
}

type firstSpan struct {
	pre    string // the triggers' first two bytes (their one byte)
	lo, hi int
}

func newSubList(subs []subTrig) subList {
	l := subList{subs: subs}
	for i := range subs {
		st := &subs[i]
		st.key, st.mask = 0, 0
		for k := 0; k < len(st.sub) && k < 8; k++ {
			st.key |= uint64(st.sub[k]) << (8 * k)
			st.mask |= 0xff << (8 * k)
		}
		st.slot = -1
		for k := 1; k < len(st.sub); k++ {
			if st.sub[:k] == st.sub[len(st.sub)-k:] {
				st.slot = l.slots
				l.slots++
				break
			}
		}
	}
	for i, st := range subs {
		pre := st.sub[:min(2, len(st.sub))]
		if n := len(l.firsts); n > 0 && l.firsts[n-1].pre == pre {
			l.firsts[n-1].hi = i + 1
		} else {
			l.firsts = append(l.firsts, firstSpan{pre, i, i + 1})
		}
	}
	for i, fs := range l.firsts {
		b := fs.pre[0]
		if l.byFirst[b].hi == 0 {
			l.byFirst[b].lo = uint16(i)
		}
		l.byFirst[b].hi = uint16(i + 1)
		if len(fs.pre) == 1 {
			l.ones[b>>6] |= 1 << (b & 63)
			for c := 0; c < 64; c++ {
				p := pairBit(b, byte(c))
				l.pairs[p>>6] |= 1 << (p & 63)
			}
		} else {
			p := pairBit(b, fs.pre[1])
			l.pairs[p>>6] |= 1 << (p & 63)
		}
	}
	return l
}

// pairBit is the bit of subList.pairs for the byte pair a, b.
func pairBit(a, b byte) uint { return uint(a&63)<<6 | uint(b&63) }

// maxSubCount is how many non-overlapping occurrences of one trigger
// substring make hits (the first ones).
const maxSubCount = 32

// scanSubs calls hit(t, i) for the occurrences in s of each trigger t
// of l that strings.Index finds from the start, each search going on
// after the occurrence it found, up to maxSubCount of them: the leftmost
// non-overlapping occurrences. counts holds, per trigger, how many it
// had, all zero at first; next (l.slots long), where the next occurrence
// of a trigger with a slot may start, read only once it had one. When
// first (a trigger's first occurrence) returns false, the trigger makes
// no hits. One pass over s replaces a pass per trigger whose first pair
// a hashed set of the text's pairs may hold (the set's own pass, and a
// search and a hash of every pair per trigger, were 3% of a cold pass);
// TestScanSubs compares it with that.
func (l *subList) scanSubs(s string, counts []uint8, next []int, first func(t int) bool, hit func(t, i int)) {
	pairs := &l.pairs
	for i := 0; i < len(s); i++ {
		// Pass over the pairs that start no trigger (rest, from 0, lets
		// the compiler drop the bounds checks).
		rest := s[i:]
		j := 0
		for ; j < len(rest)-1; j++ {
			if p := pairBit(rest[j], rest[j+1]); pairs[p>>6]&(1<<(p&63)) != 0 {
				break
			}
		}
		i += j
		if b := s[i]; i+1 == len(s) && l.ones[b>>6]&(1<<(b&63)) == 0 {
			break
		}
		span := l.byFirst[s[i]]
		in := peek8(s, i)
		for _, fs := range l.firsts[span.lo:span.hi] {
			if len(fs.pre) == 2 && (i+1 == len(s) || fs.pre[1] != s[i+1]) {
				continue
			}
			for t := fs.lo; t < fs.hi; t++ {
				// The trigger's first 8 bytes at once, the rest (of a
				// longer one) by HasPrefix.
				st := &l.subs[t]
				if (in^st.key)&st.mask != 0 || len(s)-i < len(st.sub) || len(st.sub) > 8 && !strings.HasPrefix(s[i+8:], st.sub[8:]) {
					continue
				}
				n := counts[t]
				if n == maxSubCount || n > 0 && st.slot >= 0 && i < next[st.slot] {
					continue
				}
				if n == 0 && !first(t) {
					counts[t] = maxSubCount // no more occurrences
					continue
				}
				hit(t, i)
				counts[t] = n + 1
				if st.slot >= 0 {
					next[st.slot] = i + len(st.sub)
				}
			}
		}
	}
}

// expand replaces {NAME} macros in a pattern.
func expand(p string) string {
	for i := 0; i < 3 && strings.Contains(p, "{"); i++ {
		for k, v := range macros {
			p = strings.ReplaceAll(p, "{"+k+"}", v)
		}
	}
	return p
}

// addRule registers a rule; pattern macros are expanded and the pattern is
// compiled once, at package initialisation.
func addRule(name string, class int, w float64, copy int, trig string, pattern string, adjust func(*match) float64) {
	p := expand(pattern)
	r := &rule{
		name: name, class: class, w: w, copy: copy, trig: strings.Split(trig, "|"),
		pattern: p, adjust: adjust,
	}
	if copy == cLatin || copy == cNative {
		if starts, ok := ruleStarts(name, p); ok {
			r.starts = starts
		}
	}
	rules = append(rules, r)
}

// compile builds the rule's regexps once, on first use.
// Each of the two is compiled on its first use: most rules with start
// words only ever run anchored.
func (r *rule) compile() {
	r.once.Do(func() {
		p, err := compileProg(r.pattern)
		if err != nil {
			panic("sanitize: rule " + r.name + ": " + err.Error())
		}
		r.re = p
	})
}

func (r *rule) compileAnchored() {
	r.anchOnce.Do(func() {
		a, err := compileAnchoredProg(r.pattern)
		if err != nil {
			panic("sanitize: rule " + r.name + ": " + err.Error())
		}
		r.anch = a
	})
}

func buildTriggers() {
	subs := map[int]map[string][]int{cLines: {}, cCJK: {}}
	for i, r := range rules {
		for _, t := range r.trig {
			if t == "" {
				continue
			}
			switch r.copy {
			case cLatin:
				id := wordID(t)
				trigLatinID[id] = append(trigLatinID[id], i)
			case cNative:
				id := wordID(t)
				trigNativeID[id] = append(trigNativeID[id], i)
			default:
				subs[r.copy][t] = append(subs[r.copy][t], i)
			}
		}
	}
	for _, c := range []int{cLines, cCJK} {
		var list []subTrig
		for s, ids := range subs[c] {
			list = append(list, subTrig{sub: s, rules: ids})
		}
		sort.Slice(list, func(i, j int) bool { return list[i].sub < list[j].sub })
		if c == cLines {
			trigLines = newSubList(list)
		} else {
			trigCJK = newSubList(list)
		}
	}
}

// Pseudo-rules: signals computed outside the pattern table.
const (
	pHiddenProse = iota
	pHiddenInstr
	pTagLoose
	pTagInstr
	pVSRun
	pVSInstr
	pZWRun
	pReversed
	pEncoded
	pEncodedText
	pExfilLink
	pLineRole
	pSendTo
	pSendData
	pSigAddr
	pSigOverride
	pSigExfil
	pSigMass
	pSigConceal
	pSigSoft
	pSigDir
	pRevealed
	numPseudo
)

// findings accumulates the score of one scanned text.
type findings struct {
	// protective is set when the text warns about secrets ("never share
	// your password") rather than asking for them.
	protective bool
	// meta is set when the text talks about attacks (training notes,
	// incident reports).
	meta  bool
	total float64
	class [numClasses]float64
	fired []uint64 // bitset of the fired ids: pseudo-rule p is bit p, table rule i bit numPseudo+i
	names []string // fired rule names, for Explain
	// prob is the learned model's probability (set by verdict).
	prob    float64
	sigBits []uint32 // signal categories of each token (signals)
	prose   string   // the text the signal layer read: URLs and tags blanked (signals)
	decoded []string // what decodePass decoded from a top-level text (the learned model reads it too)
	strong  []string // rules that added a weight of 1 or more (for the learned model)
	// Inline backing arrays for fired, names and strong: most texts fire
	// few rules, and a cold pass allocated each of them (and regrew names)
	// per scanned text.
	firedBuf  [2]uint64
	namesBuf  [4]string
	strongBuf [2]string
	// bitsBuf is the storage of sigBits kept from one use to the next
	// (findingsPool): tokenBits fills it instead of allocating.
	bitsBuf []uint32
	// scratch is the match runRules hands to adjust functions (newMatch).
	scratch match
}

// findingsPool keeps the findings of finished texts: a cold pass
// allocated (and the collector scanned) one 340-byte findings per text,
// and its token bits besides. Only Sanitizer.text releases findings, once
// the result is built from them: nothing of a Result points into them
// (classList makes its slice, fence copies the text).
var findingsPool = sync.Pool{New: func() any { return new(findings) }}

// maxBitsBuf bounds the token bits a released findings keeps: a long
// text's are not held for the next short one.
const maxBitsBuf = 1024

// newFindings returns empty findings, with the bits storage of released
// ones.
func newFindings() *findings {
	f := findingsPool.Get().(*findings)
	*f = findings{bitsBuf: f.bitsBuf}
	return f
}

// release hands f back to findingsPool: neither f nor anything it holds
// (its names, fired bits and signal bits may point into it) may be used
// after.
func (f *findings) release() {
	b := f.sigBits
	if cap(b) < cap(f.bitsBuf) || cap(b) > maxBitsBuf {
		b = f.bitsBuf
	}
	*f = findings{bitsBuf: b[:0]}
	findingsPool.Put(f)
}

func (f *findings) add(id, class int, w float64, name string) {
	if w <= 0 {
		return
	}
	// id is -1-p for pseudo-rule p, the rule's index for a table rule.
	bit := uint(id + numPseudo)
	if f.fired == nil {
		if n := (numPseudo + len(rules) + 63) / 64; n <= len(f.firedBuf) {
			f.fired = f.firedBuf[:n]
		} else {
			f.fired = make([]uint64, n)
		}
	}
	if f.fired[bit/64]&(1<<(bit%64)) != 0 {
		return
	}
	f.fired[bit/64] |= 1 << (bit % 64)
	if w >= 1 {
		if f.strong == nil {
			f.strong = f.strongBuf[:0]
		}
		f.strong = append(f.strong, name)
	}
	f.total += w
	f.class[class] += w
	if f.names == nil {
		f.names = f.namesBuf[:0]
	}
	f.names = append(f.names, name)
}

// addPseudo records a signal that is not a table rule.
func (f *findings) addPseudo(p, class int, w float64, name string) {
	f.add(-1-p, class, w, name)
}

// absorb copies the classes of an inner scan (hidden, decoded, smuggled
// text) that are significant there; the score is carried by the pseudo
// rule that called absorb.
func (f *findings) absorb(in *findings) {
	for c, v := range in.class {
		if v >= 0.5 && v > f.class[c] {
			f.class[c] = v
		}
	}
	for _, n := range in.names {
		f.names = append(f.names, "inner:"+n)
	}
}

type hitPos struct{ rule, pos int }

const (
	winBefore = 140
	winAfter  = 180
)

// runRules runs the pattern table over the copies of one text.
func runRules(c *copies, f *findings) {
	// Both copies' ids in one allocation (one copy's when they are the same).
	nl, nn := len(c.latinToks), 0
	if c.native != c.latin {
		nn = len(c.nativeToks)
	}
	ids := c.idBuf(nl + nn)
	lid := wordIDs(ids[:nl:nl], c.latin, c.latinToks)
	nid := lid
	if c.native != c.latin {
		nid = wordIDs(ids[nl:], c.native, c.nativeToks)
	}
	c.lid, c.nid = lid, nid
	// Size hits for the word triggers (a text of trigger words has many).
	n := 16
	var lcue, ncue uint8
	for _, id := range lid {
		if id >= 0 {
			n += len(trigLatinID[id])
			lcue |= vocabCues[id]
		}
	}
	for _, id := range nid {
		if id >= 0 {
			n += len(trigNativeID[id])
			ncue |= vocabCues[id]
		}
	}
	c.cues = lcue&cueLatin | ncue&cueNative
	var hitBuf [64]hitPos // most texts have fewer hits: no allocation
	hits := hitBuf[:0]
	if n > len(hitBuf) {
		hits = make([]hitPos, 0, n)
	}
	for k, id := range lid {
		if id >= 0 {
			for _, ri := range trigLatinID[id] {
				hits = append(hits, hitPos{ri, c.latinToks[k].start})
			}
		}
	}
	for k, id := range nid {
		if id >= 0 {
			for _, ri := range trigNativeID[id] {
				hits = append(hits, hitPos{ri, c.nativeToks[k].start})
			}
		}
	}
	// The gates' answers for this text, on the stack (a handful of rules
	// have gates; past the array a gate is asked again, which is only
	// slower: a gate depends on the copies alone).
	var gateMemo [8]struct {
		r *rule
		v bool
	}
	nGates := 0
	gateOK := func(r *rule) bool {
		if r.gate == nil {
			return true
		}
		for _, g := range gateMemo[:nGates] {
			if g.r == r {
				return g.v
			}
		}
		v := r.gate(c)
		if nGates < len(gateMemo) {
			gateMemo[nGates].r, gateMemo[nGates].v = r, v
			nGates++
		}
		return v
	}
	// Per trigger substring, scanSubs' counts and next positions: on
	// the stack, zero, each part used once (the lines and CJK lists fit).
	var countBuf [320]uint8
	var nextBuf [16]int
	free, nfree := countBuf[:], nextBuf[:]
	subHits := func(s string, list *subList) {
		var counts []uint8
		if n := len(list.subs); n <= len(free) {
			counts, free = free[:n], free[n:]
		} else {
			counts = make([]uint8, n)
		}
		var next []int
		if n := list.slots; n <= len(nfree) {
			next, nfree = nfree[:n], nfree[n:]
		} else {
			next = make([]int, n)
		}
		list.scanSubs(s, counts, next, func(t int) bool {
			// A trigger of one gated rule: no hits when the gate says no
			// (the rule would not run on them).
			rs := list.subs[t].rules
			return len(rs) != 1 || gateOK(rules[rs[0]])
		}, func(t, i int) {
			for _, ri := range list.subs[t].rules {
				hits = append(hits, hitPos{ri, i})
			}
		})
	}
	subHits(c.lines, &trigLines)
	if c.cjk {
		subHits(c.native, &trigCJK)
	}
	if len(hits) == 0 {
		return
	}
	hits = groupHits(hits)
	for i := 0; i < len(hits); {
		j := i
		for j < len(hits) && hits[j].rule == hits[i].rule {
			j++
		}
		r := rules[hits[i].rule]
		if !gateOK(r) {
			i = j
			continue
		}
		var s string
		var toks []token
		var ids []int32
		switch r.copy {
		case cLatin:
			s, toks, ids = c.latin, c.latinToks, lid
		case cNative:
			s, toks, ids = c.native, c.nativeToks, nid
		case cCJK:
			s = c.native
		default:
			s = c.lines
		}
		best := 0.0
		top := r.maxWeight()
		if r.starts != nil {
			next := 0 // first token not tried yet
			for _, h := range hits[i:j] {
				if best >= top {
					break // no later match can weigh more
				}
				// A match holds its trigger word, so it starts at or before it.
				a, _ := window(s, h.pos, false)
				b := h.pos + 1
				k := sort.Search(len(toks), func(x int) bool { return toks[x].start >= a })
				if k < next {
					k = next
				}
				for ; k < len(toks) && toks[k].start < b; k++ {
					if !r.startIDs.has(ids[k]) {
						continue
					}
					// A match starting here holds a need word, if any, close after.
					if r.needIDs != nil && !needAfter(r.needIDs, toks, ids, k, toks[k].start+needSpan) {
						continue
					}
					if w := evalAnchored(r, s, toks[k].start, &f.scratch); w > best {
						best = w
						if best >= top {
							break
						}
					}
				}
				next = k
			}
			if best > 0 {
				f.add(hits[i].rule, r.class, best, r.name)
			}
			i = j
			continue
		}
		ws, we := -1, -1
		flush := func() {
			if ws < 0 || best >= top {
				return
			}
			if w := evalWindow(r, s, ws, we, &f.scratch); w > best {
				best = w
			}
		}
		for _, h := range hits[i:j] {
			a, b := window(s, h.pos, r.copy == cLines)
			if r.needIDs != nil && toks != nil {
				k := sort.Search(len(toks), func(x int) bool { return toks[x].start >= a })
				if !needAfter(r.needIDs, toks, ids, k, b) {
					continue
				}
			}
			if ws >= 0 && a <= we {
				if b > we {
					we = b
				}
				continue
			}
			flush()
			ws, we = a, b
		}
		flush()
		if best > 0 {
			f.add(hits[i].rule, r.class, best, r.name)
		}
		i = j
	}
}

// needAfter reports whether a token from index k on, starting before end,
// is in need.
func needAfter(need bitset, toks []token, ids []int32, k, end int) bool {
	for ; k < len(toks) && toks[k].start < end; k++ {
		if need.has(ids[k]) {
			return true
		}
	}
	return false
}

// wordIDs maps each token of s to its vocabulary id (-1: not a word any
// rule mentions), in ids (of len(toks)).
func wordIDs(ids []int32, s string, toks []token) []int32 {
	for k, t := range toks {
		if id, ok := vocabTab.get(s[t.start:t.end]); ok {
			ids[k] = id
		} else {
			ids[k] = -1
		}
	}
	return ids
}

// bitset is a set of vocabulary ids.
type bitset []uint64

func (b bitset) has(id int32) bool {
	return id >= 0 && int(id>>6) < len(b) && b[id>>6]&(1<<(uint(id)&63)) != 0
}

func (b bitset) add(id int32) bitset {
	for int(id>>6) >= len(b) {
		b = append(b, 0)
	}
	b[id>>6] |= 1 << (uint(id) & 63)
	return b
}

// window returns the span to match around a trigger at pos, snapped to
// word (or line) boundaries when they are near.
func window(s string, pos int, lines bool) (int, int) {
	a, b := pos-winBefore, pos+winAfter
	if a < 0 {
		a = 0
	}
	if b > len(s) {
		b = len(s)
	}
	sep := byte(' ')
	reach := 48
	if lines {
		sep, reach = '\n', 300
	}
	if a > 0 {
		if k := strings.LastIndexByte(s[max(0, a-reach):a], sep); k >= 0 {
			a = max(0, a-reach) + k + 1
		} else if lines {
			if k := strings.LastIndexByte(s[max(0, a-48):a], ' '); k >= 0 {
				a = max(0, a-48) + k + 1
			}
		}
		for a < len(s) && !utf8.RuneStart(s[a]) {
			a++
		}
	}
	if b < len(s) {
		if k := strings.IndexByte(s[b:min(len(s), b+reach)], sep); k >= 0 {
			b += k
		}
		for b < len(s) && !utf8.RuneStart(s[b]) {
			b++
		}
	}
	return a, b
}

// evalWindow runs r over s[a:b] and returns the best match weight; sm
// is the scratch match for r's adjust function (newMatch).
func evalWindow(r *rule, s string, a, b int, sm *match) float64 {
	best := 0.0
	if !r.mayMatch(s[a:b]) {
		return 0
	}
	r.compile()
	if r.adjust == nil {
		// Every match weighs r.w: one is enough.
		if r.re.matches(s[a:b]) {
			return r.w
		}
		return 0
	}
	for _, m := range r.re.findAll(s[a:b], 8) {
		m := newMatch(sm, s, m[0]+a, m[1]+a, r.w)
		w := r.w
		if r.adjust != nil {
			w = r.adjust(m)
			if adjustSeen != nil {
				adjustSeen(r, w)
			}
		}
		if w > best {
			best = w
		}
	}
	return best
}

// needSpan is how far after a start word its need words are looked for.
const needSpan = 200

// maxAnchored bounds the input of one anchored attempt.
const maxAnchored = 360

// evalAnchored tries r's anchored pattern at offset p of s; sm is the
// scratch match for r's adjust function (newMatch).
func evalAnchored(r *rule, s string, p int, sm *match) float64 {
	e := min(len(s), p+maxAnchored)
	for e < len(s) && !utf8.RuneStart(s[e]) {
		e++
	}
	r.compileAnchored()
	end := r.anch.matchEnd(s[p:e])
	if end < 0 {
		return 0
	}
	if r.adjust == nil {
		return r.w
	}
	m := newMatch(sm, s, p, p+end, r.w)
	if r.adjust != nil {
		w := r.adjust(m)
		if adjustSeen != nil {
			adjustSeen(r, w)
		}
		return w
	}
	return r.w
}

// scan scores one text: the pattern table, plus (up to depth 2) whatever
// is hidden in encodings inside it.
func scan(text string, depth int) *findings {
	ensureRules()
	f := newFindings()
	if strings.TrimSpace(text) == "" {
		return f
	}
	c := makeCopies(text)
	defer c.release()
	if !skipped(layerRules) {
		runRules(c, f)
		lineRoles(c.lines, c.isTranscript(), f)
		sendToAddress(c.lines, f)
	}
	if !skipped(layerSignals) {
		signals(text, c, f)
	} else {
		f.prose = proseOnly(text) // the model still reads its text
	}
	if f.meta {
		// Text about attacks ("prompt injection is when a page tells an
		// AI assistant to ignore its instructions") quotes them.

		for _, c := range []int{clsOverride, clsAddressed, clsExfil, clsTool, clsMultilingual, clsRole} {
			d := f.class[c] * 0.75
			f.total -= d
			f.class[c] -= d
		}

		f.names = append(f.names, "talks_about_attacks")
	}
	if f.protective {
		// "We will never ask for your password; never share it": advice
		// about secrets, not a request for them.
		d := 0.65 * (f.class[clsExfil] + f.class[clsTool] + f.class[clsMultilingual])
		f.total -= d
		f.class[clsExfil] *= 0.35
		f.class[clsTool] *= 0.35
		f.class[clsMultilingual] *= 0.35
		f.names = append(f.names, "protective_advice")
	}
	if depth < 2 && !skipped(layerDecoders) {
		decodePass(text, c, depth, f)
	}
	return f
}

// The rule tables are built on first use, not at program start: building
// them costs about 10 ms and 3 MB, which every server would otherwise pay
// before answering initialize.
var rulesOnce sync.Once

func ensureRules() { rulesOnce.Do(initRules) }

func initRules() {
	ensureTables()
	registerEnglish()
	registerIntl()
	for _, r := range rules {
		if w, ok := ruleNeeds[r.name]; ok {
			r.need = map[string]bool{}
			for _, x := range strings.Fields(w) {
				r.need[x] = true
			}
		}
		r.gate = ruleGates[r.name]
	}
	buildTriggers()
	for _, r := range rules {
		if r.copy != cLatin && r.copy != cNative {
			continue
		}
		for w := range r.starts {
			r.startIDs = r.startIDs.add(wordID(w))
		}
		if r.need != nil {
			r.needIDs = bitset{}
			for w := range r.need {
				r.needIDs = r.needIDs.add(wordID(w))
			}
		}
	}
	// Every word is numbered by now.
	vocabTab = newStrTable(vocab)
	buildVocabCues()
}

// speakerHuman and speakerBot are the speaker labels of a chat log.
var (
	speakerHuman map[string]bool
	speakerBot   map[string]bool
)

// isTranscript reports whether the text is a chat log: at least two
// lines start with a speaker label ("Customer:", "[10:02] Agent Maria:",
// "Bot:"), a human and a bot or agent among them. Speaker labels in a
// log are not role markers. The answer is computed once per copies.
func (c *copies) isTranscript() bool {
	if c.transcript != 0 {
		return c.transcript > 0
	}
	human, bot, n := false, false, 0
	lines := c.lines
	for len(lines) > 0 && n < 400 {
		line := lines
		if i := strings.IndexByte(lines, '\n'); i >= 0 {
			line, lines = lines[:i], lines[i+1:]
		} else {
			lines = ""
		}
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") { // [10:02] timestamps
			if k := strings.IndexByte(line, ']'); k > 0 && k < 24 {
				line = strings.TrimSpace(line[k+1:])
			}
		}
		k := strings.IndexByte(line, ':')
		if k <= 0 || k > 32 {
			continue
		}
		// The label's words (strings.Fields without its slice): a fourth
		// word is enough to tell that there are too many.
		var fb [4]string
		nf := 0
		for w := range strings.FieldsSeq(line[:k]) {
			fb[nf] = w
			if nf++; nf == len(fb) {
				break
			}
		}
		f := fb[:nf]
		if len(f) == 0 || len(f) > 3 {
			continue
		}
		label := f[0]
		switch {
		case len(f) == 1:
		case len(f) == 2 && speakerBot[f[0]+" "+f[1]]:
			label = f[0] + " " + f[1]
		case len(f) == 2 && (f[0] == "agent" || f[0] == "support"): // "Agent Maria:"
		default:
			continue
		}
		switch {
		case speakerHuman[label]:
			human = true
			n++
		case speakerBot[label]:
			bot = true
			n++
		}
	}
	if human && bot && n >= 2 {
		c.transcript = 1
	} else {
		c.transcript = -1
	}
	return c.transcript > 0
}

// groupHits orders hits by rule and, within a rule, by position, in
// linear time: a counting sort by rule keeps the order in which the hits
// were found, which is by position for the word copies; the substring
// hits of one rule (at most 32 per trigger) are sorted when out of order.
func groupHits(hits []hitPos) []hitPos {
	if len(hits) <= 24 {
		// A handful of hits (most texts): an insertion sort, without the
		// calls of a comparison function, at most 276 comparisons.
		for i := 1; i < len(hits); i++ {
			h, j := hits[i], i
			for ; j > 0 && (hits[j-1].rule > h.rule || hits[j-1].rule == h.rule && hits[j-1].pos > h.pos); j-- {
				hits[j] = hits[j-1]
			}
			hits[j] = h
		}
		return hits
	}
	if len(hits) <= 64 {
		// Few hits: sorting costs less than the counting arrays.
		slices.SortFunc(hits, func(x, y hitPos) int {
			if x.rule != y.rule {
				return x.rule - y.rule
			}
			return x.pos - y.pos
		})
		return hits
	}
	cnt := make([]int, len(rules)+1)
	for _, h := range hits {
		cnt[h.rule+1]++
	}
	for i := 1; i < len(cnt); i++ {
		cnt[i] += cnt[i-1]
	}
	out := make([]hitPos, len(hits))
	next := append([]int(nil), cnt[:len(rules)]...)
	for _, h := range hits {
		out[next[h.rule]] = h
		next[h.rule]++
	}
	for r := 0; r < len(rules); r++ {
		g := out[cnt[r]:cnt[r+1]]
		for i := 1; i < len(g); i++ {
			if g[i].pos < g[i-1].pos {
				slices.SortFunc(g, func(x, y hitPos) int { return x.pos - y.pos })
				break
			}
		}
	}
	return out
}

// initDetectTables builds this file's tables (called once, from ensureTables).
func initDetectTables() {
	vocab = map[string]int32{}
	speakerHuman = map[string]bool{"customer": true, "user": true, "client": true, "guest": true, "visitor": true, "caller": true,
		"buyer": true, "me": true, "you": true, "kunde": true, "kundin": true, "cliente": true, "utilisateur": true, "utilisatrice": true,
		"usuario": true, "usuaria": true, "utente": true, "nutzer": true, "benutzer": true, "nutzerin": true, "klant": true,
		"gebruiker": true, "klient": true, "uzytkownik": true, "musteri": true, "kullanici": true, "khach": true, "pelanggan": true,
		"pengguna": true, "mteja": true, "mtumiaji": true, "kunde/in": true, "q": true}
	speakerBot = map[string]bool{"assistant": true, "bot": true, "agent": true, "ai": true, "chatbot": true, "support": true,
		"assistent": true, "asistente": true, "assistente": true, "asystent": true, "asistan": true, "asisten": true, "msaidizi": true,
		"virtual assistant": true, "ai assistant": true, "ki-assistent": true, "ai-assistant": true, "ki": true, "ia": true,
		"agente": true, "a": true, "acme bot": true}
}
