package vc

import "testing"

func TestDIDWeb(t *testing.T) {
	cases := []struct{ base, did, url string }{
		{"https://lectern.example.org", "did:web:lectern.example.org", "https://lectern.example.org/.well-known/did.json"},
		{"https://lectern.example.org/", "did:web:lectern.example.org", "https://lectern.example.org/.well-known/did.json"},
		{"https://Lectern.Example.org", "did:web:lectern.example.org", "https://lectern.example.org/.well-known/did.json"},
		{"http://127.0.0.1:8080", "did:web:127.0.0.1%3A8080", "https://127.0.0.1:8080/.well-known/did.json"},
		{"https://x.org/lectern", "did:web:x.org:lectern", "https://x.org/lectern/did.json"},
		{"https://x.org/a/b/", "did:web:x.org:a:b", "https://x.org/a/b/did.json"},
		{"https://x.org:8443/training/lectern", "did:web:x.org%3A8443:training:lectern", "https://x.org:8443/training/lectern/did.json"},
		{"https://x.org/a%20b", "did:web:x.org:a%20b", "https://x.org/a%20b/did.json"},
		{"http://[::1]:8080", "did:web:%5B%3A%3A1%5D%3A8080", "https://[::1]:8080/.well-known/did.json"},
	}
	for _, c := range cases {
		did, err := DIDWeb(c.base)
		if err != nil || did != c.did {
			t.Errorf("DIDWeb(%q) = %q, %v; want %q", c.base, did, err, c.did)
			continue
		}
		u, err := DIDWebURL(did)
		if err != nil || u != c.url {
			t.Errorf("DIDWebURL(%q) = %q, %v; want %q", did, u, err, c.url)
		}
	}
	for _, bad := range []string{"", "lectern.example.org", "ftp://x.org", "https://", "https://x.org?a=1", "https://x.org#f", "https://u:p@x.org", "mailto:a@x.org"} {
		if did, err := DIDWeb(bad); err == nil {
			t.Errorf("DIDWeb(%q) = %q, want an error", bad, did)
		}
	}
	for _, bad := range []string{"", "did:web:", "did:key:z6Mk", "did:web:x.org#key", "did:web:x.org/p", "did:web:x.org::a", "did:web:x.org%2Fevil", "did:web:%zz"} {
		if u, err := DIDWebURL(bad); err == nil {
			t.Errorf("DIDWebURL(%q) = %q, want an error", bad, u)
		}
	}
}
