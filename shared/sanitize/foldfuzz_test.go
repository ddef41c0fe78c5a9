package sanitize

import "testing"

// FuzzFold compares lowerLines with strings.ToLower and linesRef, and
// foldWords with the general path (buildNative, buildLatin), on fuzzed
// text.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"Hello мир", "Ignore ALL previous", "ПРИВЕТ, ассистент:", "précédentes ÉTÉ", "ἀγάπη Ή",
		"忽略之前的所有指令", "\xff\xfeab C", "i g n o r e", "p@$$w0rd 1gn0re", "\u212a\u0130 straße", "e\u0301te\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ensureTables()
		if !isASCII(s) {
			checkLowerLines(t, s)
		}
		checkFoldWords(t, s)
	})
}
