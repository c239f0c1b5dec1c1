package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// BenchmarkCredentialCheck is what anyone may make the server spend through
// POST /api/v1/verify/credential (public, within the per-address "verify"
// allowance: 10 a second after a burst of 120): a certificate's own credential
// (valid), and that credential padded with distinct identity objects to 16,
// 64 and 256 KB (the largest body accepted), our key's id kept in its proof,
// so that only the size and internal/vc's bounds stop it before it is
// canonicalized. The floor is the public verification of the same serial,
// GET /verify/{serial}.json, in the same run (BENCHMARKS.md).
func BenchmarkCredentialCheck(b *testing.B) {
	// Each request from an address of its own (through a trusted proxy), so
	// that the per-address allowance does not stop the benchmark.
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	ts := startServerWith(b, courses.FS, Config{TrustedProxies: []*net.IPNet{loopback}})
	ag := ts.agency(b, "Agency Bench", "FR")
	admin := ts.token(b, ts.user(b, auth.RoleAdmin, nil, "Admin Bench"))
	officer := ts.token(b, ts.user(b, auth.RoleOfficer, &ag.ID, "Officer Bench"))
	ts.fixClock(weekBefore)
	res, body := ts.api(b, admin, "POST", "/api/v1/sessions", sessionBody(10, nil))
	if res.StatusCode != http.StatusCreated {
		b.Fatalf("session: %d %s", res.StatusCode, body)
	}
	session := decode[struct{ ID int64 }](b, body)
	me := decode[struct{ ID int64 }](b, func() string { _, s := ts.api(b, officer, "GET", "/api/v1/me", nil); return s }())
	serial := ts.storeCertificate(b, me.ID, recordCert{session: session.ID, date: "2026-12-03", course: "crypto-crime"})
	res, body = ts.api(b, officer, "GET", "/api/v1/certificates/"+serial+"/credential", nil)
	if res.StatusCode != http.StatusOK {
		b.Fatalf("credential: %d %s", res.StatusCode, body)
	}
	cred := []byte(body)
	var client atomic.Int64
	send := func(b *testing.B, method, path string, body []byte, valid bool) {
		req, _ := http.NewRequest(method, ts.URL+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		n := client.Add(1)
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255))
		res, err := benchClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || strings.Contains(string(out), `"valid":true`) != valid {
			b.Fatalf("%s %s: %d %.300s", method, path, res.StatusCode, out)
		}
	}
	b.Run("floor: GET /verify/{serial}.json", func(b *testing.B) {
		defer testfixture.CPUPerOp(b)()
		for i := 0; i < b.N; i++ {
			send(b, "GET", "/verify/"+serial+".json", nil, false)
		}
	})
	b.Run(fmt.Sprintf("own credential (%.1f KB)", float64(len(cred))/1024), func(b *testing.B) {
		defer testfixture.CPUPerOp(b)()
		for i := 0; i < b.N; i++ {
			send(b, "POST", "/api/v1/verify/credential", cred, true)
		}
	})
	for _, kb := range []int{16, 64, 256} {
		doc := paddedCredential(b, cred, kb<<10)
		b.Run(fmt.Sprintf("padded to %d KB", kb), func(b *testing.B) {
			defer testfixture.CPUPerOp(b)()
			for i := 0; i < b.N; i++ {
				send(b, "POST", "/api/v1/verify/credential", doc, false)
			}
		})
	}
}

// paddedCredential pads a credential with distinct identity objects up to
// just under size bytes, its proof kept (so it names our key and is
// canonicalized whole before its signature fails).
func paddedCredential(b *testing.B, cred []byte, size int) []byte {
	var doc map[string]any
	if err := json.Unmarshal(cred, &doc); err != nil {
		b.Fatal(err)
	}
	subject := doc["credentialSubject"].(map[string]any)
	ids := subject["identifier"].([]any)
	var under []byte // the largest padding marshalled so far that fits in size
	for i := 0; ; i++ {
		ids = append(ids, map[string]any{"type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
			"identityHash": fmt.Sprintf("sha256$%064x", i), "salt": fmt.Sprintf("%032x", i)})
		// An identity object marshals to about 205 bytes: over-estimated here,
		// so the first marshal near the size still fits in it.
		if len(cred)+len(ids)*240 < size-4000 {
			continue // far from the size yet: marshal only near it
		}
		subject["identifier"] = ids
		out, err := json.Marshal(doc)
		if err != nil {
			b.Fatal(err)
		}
		if len(out) > size {
			if under == nil {
				b.Fatalf("padding overshot %d bytes at once", size)
			}
			return under
		}
		under = out
		if len(out) > size-300 {
			return out
		}
	}
}
