package sanitize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestLexiconStems checks that every one-word stem entry of the lexicon
// (a trailing '*') matches a word that starts with it, however long the
// stem is in bytes (Indic scripts take three bytes a letter).
func TestLexiconStems(t *testing.T) {
	ensureTables()
	ensureRules()
	longest := 0
	for _, lang := range lexicons() {
		for _, list := range []string{lang.ai, lang.asst, lang.reader, lang.ovr, lang.instr, lang.prev, lang.act, lang.sens, lang.others, lang.dir,
			lang.conceal, lang.say, lang.neg, lang.fn, lang.third, lang.self, lang.meta, lang.reveal, lang.skip, lang.output, lang.only} {
			for _, e := range strings.Fields(list) {
				stem, ok := strings.CutSuffix(e, "*")
				if !ok || strings.Contains(stem, "_") {
					continue
				}
				f := foldEntry(stem)
				if r, _ := utf8.DecodeRuneInString(f); noSpaceRune(r) || len(f) < 4 {
					continue
				}
				longest = max(longest, len(f))
				// The stem with its last letter once more: a word longer
				// than the stem, which only the stem can match.
				last, _ := utf8.DecodeLastRuneInString(f)
				if w := f + string(last); signalBits(w) == 0 {
					t.Errorf("%s: stem %q (%d bytes folded) does not match %q", lang.lang, e, len(f), w)
				}
			}
		}
	}
	if longest > 67 {
		t.Errorf("a stem of %d bytes: stems match up to 67 bytes (lexInfo.stemLens)", longest)
	}
}
