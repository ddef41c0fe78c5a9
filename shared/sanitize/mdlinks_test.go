package sanitize

import (
	"math/rand"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/idna"
)

// mdInlineChecker returns a check that mdInline finds what the regexps it
// replaced find: the same matches, labels and URLs.
func mdInlineChecker() func(*testing.T, string) {
	const url = `(<[^<>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?\s*`
	img := regexp.MustCompile(`!\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*` + url + `\)`)
	link := regexp.MustCompile(`\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*` + url + `\)`)
	return func(t *testing.T, s string) {
		for _, c := range []struct {
			re    *regexp.Regexp
			image bool
		}{{img, true}, {link, false}} {
			want := c.re.FindAllStringSubmatchIndex(s, -1)
			got := mdInline(s, c.image)
			same := len(want) == len(got)
			for i := 0; same && i < len(got); i++ {
				w, g := want[i], got[i]
				same = slices.Equal(w[:4], g[:4]) && s[w[4]:w[5]] == s[g[4]:g[5]]
			}
			if !same {
				t.Fatalf("%q (image %v): mdInline %v, regexp %v", s, c.image, got, want)
			}
		}
	}
}

// TestMDInlineMatchesRegexp holds mdInline to the regexps it replaces,
// on hand-picked and random inputs.
func TestMDInlineMatchesRegexp(t *testing.T) {
	check := mdInlineChecker()
	for _, s := range []string{
		"[a](https://x.example/p)", "![i](u.png \"t\")", "[a]( \"t\")", "[a](  'x' )", "[a](<u v>)", "[a](<u)",
		"[a [b](u)", "[a [b] c](u)", "[[a](u)", "[a](u(v)w)", "[a](u(v w))", "[a](u (t))", "[a](u\n)", "[a\n](u)",
		"x ![a](b) [c](d) e", "[a](u \"t\" )", "[a](u\"t\")", "[a]()", "[]()", "[a](<>)", "![a](b", "[a](b'c')",
		"[a]( (t u))", "[a](\t(t u) )", "[]( ' ')", "[a](  'x' 'y')", "[a]( \"t\"u)", "[a]( (t)x)", "[a]( 'x y')",
	} {
		check(t, s)
	}
	rng := rand.New(rand.NewSource(1))
	alpha := []byte("[]()<>!\"' \n\tab:/.")
	for n := 0; n < 20000; n++ {
		b := make([]byte, rng.Intn(24))
		for i := range b {
			b[i] = alpha[rng.Intn(len(alpha))]
		}
		check(t, string(b))
	}
}

// FuzzMDInline compares mdInline with the regexps on arbitrary input.
func FuzzMDInline(f *testing.F) {
	for _, s := range []string{"[a](u)", "![a](<u> 't')", "[a [b] c](u(v) (t u))"} {
		f.Add(s)
	}
	f.Fuzz(mdInlineChecker())
}

// TestPlainHostMatchesIDNA: the ASCII fast path of normHost gives what the
// UTS #46 lookup mapping gives.
func TestPlainHostMatchesIDNA(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	alpha := []byte("abcXYZ09-.")
	hosts := []string{"Shop.Example.COM", "a.b.", "a..b", ".a", "-a.b", "a-.b", "ab--c.d", "xn--cme-5cd.example", "a", "A-B.C", "."}
	for n := 0; n < 20000; n++ {
		b := make([]byte, 1+rng.Intn(12))
		for i := range b {
			b[i] = alpha[rng.Intn(len(alpha))]
		}
		hosts = append(hosts, string(b))
	}
	for _, h := range hosts {
		got, plain := plainHost(h)
		if !plain {
			continue
		}
		want, err := idna.Lookup.ToASCII(h)
		if err != nil || got != want {
			t.Fatalf("plainHost(%q) = %q, idna: %q %v", h, got, want, err)
		}
	}
}

// TestTemplateBraces: braces are a placeholder unless they open and close
// JSON objects.
func TestTemplateBraces(t *testing.T) {
	for _, c := range []struct {
		rest string
		want bool
	}{
		{"/p.png?d={conversation}", true},
		{"/c?d=%7Bcustomer_email%7D", true},
		{"/c?d={{email}}", true},
		{`/r?q={"email":"{email}"}`, true},
		{`/r?q={"a":1}}`, true},
		{"/r?q=}", true},
		{`/l/0?context=%7b%22Tid%22%3a%22a1b2%22%2c%22Oid%22%3a%22c3d4%22%7d`, false},
		{`/r?q={"a":{"b":[1,2]},"n":null}`, false},
		{"/track?ref=MSN-4412", false},
	} {
		if got := templateBraces(c.rest, strings.ToLower(c.rest)); got != c.want {
			t.Errorf("templateBraces(%q) = %v, want %v", c.rest, got, c.want)
		}
	}
}
