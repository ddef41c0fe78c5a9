package sanitize

import "sync"

// The package does no work when a program starts: its maps, regexps and
// replacers are built by ensureTables on first use (the first Text, Fence
// or Explain), and the rule tables by ensureRules after them. A program
// that links the package but never sanitizes (a server asked for --help)
// pays nothing.
var tablesOnce sync.Once

func ensureTables() { tablesOnce.Do(buildTables) }

func buildTables() {
	initDetectTables() // the vocabulary first: wordSet numbers words in it
	initNeedsTables()
	initEnglishTables()
	initSendWords()
	initDecodeTables()
	initFoldTables()
	initHTMLTables()
	initLinkTables()
	initSanitizeTables()
	initSignalTables()
}
