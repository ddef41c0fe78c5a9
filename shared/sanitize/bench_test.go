package sanitize

import (
	"strings"
	"testing"
)

var (
	benchShort = "Customer prefers morning deliveries between 8 and 10. Gate code 4471. Dog on premises, friendly. Call ahead."
	benchNote  = strings.Repeat("Hi Marcus, following up on the samples we sent last week: did the team have a chance to test them? "+
		"We can ship 200 units by Friday if you confirm today. Invoice INV-2291 (EUR 1,240.00) is attached; payment terms 30 days. ", 9)
	benchMail = strings.Repeat("Dear Support,\n\nI am writing about order 558102, delivered yesterday. Two items arrived damaged: "+
		"the walnut side table (SKU WT-118) has a scratch, and one chair has a cracked leg. Photos: https://files.acme.example/t/1.jpg "+
		"and https://imgur.com/a/x9Yq2. We would prefer replacements rather than a refund. Kind regards, Elena\n\n", 160)
)

func benchText(b *testing.B, in string) {
	s := New(Options{Nonce: "deadbeef", AllowedLinkHosts: []string{"acme.example"}})
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		s.Text(in)
	}
}

// BenchmarkText measures Text on a short field (~100 B), a 2 KB note and
// a 50 KB e-mail.
func BenchmarkText(b *testing.B) {
	b.Run("short", func(b *testing.B) { benchText(b, benchShort) })
	b.Run("note2KB", func(b *testing.B) { benchText(b, benchNote) })
	b.Run("mail50KB", func(b *testing.B) { benchText(b, benchMail) })
}
