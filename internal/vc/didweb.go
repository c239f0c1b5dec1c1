package vc

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// DIDWeb derives the did:web identifier of a site from its base URL, per the
// did:web method: the host, with a port written as %3A, then each path segment
// after a ':'.
//
//	https://lectern.example.org   → did:web:lectern.example.org
//	http://127.0.0.1:8080         → did:web:127.0.0.1%3A8080
//	https://x.org/lectern         → did:web:x.org:lectern
//
// The scheme is dropped: did:web is resolved over https (DIDWebURL). A test
// server on plain http is reached by a document loader that maps the DID to
// its http URL itself.
func DIDWeb(baseURL string) (string, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return "", fmt.Errorf("did:web of %q: %w", baseURL, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", fmt.Errorf("did:web of %q: the base URL must be http or https", baseURL)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("did:web of %q: the base URL must be scheme://host[:port][/path] only", baseURL)
	}
	var b strings.Builder
	b.WriteString("did:web:")
	b.WriteString(didEscape(strings.ToLower(u.Host)))
	for _, seg := range strings.Split(strings.Trim(u.EscapedPath(), "/"), "/") {
		if seg == "" {
			continue
		}
		raw, err := url.PathUnescape(seg)
		if err != nil {
			return "", fmt.Errorf("did:web of %q: %w", baseURL, err)
		}
		b.WriteByte(':')
		b.WriteString(didEscape(raw))
	}
	return b.String(), nil
}

// DIDWebURL is the inverse of DIDWeb: the https URL of the DID document,
// https://host/.well-known/did.json without a path, https://host/path/did.json
// with one.
func DIDWebURL(did string) (string, error) {
	rest, ok := strings.CutPrefix(did, "did:web:")
	if !ok || rest == "" {
		return "", fmt.Errorf("did:web URL of %q: not a did:web identifier", did)
	}
	if strings.ContainsAny(rest, "/?#") {
		return "", fmt.Errorf("did:web URL of %q: a DID URL, not a DID", did)
	}
	parts := strings.Split(rest, ":")
	for i, p := range parts {
		if p == "" {
			return "", fmt.Errorf("did:web URL of %q: empty segment", did)
		}
		dec, err := url.PathUnescape(p)
		if err != nil {
			return "", fmt.Errorf("did:web URL of %q: %w", did, err)
		}
		parts[i] = dec
	}
	host := parts[0]
	if strings.ContainsAny(host, "/@") {
		return "", errors.New("did:web URL: the host part holds a '/' or '@'")
	}
	if len(parts) == 1 {
		return "https://" + host + "/.well-known/did.json", nil
	}
	segs := make([]string, len(parts)-1)
	for i, p := range parts[1:] {
		segs[i] = url.PathEscape(p)
	}
	return "https://" + host + "/" + strings.Join(segs, "/") + "/did.json", nil
}

// didEscape percent-encodes everything that may not stand in a did:web segment
// as it is (DID idchar: ALPHA / DIGIT / "." / "-" / "_"), the port's ':' above all.
func didEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
