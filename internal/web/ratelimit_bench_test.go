package web

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/ratelimit"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// BenchmarkAddressLimit: the per-address limit's cost on the two routes it
// guards most, counted in memory (a token bucket per process) against in the
// database (one upsert per request, shared by processes), on SQLite and on
// PostgreSQL (LECTERN_TEST_POSTGRES_URL): same server, same route, same run.
// Clients come through a trusted proxy, a new address every 100 requests (a
// room behind one NAT), so neither limit refuses any.
func BenchmarkAddressLimit(b *testing.B) {
	databases := map[string]func(testing.TB) string{"sqlite": func(t testing.TB) string { return filepath.Join(t.TempDir(), "lectern.db") }}
	if os.Getenv("LECTERN_TEST_POSTGRES_URL") != "" {
		databases["postgres"] = postgresDSN
	}
	routes := []struct{ name, path string }{{"verify", "/verify/AAAAAAAAAAAAAAAA.json"}, {"activate", "/activate"}}
	for _, dbName := range []string{"sqlite", "postgres"} {
		dsn, ok := databases[dbName]
		if !ok {
			continue
		}
		for _, counted := range []string{"memory", "database"} {
			for _, r := range routes {
				b.Run(dbName+"/"+counted+"/"+r.name, func(b *testing.B) {
					_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
					cfg := Config{TrustedProxies: []*net.IPNet{loopback}}
					ts := startServerFull(b, courses.FS, cfg, app.Options{}, dsn(b), io.Discard)
					// A server of its own over the same App, counting where asked.
					a := ts.Server.app
					if counted == "memory" {
						a.AddressLimits = nil
					} else if a.AddressLimits == nil {
						a.AddressLimits = ratelimit.New(ts.DB, ratelimit.AddressLimit, ratelimit.AddressWindow)
					}
					cfg.BaseURL = "http://127.0.0.1"
					s, err := New(cfg, a)
					if err != nil {
						b.Fatal(err)
					}
					base := serveLoopback(b, s.HTTPServer())
					want := http.StatusOK
					if r.name == "verify" {
						want = http.StatusNotFound
					}
					var n atomic.Int64
					b.ResetTimer()
					defer testfixture.CPUPerOp(b)()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							i := n.Add(1) / 100
							req, _ := http.NewRequest("GET", base+r.path, nil)
							req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
							res, err := benchClient.Do(req)
							if err != nil {
								b.Fatal(err)
							}
							io.Copy(io.Discard, res.Body)
							res.Body.Close()
							if res.StatusCode != want {
								b.Fatalf("GET %s: %d, want %d", r.path, res.StatusCode, want)
							}
						}
					})
				})
			}
		}
	}
}
