package shipping

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxLineChars is the longest address line carriers print on a label.
const MaxLineChars = 35

// country is what validation knows about one country.
type country struct {
	name   string
	region string         // na, emea, apac, latam
	postal *regexp.Regexp // nil: no postal codes, or not checked
	format string         // human description of the postal format
	// normPostal rewrites a postal code that already matched postal into
	// its canonical form ("ec1a1bb" -> "EC1A 1BB").
	normPostal func(string) string
	states     map[string]string // code -> name; nil = not checked
	noPostal   bool              // the country has no postal codes
}

func re(s string) *regexp.Regexp { return regexp.MustCompile(s) }

func upperNoSpace(s string) string { return strings.ToUpper(strings.ReplaceAll(s, " ", "")) }

// spaceBefore inserts a space before the last n characters of a code
// written without one.
func spaceBefore(n int) func(string) string {
	return func(s string) string {
		s = upperNoSpace(s)
		if len(s) <= n {
			return s
		}
		return s[:len(s)-n] + " " + s[len(s)-n:]
	}
}

// dashBefore is spaceBefore with a dash.
func dashBefore(n int) func(string) string {
	return func(s string) string {
		s = strings.ReplaceAll(upperNoSpace(s), "-", "")
		return s[:len(s)-n] + "-" + s[len(s)-n:]
	}
}

var usStates = map[string]string{
	"AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
	"CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
	"HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
	"KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
	"MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
	"NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
	"NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
	"OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
	"TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
	"WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico", "GU": "Guam",
	"VI": "U.S. Virgin Islands", "AS": "American Samoa", "MP": "Northern Mariana Islands",
	"AA": "Armed Forces Americas", "AE": "Armed Forces Europe", "AP": "Armed Forces Pacific",
}

// usZipStates maps a ZIP code's first digit to the states it covers.
var usZipStates = map[byte][]string{
	'0': {"CT", "MA", "ME", "NH", "NJ", "NY", "PR", "RI", "VT", "VI", "AE"},
	'1': {"DE", "NY", "PA"},
	'2': {"DC", "MD", "NC", "SC", "VA", "WV"},
	'3': {"AL", "FL", "GA", "MS", "TN", "AA"},
	'4': {"IN", "KY", "MI", "OH"},
	'5': {"IA", "MN", "MT", "ND", "SD", "WI"},
	'6': {"IL", "KS", "MO", "NE"},
	'7': {"AR", "LA", "OK", "TX"},
	'8': {"AZ", "CO", "ID", "NM", "NV", "UT", "WY"},
	'9': {"AK", "CA", "HI", "OR", "WA", "GU", "AS", "MP", "AP"},
}

var caProvinces = map[string]string{
	"AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
	"NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories", "NU": "Nunavut",
	"ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec", "SK": "Saskatchewan", "YT": "Yukon",
}

// caPostalProvinces maps a Canadian postal code's first letter to provinces.
var caPostalProvinces = map[byte][]string{
	'A': {"NL"}, 'B': {"NS"}, 'C': {"PE"}, 'E': {"NB"}, 'G': {"QC"}, 'H': {"QC"}, 'J': {"QC"},
	'K': {"ON"}, 'L': {"ON"}, 'M': {"ON"}, 'N': {"ON"}, 'P': {"ON"}, 'R': {"MB"}, 'S': {"SK"},
	'T': {"AB"}, 'V': {"BC"}, 'X': {"NT", "NU"}, 'Y': {"YT"},
}

var auStates = map[string]string{
	"ACT": "Australian Capital Territory", "NSW": "New South Wales", "NT": "Northern Territory",
	"QLD": "Queensland", "SA": "South Australia", "TAS": "Tasmania", "VIC": "Victoria", "WA": "Western Australia",
}

var auPostalStates = map[byte][]string{
	'0': {"NT"}, '2': {"NSW", "ACT"}, '3': {"VIC"}, '4': {"QLD"}, '5': {"SA"}, '6': {"WA"}, '7': {"TAS"},
}

var countries = map[string]country{
	"US": {name: "United States", region: "na", postal: re(`^\d{5}(-?\d{4})?$`), format: "5 digits, or ZIP+4 as 12345-6789",
		normPostal: func(s string) string {
			s = strings.ReplaceAll(s, "-", "")
			if len(s) == 9 {
				return s[:5] + "-" + s[5:]
			}
			return s
		}, states: usStates},
	"CA": {name: "Canada", region: "na", postal: re(`^(?i)[A-Z]\d[A-Z] ?\d[A-Z]\d$`), format: "A1A 1A1", normPostal: spaceBefore(3), states: caProvinces},
	"MX": {name: "Mexico", region: "latam", postal: re(`^\d{5}$`), format: "5 digits"},
	"DE": {name: "Germany", region: "emea", postal: re(`^\d{5}$`), format: "5 digits (PLZ)"},
	"AT": {name: "Austria", region: "emea", postal: re(`^\d{4}$`), format: "4 digits"},
	"CH": {name: "Switzerland", region: "emea", postal: re(`^\d{4}$`), format: "4 digits"},
	"FR": {name: "France", region: "emea", postal: re(`^\d{5}$`), format: "5 digits"},
	"ES": {name: "Spain", region: "emea", postal: re(`^\d{5}$`), format: "5 digits"},
	"IT": {name: "Italy", region: "emea", postal: re(`^\d{5}$`), format: "5 digits (CAP)"},
	"NL": {name: "Netherlands", region: "emea", postal: re(`^(?i)\d{4} ?[A-Z]{2}$`), format: "1234 AB", normPostal: spaceBefore(2)},
	"BE": {name: "Belgium", region: "emea", postal: re(`^\d{4}$`), format: "4 digits"},
	"DK": {name: "Denmark", region: "emea", postal: re(`^\d{4}$`), format: "4 digits"},
	"NO": {name: "Norway", region: "emea", postal: re(`^\d{4}$`), format: "4 digits"},
	"SE": {name: "Sweden", region: "emea", postal: re(`^\d{3} ?\d{2}$`), format: "123 45", normPostal: spaceBefore(2)},
	"FI": {name: "Finland", region: "emea", postal: re(`^\d{5}$`), format: "5 digits"},
	"PL": {name: "Poland", region: "emea", postal: re(`^\d{2}-?\d{3}$`), format: "12-345", normPostal: dashBefore(3)},
	"IE": {name: "Ireland", region: "emea", postal: re(`^(?i)[A-Z]\d[\dW] ?[A-Z\d]{4}$`), format: "Eircode, e.g. D02 X285", normPostal: spaceBefore(4)},
	"PT": {name: "Portugal", region: "emea", postal: re(`^\d{4}-?\d{3}$`), format: "1234-567", normPostal: dashBefore(3)},
	"GB": {name: "United Kingdom", region: "emea", postal: re(`^(?i)(GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$`), format: "e.g. SW1A 1AA", normPostal: spaceBefore(3)},
	"RU": {name: "Russia", region: "emea", postal: re(`^\d{6}$`), format: "6 digits"},
	"TR": {name: "Türkiye", region: "emea", postal: re(`^\d{5}$`), format: "5 digits"},
	"AE": {name: "United Arab Emirates", region: "emea", noPostal: true},
	"SA": {name: "Saudi Arabia", region: "emea", postal: re(`^\d{5}(-?\d{4})?$`), format: "5 digits"},
	"EG": {name: "Egypt", region: "emea", postal: re(`^\d{5}$`), format: "5 digits"},
	"NG": {name: "Nigeria", region: "emea", postal: re(`^\d{6}$`), format: "6 digits"},
	"ZA": {name: "South Africa", region: "emea", postal: re(`^\d{4}$`), format: "4 digits"},
	"IL": {name: "Israel", region: "emea", postal: re(`^\d{7}$`), format: "7 digits"},
	"JP": {name: "Japan", region: "apac", postal: re(`^\d{3}-?\d{4}$`), format: "123-4567", normPostal: dashBefore(4)},
	"CN": {name: "China", region: "apac", postal: re(`^\d{6}$`), format: "6 digits"},
	"HK": {name: "Hong Kong", region: "apac", noPostal: true},
	"KR": {name: "South Korea", region: "apac", postal: re(`^\d{5}$`), format: "5 digits"},
	"SG": {name: "Singapore", region: "apac", postal: re(`^\d{6}$`), format: "6 digits"},
	"AU": {name: "Australia", region: "apac", postal: re(`^\d{4}$`), format: "4 digits", states: auStates},
	"NZ": {name: "New Zealand", region: "apac", postal: re(`^\d{4}$`), format: "4 digits"},
	"IN": {name: "India", region: "apac", postal: re(`^\d{6}$`), format: "6 digits (PIN)"},
	"VN": {name: "Vietnam", region: "apac", postal: re(`^\d{6}$`), format: "6 digits"},
	"TW": {name: "Taiwan", region: "apac", postal: re(`^\d{3}(\d{2,3})?$`), format: "3, 5 or 6 digits"},
	"TH": {name: "Thailand", region: "apac", postal: re(`^\d{5}$`), format: "5 digits"},
	"BR": {name: "Brazil", region: "latam", postal: re(`^\d{5}-?\d{3}$`), format: "12345-678 (CEP)", normPostal: dashBefore(3)},
	"AR": {name: "Argentina", region: "latam", postal: re(`^(?i)([A-Z]\d{4}[A-Z]{3}|\d{4})$`), format: "C1234ABC (CPA) or 4 digits", normPostal: upperNoSpace},
	"CL": {name: "Chile", region: "latam", postal: re(`^\d{7}$`), format: "7 digits"},
	"CO": {name: "Colombia", region: "latam", postal: re(`^\d{6}$`), format: "6 digits"},
	"PE": {name: "Peru", region: "latam", postal: re(`^\d{5}$`), format: "5 digits"},
}

// countryAliases maps names people write instead of ISO codes.
var countryAliases = map[string]string{
	"usa": "US", "united states": "US", "united states of america": "US", "america": "US",
	"uk": "GB", "united kingdom": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
	"germany": "DE", "deutschland": "DE", "ger": "DE", "deu": "DE", "france": "FR", "fra": "FR",
	"canada": "CA", "can": "CA", "mexico": "MX", "méxico": "MX", "mex": "MX", "spain": "ES", "españa": "ES",
	"italy": "IT", "italia": "IT", "netherlands": "NL", "holland": "NL", "switzerland": "CH", "schweiz": "CH",
	"austria": "AT", "österreich": "AT", "japan": "JP", "jpn": "JP", "china": "CN", "chn": "CN",
	"australia": "AU", "aus": "AU", "india": "IN", "ind": "IN", "brazil": "BR", "brasil": "BR", "bra": "BR",
	"sweden": "SE", "poland": "PL", "polska": "PL", "ireland": "IE", "korea": "KR", "south korea": "KR",
	"singapore": "SG", "argentina": "AR", "chile": "CL", "colombia": "CO", "peru": "PE", "turkey": "TR",
	"türkiye": "TR", "russia": "RU", "uae": "AE", "united arab emirates": "AE", "saudi arabia": "SA",
	"egypt": "EG", "nigeria": "NG", "vietnam": "VN", "new zealand": "NZ", "south africa": "ZA",
}

// place is a postal code the built-in table knows.
type place struct {
	country, postal, city, state string
	aliases                      []string // other spellings of city
}

// knownPlaces is the small built-in postal table used to catch city and
// state mismatches and to suggest corrections.
var knownPlaces = []place{
	{"US", "90210", "Beverly Hills", "CA", nil},
	{"US", "90012", "Los Angeles", "CA", nil},
	{"US", "94105", "San Francisco", "CA", nil},
	{"US", "10001", "New York", "NY", []string{"New York City", "NYC", "Manhattan"}},
	{"US", "10118", "New York", "NY", []string{"New York City", "NYC", "Manhattan"}},
	{"US", "60601", "Chicago", "IL", nil},
	{"US", "78701", "Austin", "TX", nil},
	{"US", "98101", "Seattle", "WA", nil},
	{"US", "02108", "Boston", "MA", nil},
	{"US", "89502", "Reno", "NV", nil},
	{"US", "89501", "Reno", "NV", nil},
	{"US", "30303", "Atlanta", "GA", nil},
	{"US", "33131", "Miami", "FL", nil},
	{"US", "38118", "Memphis", "TN", nil},
	{"US", "40209", "Louisville", "KY", nil},
	{"US", "80202", "Denver", "CO", nil},
	{"US", "85004", "Phoenix", "AZ", nil},
	{"US", "97204", "Portland", "OR", nil},
	{"US", "20500", "Washington", "DC", nil},
	{"DE", "10115", "Berlin", "", nil},
	{"DE", "80331", "München", "", []string{"Munich", "Muenchen"}},
	{"DE", "20095", "Hamburg", "", nil},
	{"DE", "50667", "Köln", "", []string{"Cologne", "Koeln"}},
	{"DE", "60311", "Frankfurt am Main", "", []string{"Frankfurt"}},
	{"DE", "04109", "Leipzig", "", nil},
	{"DE", "70173", "Stuttgart", "", nil},
	{"GB", "SW1A 1AA", "London", "", nil},
	{"GB", "EC1A 1BB", "London", "", nil},
	{"GB", "M1 1AE", "Manchester", "", nil},
	{"GB", "EH1 1YZ", "Edinburgh", "", nil},
	{"FR", "75001", "Paris", "", nil},
	{"CA", "M5V 3L9", "Toronto", "ON", nil},
	{"JP", "100-0005", "Tokyo", "", []string{"東京", "Chiyoda"}},
	{"AU", "2000", "Sydney", "NSW", nil},
}

var foldRunes = map[rune]string{
	'ä': "a", 'ö': "o", 'ü': "u", 'ß': "ss", 'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'å': "a",
	'ç': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ì': "i", 'í': "i", 'î': "i", 'ï': "i",
	'ñ': "n", 'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ø': "o", 'ù': "u", 'ú': "u", 'û': "u", 'ý': "y",
}

// foldName folds case, German umlaut spellings and diacritics and drops
// punctuation, for comparing city names: "MÜNCHEN", "Muenchen", "munchen".
func foldName(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("ae", "a", "oe", "o", "ue", "u").Replace(s)
	var b strings.Builder
	for _, r := range s {
		if f, ok := foldRunes[r]; ok {
			b.WriteString(f)
		} else if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (p place) matchesCity(city string) bool {
	f := foldName(city)
	if f == foldName(p.city) {
		return true
	}
	for _, a := range p.aliases {
		if f == foldName(a) {
			return true
		}
	}
	return false
}

func placeByPostal(cc, postal string) (place, bool) {
	for _, p := range knownPlaces {
		if p.country == cc && p.postal == postal {
			return p, true
		}
	}
	return place{}, false
}

// postalsOfCity lists the known postal codes of a city (and state, when set).
func postalsOfCity(cc, city, state string) []place {
	var out []place
	for _, p := range knownPlaces {
		if p.country == cc && p.matchesCity(city) && (state == "" || p.state == "" || p.state == state) {
			out = append(out, p)
		}
	}
	return out
}

var spaces = regexp.MustCompile(`\s+`)

func clean(s string) string { return strings.TrimSpace(spaces.ReplaceAllString(s, " ")) }

// titleIfFlat capitalizes each word of an all-lower-case or all-upper-case
// city name ("beverly hills" -> "Beverly Hills"); mixed case is kept.
func titleIfFlat(s string) string {
	if s != strings.ToLower(s) && s != strings.ToUpper(s) {
		return s
	}
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		r, n := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + w[n:]
	}
	return strings.Join(words, " ")
}

// ValidateAddress checks a and returns it normalized, with field errors
// that name the field, the rule and (when likely) a corrected value.
// prefix is prepended to field names ("to." gives "to.postal_code").
func ValidateAddress(a Address, prefix string) Validation {
	v := Validation{Errors: []FieldError{}, Warnings: []FieldError{}, Changes: []string{}}
	orig := a
	fail := func(field, code, suggestion, format string, args ...any) {
		v.Errors = append(v.Errors, FieldError{Field: prefix + field, Code: code, Message: fmt.Sprintf(format, args...), Suggestion: suggestion})
	}
	warn := func(field, code, format string, args ...any) {
		v.Warnings = append(v.Warnings, FieldError{Field: prefix + field, Code: code, Message: fmt.Sprintf(format, args...)})
	}
	for _, f := range []*string{&a.Name, &a.Company, &a.Line1, &a.Line2, &a.City, &a.State, &a.PostalCode, &a.Country, &a.Phone, &a.Email} {
		*f = clean(*f)
	}

	// Country first: every other rule depends on it.
	cc := strings.ToUpper(a.Country)
	c, known := countries[cc]
	switch {
	case a.Country == "":
		fail("country", "required", "", "country is required (ISO 3166-1 alpha-2 code, e.g. US, DE, GB)")
	case !known:
		sug := countryAliases[strings.ToLower(a.Country)]
		if sug != "" {
			fail("country", "invalid_format", sug, "country '%s' is not an ISO 3166-1 alpha-2 code; did you mean %s?", a.Country, sug)
		} else {
			fail("country", "unknown", "", "country '%s' is not a country code this API ships to; use an ISO 3166-1 alpha-2 code such as US, DE or GB", a.Country)
		}
	default:
		a.Country = cc
	}

	if a.Name == "" && a.Company == "" {
		warn("name", "required_for_label", "no recipient name or company: a label cannot be bought for this address until one is set")
	}
	if a.Line1 == "" {
		if a.Line2 != "" {
			fail("line1", "required", a.Line2, "line1 is required (street and number); line2 is set: did you mean to put '%s' in line1?", a.Line2)
		} else {
			fail("line1", "required", "", "line1 is required (street and number)")
		}
	}
	for _, l := range []struct {
		field string
		v     string
	}{{"line1", a.Line1}, {"line2", a.Line2}} {
		if n := utf8.RuneCountInString(l.v); n > MaxLineChars {
			fail(l.field, "too_long", "", "%s is %d characters; carriers print at most %d per line: move the rest (suite, floor, c/o) to line2", l.field, n, MaxLineChars)
		}
	}
	if a.City == "" {
		sug := ""
		if known {
			if p, ok := placeByPostal(cc, a.PostalCode); ok {
				sug = p.city
			}
		}
		if sug != "" {
			fail("city", "required", sug, "city is required; postal code %s is in %s: did you mean %s?", a.PostalCode, sug, sug)
		} else {
			fail("city", "required", "", "city is required")
		}
	} else {
		a.City = titleIfFlat(a.City)
	}

	if known {
		validateRegion(&a, cc, c, fail, warn)
		validatePostal(&a, cc, c, fail, warn)
	}

	v.Residential = a.Company == ""
	for _, ch := range []struct {
		name     string
		was, now string
	}{{"city", orig.City, a.City}, {"state", orig.State, a.State}, {"postal_code", orig.PostalCode, a.PostalCode}, {"country", orig.Country, a.Country},
		{"line1", orig.Line1, a.Line1}, {"line2", orig.Line2, a.Line2}, {"name", orig.Name, a.Name}, {"company", orig.Company, a.Company}} {
		if ch.was != ch.now {
			v.Changes = append(v.Changes, prefix+ch.name)
		}
	}
	v.Valid = len(v.Errors) == 0
	v.Address = a
	if !v.Valid {
		v.Address = orig
	}
	return v
}

type failFunc func(field, code, suggestion, format string, args ...any)
type warnFunc func(field, code, format string, args ...any)

func validateRegion(a *Address, cc string, c country, fail failFunc, warn warnFunc) {
	if c.states == nil {
		return
	}
	label := map[string]string{"US": "state", "CA": "province", "AU": "state"}[cc]
	if a.State == "" {
		sug := ""
		if p, ok := placeByPostal(cc, normalizedPostal(a.PostalCode, c)); ok {
			sug = p.state
		}
		fail("state", "required", sug, "state is required for %s addresses (the 2- or 3-letter %s code)%s", c.name, label, didYouMean(sug))
		return
	}
	up := strings.ToUpper(a.State)
	if _, ok := c.states[up]; ok {
		a.State = up
		return
	}
	for code, name := range c.states {
		if foldName(name) == foldName(a.State) {
			warn("state", "normalized", "state '%s' written as its code %s", a.State, code)
			a.State = code
			return
		}
	}
	sug := ""
	if p, ok := placeByPostal(cc, normalizedPostal(a.PostalCode, c)); ok {
		sug = p.state
	}
	fail("state", "invalid_format", sug, "state '%s' is not a %s %s code%s", a.State, c.name, label, didYouMean(sug))
}

func didYouMean(s string) string {
	if s == "" {
		return ""
	}
	return "; did you mean " + s + "?"
}

func normalizedPostal(p string, c country) string {
	if c.postal == nil || !c.postal.MatchString(p) {
		return strings.ToUpper(p)
	}
	if c.normPostal != nil {
		return c.normPostal(p)
	}
	return p
}

func validatePostal(a *Address, cc string, c country, fail failFunc, warn warnFunc) {
	if c.noPostal {
		if a.PostalCode != "" {
			warn("postal_code", "not_used", "%s has no postal codes; '%s' was removed", c.name, a.PostalCode)
			a.PostalCode = ""
		}
		return
	}
	if c.postal == nil {
		return
	}
	p := a.PostalCode
	kind := map[string]string{"US": "US ZIP code", "DE": "German postal code (PLZ)", "GB": "UK postcode", "CA": "Canadian postal code"}[cc]
	if kind == "" {
		kind = c.name + " postal code"
	}
	if p == "" {
		sug := ""
		if ps := postalsOfCity(cc, a.City, a.State); len(ps) > 0 {
			sug = ps[0].postal
		}
		fail("postal_code", "required", sug, "postal_code is required for %s addresses (%s)%s", c.name, c.format, didYouMean(sug))
		return
	}
	if !c.postal.MatchString(p) {
		sug := suggestPostal(cc, c, a)
		if sug != "" {
			fail("postal_code", "invalid_format", sug, "postal_code '%s' is not a %s; did you mean %s?", p, kind, sug)
		} else {
			fail("postal_code", "invalid_format", "", "postal_code '%s' is not a %s (expected %s)", p, kind, c.format)
		}
		return
	}
	if c.normPostal != nil {
		a.PostalCode = c.normPostal(p)
	}
	p = a.PostalCode

	// City and state against the built-in table.
	key := p
	if cc == "US" {
		key = p[:5]
	}
	if pl, ok := placeByPostal(cc, key); ok {
		if pl.state != "" && a.State != "" && c.states != nil && c.states[a.State] != "" && a.State != pl.state {
			fail("state", "mismatch", pl.state, "state '%s' does not match postal code %s, which is in %s, %s; did you mean %s?", a.State, p, pl.city, pl.state, pl.state)
		}
		if a.City != "" && !pl.matchesCity(a.City) {
			msg := fmt.Sprintf("city '%s' does not match postal code %s (%s); did you mean %s?", a.City, p, pl.city, pl.city)
			if others := postalsOfCity(cc, a.City, a.State); len(others) > 0 {
				msg += fmt.Sprintf(" Or, if the city is right, the postal code is wrong (%s has e.g. %s)", others[0].city, others[0].postal)
			}
			fail("city", "mismatch", pl.city, "%s", msg)
		} else if a.City != "" && a.City != pl.city && foldName(a.City) == foldName(pl.city) {
			a.City = pl.city // canonical spelling
		}
		return
	}
	switch cc {
	case "US":
		states := usZipStates[p[0]]
		if a.State != "" && usStates[a.State] != "" && !slices.Contains(states, a.State) {
			sug := ""
			if ps := postalsOfCity(cc, a.City, a.State); len(ps) > 0 {
				sug = ps[0].postal
			}
			fail("postal_code", "mismatch", sug, "postal_code '%s' is not a %s ZIP code (ZIP codes starting with %c are in %s)%s",
				p, a.State, p[0], strings.Join(states, ", "), didYouMean(sug))
		}
	case "CA":
		provs := caPostalProvinces[p[0]]
		if a.State != "" && caProvinces[a.State] != "" && !slices.Contains(provs, a.State) {
			fail("postal_code", "mismatch", "", "postal_code '%s' is not in %s (postal codes starting with %c are in %s)", p, a.State, p[0], strings.Join(provs, ", "))
		}
	case "AU":
		sts := auPostalStates[p[0]]
		if a.State != "" && auStates[a.State] != "" && len(sts) > 0 && !slices.Contains(sts, a.State) {
			fail("postal_code", "mismatch", "", "postal_code '%s' is not in %s (postcodes starting with %c are in %s)", p, a.State, p[0], strings.Join(sts, ", "))
		}
	}
}

// suggestPostal guesses the intended postal code from a malformed one:
// a known code of the same city that starts with the digits given, or the
// code with a dropped leading zero restored (spreadsheets strip them).
func suggestPostal(cc string, c country, a *Address) string {
	p := strings.ReplaceAll(a.PostalCode, " ", "")
	city := postalsOfCity(cc, a.City, a.State)
	for _, pl := range city {
		if strings.HasPrefix(strings.ReplaceAll(pl.postal, " ", ""), p) || strings.HasPrefix(pl.postal, "0"+p) {
			return pl.postal
		}
	}
	if digitsOnly(p) && c.postal.MatchString("0"+p) {
		z := "0" + p
		if cc != "US" || a.State == "" || slices.Contains(usZipStates['0'], a.State) {
			return normalizedPostal(z, c)
		}
	}
	if len(city) > 0 {
		return city[0].postal
	}
	return ""
}

func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// CountryRegion returns the sales region (na, emea, apac, latam) of a
// country code, "" if unknown.
func CountryRegion(cc string) string { return countries[strings.ToUpper(cc)].region }

// CountryName returns a country's English name, or the code if unknown.
func CountryName(cc string) string {
	if c, ok := countries[strings.ToUpper(cc)]; ok {
		return c.name
	}
	return cc
}
