package sanitize

import (
	"strings"
	"testing"
)

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
