package vc

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"
)

// Reproduce (BENCHMARKS.md, "Open Badges credentials: signing cost"):
//
//	go test ./internal/vc -run '^$' -bench . -benchtime 2s -count 5 -cpu 1
//
// BenchmarkEd25519Sign is the floor: one bare Ed25519 signature over the
// 64-byte hash data, the only cryptography eddsa-rdfc-2022 adds; everything
// above it is JSON-LD work. "uncached" parses the contexts for every document
// as json-gold does on its own; "cached" is what Sign and Verify do.
func BenchmarkEd25519Sign(b *testing.B) {
	_, priv := testKey()
	msg := make([]byte, 64)
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		ed25519.Sign(priv, msg)
	}
}

// BenchmarkSign signs an Open Badges 3.0 credential of the size certify issues
// (testdata/ob3-credential.json, 2.4 KB).
func BenchmarkSign(b *testing.B) {
	_, priv := testKey()
	doc := readOB3(b)
	opts := ProofOptions{VerificationMethod: testVM}
	withAndWithoutContextCache(b, func(b *testing.B) {
		for b.Loop() {
			if _, err := Sign(doc, priv, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	pub, priv := testKey()
	signed, err := Sign(readOB3(b), priv, ProofOptions{VerificationMethod: testVM})
	if err != nil {
		b.Fatal(err)
	}
	resolve := trustOnly(testVM, pub)
	withAndWithoutContextCache(b, func(b *testing.B) {
		for b.Loop() {
			if _, err := Verify(signed, resolve); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func withAndWithoutContextCache(b *testing.B, run func(b *testing.B)) {
	for _, c := range []struct {
		name string
		on   bool
	}{{"cached", true}, {"uncached", false}} {
		b.Run(c.name, func(b *testing.B) {
			contextCacheOn = c.on
			defer func() { contextCacheOn = true }()
			b.ReportAllocs()
			defer reportCPU(b)()
			run(b)
		})
	}
}

// reportCPU adds cpu-ns/op, the process's CPU time (user + system, GC included)
// per operation: on a shared machine at load 10 wall time per op mostly
// measures waiting for a core, CPU time much less so.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCanonicalize_Bounds: the costliest documents the bounds of bounds.go
// let through, and the cost of refusing one past them, against one
// canonicalization of the credential certify issues (the floor of this table).
//
//	go test ./internal/vc -run '^$' -bench Canonicalize_Bounds -benchtime 20x -count 5 -cpu 1
func BenchmarkCanonicalize_Bounds(b *testing.B) {
	ob := []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"}
	achievements := make([]any, 320)
	for i := range achievements {
		achievements[i] = map[string]any{"type": "Achievement", "name": fmt.Sprintf("a%d", i)}
	}
	iris := make([]any, 990)
	for i := range iris {
		iris[i] = fmt.Sprintf("https://example.org/t/%d", i)
	}
	items := make([]any, 600)
	for i := range items {
		items[i] = i
	}
	marshal := func(v any) []byte {
		out, err := json.Marshal(v)
		if err != nil {
			b.Fatal(err)
		}
		return out
	}
	for _, c := range []struct {
		name   string
		doc    []byte
		refuse bool
	}{
		{"credential", readOB3(b), false},
		{"accepted/185_identity_objects", withIdentifiers(b, readOB3(b), 185), false},
		{"accepted/320_achievements", marshal(map[string]any{"@context": ob, "id": "urn:x",
			"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
			"credentialSubject": map[string]any{"type": "AchievementSubject", "achievement": achievements}}), false},
		{"accepted/990_distinct_IRIs", marshal(map[string]any{"@context": ob[0], "id": "urn:x", "type": iris}), false},
		{"refused/2500_identity_objects_225KB", withIdentifiers(b, readOB3(b), 2500), true},
		{"refused/600-item_list", marshal(map[string]any{"@context": ob[0], "id": "urn:x",
			"https://example.org/l": map[string]any{"@list": items}}), true},
	} {
		b.Run(c.name, func(b *testing.B) {
			if _, err := Canonicalize(c.doc); (err != nil) != c.refuse {
				b.Fatalf("%d bytes: %v", len(c.doc), err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(c.doc)))
			defer reportCPU(b)()
			for b.Loop() {
				Canonicalize(c.doc)
			}
		})
	}
}
