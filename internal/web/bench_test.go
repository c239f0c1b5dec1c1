package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/metrics"
	"github.com/lectern-platform/lectern/internal/quiz"
	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// Benchmarks of the hot paths, each beside a floor measured in the same run on
// the same machine (see BENCHMARKS.md): the ratio ours / floor is what we track,
// because absolute times drift on shared machines.

var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

func benchGet(b *testing.B, url, token string) {
	b.Helper()
	defer testfixture.CPUPerOp(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", url, nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			res, err := benchClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Fatalf("GET %s: %d", url, res.StatusCode)
			}
		}
	})
}

// BenchmarkFloor_StaticFile is the floor for page reads: a static file from the
// same server and middleware.
func BenchmarkFloor_StaticFile(b *testing.B) {
	ts := startServer(b, courses.FS)
	b.ResetTimer()
	benchGet(b, ts.URL+"/static/css/lectern.css", "")
}

// BenchmarkModulePage: a signed-in officer reads a module (rendered at load,
// served from memory).
func BenchmarkModulePage(b *testing.B) {
	ts := startServer(b, courses.FS)
	ag := ts.agency(b, "Bench", "FR")
	token := ts.token(b, ts.user(b, auth.RoleOfficer, &ag.ID, "Reader"))
	b.ResetTimer()
	benchGet(b, ts.URL+"/courses/crypto-crime/01-blockchain", token)
}

// BenchmarkFloor_EchoInsert is the floor for autosave: a bare echo handler doing
// one INSERT through a single SQLite connection with the same pragmas.
func BenchmarkFloor_EchoInsert(b *testing.B) {
	db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "floor.db"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.W.Exec("CREATE TABLE floor (id INTEGER PRIMARY KEY, body TEXT, at INTEGER)").Error; err != nil {
		b.Fatal(err)
	}
	e := echo.New()
	e.PUT("/x", func(c echo.Context) error {
		body, _ := io.ReadAll(c.Request().Body)
		if err := db.W.Exec("INSERT INTO floor (body, at) VALUES (?, ?)", string(body), time.Now().UnixNano()).Error; err != nil {
			return err
		}
		return c.String(http.StatusOK, "ok")
	})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	srv := &http.Server{Handler: e}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/x"
	b.ResetTimer()
	defer testfixture.CPUPerOp(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("PUT", url, strings.NewReader(`{"choices":["a"],"seq":1}`))
			res, err := benchClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	})
}

// BenchmarkAutosave: officers save answers to their attempts, each save a new seq.
func BenchmarkAutosave(b *testing.B) { benchAutosave(b, Config{}, app.Options{}) }

// BenchmarkAutosave_Metrics: the same with metrics kept (every request observed
// by route, every save counted), as with --metrics-addr or LECTERN_METRICS_TOKEN.
func BenchmarkAutosave_Metrics(b *testing.B) {
	benchAutosave(b, Config{MetricsToken: "bench-metrics-token"}, app.Options{Metrics: metrics.New()})
}

func benchAutosave(b *testing.B, cfg Config, o app.Options) {
	ts := startServerApp(b, courses.FS, cfg, o)
	w := &world{ts: ts}
	w.agencyA = ts.agency(b, "Bench", "FR")
	trainer := ts.user(b, auth.RoleTrainer, nil, "Trainer")
	ts.fixClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
	trainerTok := ts.token(b, trainer)
	res, body := ts.api(b, trainerTok, "POST", "/api/v1/sessions", sessionBody(64, nil))
	if res.StatusCode != 201 {
		b.Fatalf("session: %s", body)
	}
	sid := decode[struct{ ID int64 }](b, body).ID
	type officer struct {
		token, qid, choice string
		attempt            int64
	}
	var officers []officer
	for i := 0; i < 8; i++ {
		c := ts.user(b, auth.RoleOfficer, &w.agencyA.ID, fmt.Sprintf("Officer %d", i))
		u, _ := ts.DB.UserByEmail(context.Background(), c.Email)
		ts.api(b, trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", sid), map[string]any{"user_id": u.ID})
		tok := ts.token(b, c)
		_, body := ts.api(b, tok, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-blockchain/attempts", sid), nil)
		v := decode[struct {
			ID        int64
			Questions []struct {
				ID, Type string
				Choices  []struct{ ID string }
			}
		}](b, body)
		for _, q := range v.Questions {
			if q.Type == "single" {
				officers = append(officers, officer{token: tok, qid: q.ID, choice: q.Choices[0].ID, attempt: v.ID})
				break
			}
		}
	}
	var n, seq atomic.Int64
	b.ResetTimer()
	defer testfixture.CPUPerOp(b)()
	b.RunParallel(func(pb *testing.PB) {
		o := officers[int(n.Add(1))%len(officers)]
		url := fmt.Sprintf("%s/api/v1/attempts/%d/answers/%s", ts.URL, o.attempt, o.qid)
		for pb.Next() {
			req, _ := http.NewRequest("PUT", url, strings.NewReader(fmt.Sprintf(`{"choices":[%q],"seq":%d}`, o.choice, seq.Add(1))))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+o.token)
			res, err := benchClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Fatalf("autosave: %d", res.StatusCode)
			}
		}
	})
}

// BenchmarkScore: scoring a 15-question attempt (the module 1 quiz) in memory.
func BenchmarkScore(b *testing.B) {
	c, _ := (&testServer{}).libraryCourse(b)
	qs := quiz.Snapshot(c.Module("01-blockchain").Quiz, 1)
	answers := map[string]quiz.Answer{}
	for _, q := range qs {
		if len(q.Choices) > 0 {
			answers[q.ID] = quiz.Answer{Choices: []string{q.Choices[0].ID}}
		} else {
			t := "proof of work"
			answers[q.ID] = quiz.Answer{Text: &t}
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		quiz.Total(qs, answers, 70)
	}
}
