package transport

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxies parses MCP_TRUSTED_PROXIES entries: CIDRs
// (10.0.0.0/8) or single addresses.
func ParseTrustedProxies(entries []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if p, err := netip.ParsePrefix(e); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(e)
		if err != nil {
			return nil, fmt.Errorf("MCP_TRUSTED_PROXIES: %q is neither a CIDR (10.0.0.0/8) nor an IP address", e)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// peerHost is the host part of r.RemoteAddr.
func peerHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func trusted(proxies []netip.Prefix, host string) bool {
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr is the address a request comes from. The TCP peer, unless the
// peer is a trusted proxy: then the forwarding header is read from the
// right (the hop the nearest proxy saw), skipping trusted hops, and the
// first untrusted hop is the client. X-Forwarded-For is read when present,
// otherwise the for= parameters of Forwarded (RFC 7239). A client's own
// forwarding headers are never believed when it connects directly.
func ClientAddr(r *http.Request, proxies []netip.Prefix) string {
	peer := peerHost(r)
	if len(proxies) == 0 || !trusted(proxies, peer) {
		return peer
	}
	hops := forwardedHops(r.Header)
	for i := len(hops) - 1; i >= 0; i-- {
		h := hops[i]
		if !trusted(proxies, h) {
			if len(h) > 64 {
				h = h[:64]
			}
			return h
		}
		if i == 0 {
			return h // every hop is a trusted proxy: the first one
		}
	}
	return peer
}

func forwardedHops(h http.Header) []string {
	var hops []string
	if xff := h.Values("X-Forwarded-For"); len(xff) > 0 {
		for _, line := range xff {
			for _, p := range strings.Split(line, ",") {
				if p = strings.TrimSpace(p); p != "" {
					hops = append(hops, hostOnly(p))
				}
			}
		}
		return hops
	}
	for _, line := range h.Values("Forwarded") {
		for _, elem := range strings.Split(line, ",") {
			for _, pair := range strings.Split(elem, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if ok && strings.EqualFold(k, "for") {
					hops = append(hops, hostOnly(strings.Trim(v, `"`)))
				}
			}
		}
	}
	return hops
}

// hostOnly drops a port and IPv6 brackets: "[2001:db8::1]:4711" ->
// "2001:db8::1", "192.0.2.1:80" -> "192.0.2.1".
func hostOnly(s string) string {
	if h, _, err := net.SplitHostPort(s); err == nil {
		return h
	}
	return strings.Trim(s, "[]")
}
