package mailtext

import (
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// Options choose what Trim keeps.
type Options struct {
	KeepQuoted    bool // keep the quoted history of earlier messages
	KeepSignature bool // keep signatures, closings, mobile footers and disclaimers
}

// Stats says what Trim removed.
type Stats struct {
	QuotedChars    int // characters of quoted history removed
	QuotedMessages int // earlier messages found in the quoted history (estimate)
	SignatureChars int // characters of signature, footer and disclaimer removed
	// QuotedOnly is set when the message held nothing but quoted text (a
	// bare forward): the quote is then kept.
	QuotedOnly bool
}

// Quoted history starts at an attribution line ("On ... wrote:" and its
// translations), an "Original Message" separator, or an Outlook header block
// (From: followed by Sent:/Date:).
var (
	// Lines are at most maxAttribution bytes and end with a colon (checked
	// before the expression runs, which keeps it cheap).
	attributionRE = lazyRE(`(?i)^(` +
		`on\s.+\swrote\s?:` + // English (Gmail, Apple Mail)
		`|am\s.+\sschrieb\s.+:` + // German
		`|.*\sschrieb\s?:` +
		`|le\s.+\sa\s[ée]crit\s?:` + // French
		`|el\s.+\sescribi[óo]\s?:` + // Spanish
		`|em\s.+\sescreveu\s?:` + // Portuguese
		`|il\s.+\sha\sscritto\s?:` + // Italian
		`|op\s.+\sschreef\s?:` + // Dutch
		`|.*写道\s?[:：]` + // Chinese
		`|\d{4}年\d{1,2}月\d{1,2}日.*[:：]` + // Japanese Gmail: "2026年2月3日(火) 10:02 Name <mail>:"
		`|.*のメッセージ\s?[:：]` +
		`)$`)
	separatorRE   = lazyRE(`(?i)^\s*[-_]{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|mensagem original|messaggio originale|oorspronkelijk bericht|原始邮件|元のメッセージ|forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado)\s*[-_]{2,}\s*$`)
	underscoresRE = lazyRE(`^\s*_{10,}\s*$`)
	headerFromRE  = lazyRE(`(?i)^\s*\*?(from|von|de|da|van|差出人|发件人|寄件者)\s?\*?\s?[:：]\s?\*?\s*\S`)
	headerSentRE  = lazyRE(`(?i)^\s*\*?(sent|date|gesendet|datum|envoyé|date d'envoi|enviado|enviado el|fecha|inviato|verzonden|送信日時|日付|发送时间|日期)\s?\*?\s?[:：]`)
)

// Signatures: the RFC 3676 "-- " separator, a closing phrase followed by a
// short name block, mobile footers and confidentiality disclaimers.
var (
	closingRE = lazyRE(`(?i)^\s*(best regards|kind regards|warm regards|regards|best wishes|best|many thanks|thanks|thank you|thanks again|cheers|sincerely|yours sincerely|yours truly|all the best|` +
		`mit freundlichen grüßen|mit freundlichen grüssen|freundliche grüße|viele grüße|beste grüße|liebe grüße|schöne grüße|gruß|grüße|` +
		`cordialement|bien cordialement|bien à vous|salutations|sincères salutations|meilleures salutations|` +
		`saludos|saludos cordiales|un saludo|atentamente|cordialmente|` +
		`cumprimentos|atenciosamente|abraços|cordiali saluti|distinti saluti|saluti|met vriendelijke groet|` +
		`よろしくお願いいたします|よろしくお願いします|以上、よろしくお願いいたします|何卒よろしくお願い申し上げます|` +
		`此致|谢谢|谢谢！|祝好|顺祝商祺|敬礼)[\s,.!。、！]*$`)
	mobileRE = lazyRE(`(?i)^\s*(sent from my \S.*|sent from outlook.*|get outlook for \S.*|sent from mail for windows.*|sent via \S.*|` +
		`von meinem \S.* gesendet|gesendet von \S.*|envoyé de mon \S.*|enviado desde mi \S.*|enviado do meu \S.*|inviato da(l mio)? \S.*|` +
		`iphoneから送信|androidから送信|发自我的\S.*|从我的\S.*发送)\s*$`)
	disclaimerRE = lazyRE(`(?i)^\s*(confidentiality notice|this (e-?mail|message) and any attachments|this e-?mail (is|may be) confidential|disclaimer:|` +
		`diese e-?mail (enthält|ist) vertraulich|ce message et (ses|toutes les) pièces jointes|este mensaje y sus anexos)`)
)

// lazyRE compiles expr on first use: the server binary pays for these
// expressions only when it first trims a message.
func lazyRE(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// maxAttribution is the longest attribution line considered.
const maxAttribution = 400

// isAttribution reports whether a (trimmed) line introduces a quote.
func isAttribution(t string) bool {
	if len(t) > maxAttribution || !(strings.HasSuffix(t, ":") || strings.HasSuffix(t, "：")) {
		return false
	}
	return attributionRE().MatchString(t)
}

// maxSigLines is the longest name block after a closing phrase.
const maxSigLines = 8

// Trim removes quoted history and signatures from a plain-text body, unless
// o keeps them, and reports what it removed.
func Trim(body string, o Options) (string, Stats) {
	var st Stats
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(body, "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " \t")
	}

	own := lines
	if q := quoteStart(lines); q >= 0 {
		quoted := lines[q:]
		if hasContent(lines[:q]) {
			st.QuotedMessages = countQuoted(quoted)
			if !o.KeepQuoted {
				st.QuotedChars = chars(quoted)
				own = lines[:q]
			}
		} else {
			st.QuotedOnly = true
		}
	}
	if !o.KeepQuoted && !st.QuotedOnly {
		var n int
		own, n = dropInlineQuotes(own)
		st.QuotedChars += n
	}

	if !o.KeepSignature {
		var sig int
		own, sig = trimSignature(own)
		st.SignatureChars = sig
	}
	return tidy(own), st
}

func chars(lines []string) int {
	n := 0
	for _, l := range lines {
		n += utf8.RuneCountInString(l) + 1
	}
	return n
}

func hasContent(lines []string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) != "" && !mobileRE().MatchString(l) {
			return true
		}
	}
	return false
}

// quoteStart returns the index of the first line of the quoted history, or
// -1.
func quoteStart(lines []string) int {
	for i, l := range lines {
		t := strings.TrimSpace(strings.Trim(l, "*"))
		if t == "" {
			continue
		}
		switch {
		case isAttribution(t), separatorRE().MatchString(t):
			return i
		case i+1 < len(lines) && len(t) < 200 && isAttribution(t+" "+strings.TrimSpace(lines[i+1])):
			return i // an attribution wrapped over two lines
		case headerFromRE().MatchString(t) && sentFollows(lines, i):
			if i > 0 && underscoresRE().MatchString(lines[i-1]) {
				return i - 1
			}
			return i
		case strings.HasPrefix(t, ">") && mostlyQuoted(lines[i:]):
			return i
		}
	}
	return -1
}

func sentFollows(lines []string, i int) bool {
	for j := i + 1; j < len(lines) && j <= i+4; j++ {
		if headerSentRE().MatchString(strings.TrimSpace(strings.Trim(lines[j], "*"))) {
			return true
		}
	}
	return false
}

// mostlyQuoted reports whether at least 80% of the non-empty lines start
// with '>': the rest of the message is quoted history.
func mostlyQuoted(lines []string) bool {
	q, n := 0, 0
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		n++
		if strings.HasPrefix(t, ">") {
			q++
		}
	}
	return n > 0 && q*5 >= n*4
}

// countQuoted estimates how many earlier messages a quoted block holds.
func countQuoted(lines []string) int {
	n := 0
	for _, l := range lines {
		t := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "> *"))
		if t == "" {
			continue
		}
		if isAttribution(t) || separatorRE().MatchString(t) || (headerFromRE().MatchString(t) && strings.Contains(t, "@")) {
			n++
		}
	}
	return max(n, 1)
}

// dropInlineQuotes replaces each block of '>' lines inside the message
// (interleaved replies) with a one-line marker.
func dropInlineQuotes(lines []string) ([]string, int) {
	var out []string
	removed := 0
	for i := 0; i < len(lines); {
		if !strings.HasPrefix(strings.TrimSpace(lines[i]), ">") {
			out = append(out, lines[i])
			i++
			continue
		}
		j := i
		for j < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[j]), ">") {
			j++
		}
		removed += chars(lines[i:j])
		out = append(out, "[… quoted text trimmed]")
		i = j
	}
	return out, removed
}

// trimSignature removes the signature block and mobile footers from the
// end of the message.
func trimSignature(lines []string) ([]string, int) {
	before := chars(lines)
	// Mobile footers anywhere in the last lines.
	var kept []string
	for i, l := range lines {
		if len(lines)-i <= 6 && mobileRE().MatchString(strings.TrimSpace(l)) {
			continue
		}
		kept = append(kept, l)
	}
	lines = kept
	cut := len(lines)
	for i, l := range lines {
		if i == 0 {
			continue
		}
		if l == "-- " || l == "--" || disclaimerRE().MatchString(l) {
			cut = i
			break
		}
	}
	// A closing phrase followed by a short name block (or nothing).
	last := lastContent(lines[:cut])
	for i := max(0, last-maxSigLines); i <= last && i < cut; i++ {
		if i == 0 || !closingRE().MatchString(lines[i]) || !shortBlock(lines[i+1:cut]) {
			continue
		}
		if hasContent(lines[:i]) {
			cut = i
		}
		break
	}
	out := lines[:cut]
	return out, before - chars(out)
}

func lastContent(lines []string) int {
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.TrimSpace(lines[i]) != "" {
			return i
		}
	}
	return 0
}

// shortBlock reports whether lines look like a name block: few, short
// lines.
func shortBlock(lines []string) bool {
	n := 0
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n++
		if n > maxSigLines || utf8.RuneCountInString(l) > 90 {
			return false
		}
	}
	return true
}

// tidy joins lines, collapsing runs of blank lines and trimming the ends.
func tidy(lines []string) string {
	var b strings.Builder
	blank := 0
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			blank++
			continue
		}
		if b.Len() > 0 {
			if blank > 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteString("\n")
			}
		}
		blank = 0
		b.WriteString(l)
	}
	return b.String()
}
