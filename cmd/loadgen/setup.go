package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// API shapes loadgen reads (only the fields it needs; see docs/api.md).
type (
	userOut struct {
		ID int64 `json:"id"`
	}
	loginOut struct {
		Token string  `json:"token"`
		User  userOut `json:"user"`
	}
	agencyOut struct {
		ID int64 `json:"id"`
	}
	sessionOut struct {
		ID       int64     `json:"id"`
		StartsAt time.Time `json:"starts_at"`
		EndsAt   time.Time `json:"ends_at"`
	}
	quizOut struct {
		ID               string `json:"id"`
		Title            string `json:"title"`
		Questions        int    `json:"questions"`
		TimeLimitSeconds int    `json:"time_limit_seconds"`
	}
	rosterOut struct {
		Rows       int `json:"rows"`
		Created    int `json:"created"`
		Enrolled   int `json:"enrolled"`
		Waitlisted int `json:"waitlisted"`
		Already    int `json:"already"`
	}
)

// fixture is what setup made: one agency, one trainer, the officers, and today's
// session they are all enrolled in.
type fixture struct {
	adminToken string
	sessionID  int64
	quiz       quizOut
	officers   []*officer
}

// Roster imports are limited to 10,000 rows and a 1 MiB body; stay well inside.
const (
	rosterMaxRows  = 5000
	rosterMaxBytes = 900 << 10
)

// setup creates the fixture through the public API, as an admin would. It is not
// timed: only the quiz itself is under test.
func (r *runner) setup(ctx context.Context) (*fixture, error) {
	c, cfg := r.client, r.cfg
	fx := &fixture{}
	var login loginOut
	if err := c.do(ctx, call{method: "POST", path: "/api/v1/auth/login", want: http.StatusOK, out: &login,
		body: map[string]string{"email": cfg.AdminEmail, "password": cfg.AdminPassword}}); err != nil {
		return nil, fmt.Errorf("admin login: %w", err)
	}
	fx.adminToken = login.Token
	admin := func(method, path string, body, out any) error {
		return c.do(ctx, call{method: method, path: path, token: fx.adminToken, body: body, want: wantFor(method), out: out})
	}

	var agency agencyOut
	if err := admin("POST", "/api/v1/agencies", map[string]string{"name": "Loadgen agency " + r.runID, "country": "FR"}, &agency); err != nil {
		return nil, fmt.Errorf("create agency: %w", err)
	}
	var trainer userOut
	if err := admin("POST", "/api/v1/users", map[string]any{"email": "trainer." + r.runID + "@loadgen.example",
		"name": "Loadgen Trainer", "role": "trainer", "password": r.password}, &trainer); err != nil {
		return nil, fmt.Errorf("create trainer: %w", err)
	}

	// Each account costs the server one argon2id hash, so this is the slow part of
	// setup; a few requests in flight keep every server core busy.
	fx.officers = make([]*officer, cfg.Officers)
	for i := range fx.officers {
		fx.officers[i] = &officer{idx: i, email: fmt.Sprintf("officer%05d.%s@loadgen.example", i+1, r.runID)}
	}
	var made atomic.Int64
	began := time.Now()
	err := parallel(ctx, cfg.ConcurrencySetup, fx.officers, func(ctx context.Context, o *officer) error {
		var u userOut
		err := c.do(ctx, call{method: "POST", path: "/api/v1/users", token: fx.adminToken, want: http.StatusCreated, out: &u,
			body: map[string]any{"email": o.email, "name": fmt.Sprintf("Loadgen Officer %d", o.idx+1), "role": "officer",
				"agency_id": agency.ID, "password": r.password}})
		if err != nil {
			return fmt.Errorf("create officer %d: %w", o.idx+1, err)
		}
		o.userID = u.ID
		if n := made.Add(1); n%500 == 0 {
			r.logf("setup: %d/%d officers created", n, cfg.Officers)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.logf("setup: %d officers created in %s", cfg.Officers, time.Since(began).Round(time.Millisecond))

	// The session must already have started (server time) for quizzes to open:
	// today in UTC, all day.
	now := time.Now().UTC()
	if now.Hour() == 23 && now.Minute() >= 50 {
		r.logf("warning: it is %s UTC; the session ends at 23:59 UTC, so the run may fail", now.Format("15:04"))
	}
	var sess sessionOut
	if err := admin("POST", "/api/v1/sessions", map[string]any{"course": cfg.Course, "date": now.Format("2006-01-02"),
		"start": "00:00", "end": "23:59", "timezone": "UTC", "venue": "Loadgen hall " + r.runID, "city": "Lyon",
		"country": "FR", "capacity": cfg.Officers, "trainer_ids": []int64{trainer.ID}}, &sess); err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	fx.sessionID = sess.ID
	began = time.Now()
	if err := r.enrol(ctx, fx, agency.ID); err != nil {
		return nil, err
	}
	r.logf("setup: %d officers enrolled in session %d in %s", cfg.Officers, sess.ID, time.Since(began).Round(time.Millisecond))

	var quizzes []quizOut
	if err := admin("GET", fmt.Sprintf("/api/v1/sessions/%d/quizzes", sess.ID), nil, &quizzes); err != nil {
		return nil, fmt.Errorf("list quizzes: %w", err)
	}
	for _, q := range quizzes {
		if cfg.Quiz == "" || q.ID == cfg.Quiz {
			fx.quiz = q
			break
		}
	}
	if fx.quiz.ID == "" {
		ids := make([]string, 0, len(quizzes))
		for _, q := range quizzes {
			ids = append(ids, q.ID)
		}
		return nil, fmt.Errorf("course %s has no quiz %q (it has: %s)", cfg.Course, cfg.Quiz, strings.Join(ids, ", "))
	}
	return fx, nil
}

// enrol seats every officer with roster imports (one transaction per batch)
// rather than one request each.
func (r *runner) enrol(ctx context.Context, fx *fixture, agencyID int64) error {
	var b strings.Builder
	rows := 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		var out rosterOut
		err := r.client.do(ctx, call{method: "POST", path: fmt.Sprintf("/api/v1/sessions/%d/roster", fx.sessionID),
			token: fx.adminToken, raw: []byte(b.String()), rawTyp: "text/csv; charset=utf-8", want: http.StatusOK, out: &out})
		if err != nil {
			return fmt.Errorf("import roster: %w", err)
		}
		if out.Rows != rows || out.Created != 0 || out.Waitlisted != 0 || out.Enrolled+out.Already != rows {
			return fmt.Errorf("import roster of %d officers: server answered %+v", rows, out)
		}
		b.Reset()
		rows = 0
		return nil
	}
	for _, o := range fx.officers {
		if rows == 0 {
			b.WriteString("email,name,agency_id\n")
		}
		fmt.Fprintf(&b, "%s,Loadgen Officer %d,%d\n", o.email, o.idx+1, agencyID)
		rows++
		if rows == rosterMaxRows || b.Len() > rosterMaxBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func wantFor(method string) int {
	if method == "POST" {
		return http.StatusCreated
	}
	return http.StatusOK
}

// parallel runs fn on every item with at most limit in flight. The first error
// cancels the rest and is returned; every goroutine has ended when it returns.
func parallel[T any](ctx context.Context, limit int, items []T, fn func(context.Context, T) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for _, it := range items {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := fn(ctx, it); err != nil {
				once.Do(func() { first = err; cancel(err) })
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = context.Cause(ctx)
	}
	return first
}
