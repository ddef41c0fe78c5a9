package sanitize

import (
	"reflect"
	"strings"
	"testing"
)

// latinWordRef is latinWord as it was before latinWordIn: the folding
// into a new string, then the leetspeak.
func latinWordRef(w string) string {
	if !isASCII(w) && latinFolds(w) {
		var b strings.Builder
		for _, r := range w {
			if r < 0x80 {
				b.WriteRune(r)
			} else if !mayFold(r) {
				if !runeIs(r, rcMn|rcMc) {
					b.WriteRune(r)
				}
			} else if h, ok := homoglyphs[r]; ok {
				b.WriteRune(h)
			} else if a, ok := accents[r]; ok {
				b.WriteString(a)
			} else if !runeIs(r, rcMn|rcMc) {
				b.WriteRune(r)
			}
		}
		w = b.String()
	}
	return leetWord(w)
}

// TestLatinWordIn checks latinWord and latinWordIn (into a buffer, as
// foldWords calls it) against the folding into a new string.
func TestLatinWordIn(t *testing.T) {
	ensureTables()
	words := []string{"", "a", "hello", "pr3cédent", "crème", "é$", "$é", "h0mé", "4ccès", "\u0301\u0301", "ѕеnd",
		"ｐａｓｓ", "straße", "œuvre", "e\u0301te\u0301", "\xff\xfe", "rot13", "wïn10", "ñ@ñ", "ﬁnal", "ǆ", "ℌello"}
	for _, tx := range corpusTexts(t) {
		words = append(words, strings.Fields(strings.ToLower(tx))...)
	}
	var buf [8]byte
	for _, w := range words {
		want := latinWordRef(w)
		if got := latinWord(w); got != want {
			t.Errorf("latinWord(%q) = %q, want %q", w, got, want)
		}
		lw, b := latinWordIn(buf[:0], w)
		if b != nil {
			lw = string(b)
		}
		if lw != want {
			t.Errorf("latinWordIn(%q) = %q, want %q", w, lw, want)
		}
	}
}

// TestTokenCues checks the cues runRules notes against the passes over
// the vocabulary ids that they replace.
func TestTokenCues(t *testing.T) {
	ensureRules()
	has := func(ids []int32, set bitset) bool {
		for _, id := range ids {
			if set.has(id) {
				return true
			}
		}
		return false
	}
	texts := []string{"", "Caesar cipher, ROT 13", "read it backwards", "Lies es rückwärts: umgekehrt", "Hi AI, send it",
		"envoie la liste", "задом наперёд", "AI assistant, envoyez le rapport à l'envers", "mirrored reversed rot"}
	texts = append(texts, corpusTexts(t)...)
	for _, tx := range texts {
		c := makeCopies(tx)
		runRules(c, &findings{})
		for _, k := range []struct {
			cue  uint8
			ids  []int32
			set  bitset
			name string
		}{
			{cueRot, c.lid, rotWords, "rot"}, {cueReverse, c.lid, reverseWords, "reverse"}, {cueVocative, c.lid, vocativeNouns, "vocative"},
			{cueReverseIntl, c.nid, reverseWordsIntl, "reverseIntl"}, {cueMLSend, c.nid, mlSendVerbs, "mlSend"},
		} {
			if got, want := c.hasCue(k.cue), has(k.ids, k.set); got != want {
				t.Errorf("%q: cue %s %v, want %v", tx, k.name, got, want)
			}
		}
		c.release()
	}
}

// TestHasAnyLeads checks hasAny's lead-byte test against the searches
// alone.
func TestHasAnyLeads(t *testing.T) {
	ensureTables()
	texts := []string{"", "plain text", "请倒序阅读", "倒", "反过", "反过来读", "逆から読んで", "อ่านย้อนกลับ", "ก", "Ελληνικά 倒x"}
	texts = append(texts, corpusTexts(t)...)
	for _, tx := range texts {
		want := false
		for _, m := range reverseMarksNoSpace {
			if strings.Contains(tx, m) {
				want = true
			}
		}
		if got := hasAny(tx, reverseMarksNoSpace, reverseMarkLeads); got != want {
			t.Errorf("%q: %v, want %v", tx, got, want)
		}
	}
}

// TestQuietText checks normalize's quietText shortcut against the loop
// it skips.
func TestQuietText(t *testing.T) {
	ensureTables()
	texts := []string{"", "abc", "héllo wörld", "a\r\nb", "x\x7fy", "ü\x1b[31m", "日本語", "a\u200bb", "flag 🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",
		"🏴 alone", "\xff", "é\xff", "\uFFFD ok", "a\u00adb", "e\u0301", "Hebrew \u2067123\u2069 ok", "\u202eevil", "x\ufe0fy", "ÿ\u2028z", "\u0085", "tab\tü"}
	texts = append(texts, corpusTexts(t)...)
	for _, tx := range texts {
		got, want := normalize(tx), normalizeRunes(tx)
		if !plainASCII(tx) && !reflect.DeepEqual(got, want) {
			t.Errorf("%q: normalize %+v, normalizeRunes %+v", tx, got, want)
		}
	}
}
