package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/metrics"
)

const metricsToken = "scrape-me-7f3a9c"

// scrape reads /metrics with the token and parses the text format into
// "name{label="value",…}" → value (labels sorted by name, as exposed).
func scrape(t *testing.T, base, token string) map[string]float64 {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("parse the scrape: %v", err)
	}
	out := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			key := name + labelString(m.GetLabel())
			switch {
			case m.Counter != nil:
				out[key] = m.Counter.GetValue()
			case m.Gauge != nil:
				out[key] = m.Gauge.GetValue()
			case m.Histogram != nil:
				out[name+"_count"+labelString(m.GetLabel())] = float64(m.Histogram.GetSampleCount())
			default:
				out[key] = m.GetUntyped().GetValue()
			}
		}
	}
	return out
}

func labelString(labels []*dto.LabelPair) string {
	if len(labels) == 0 {
		return ""
	}
	parts := make([]string, 0, len(labels))
	for _, l := range labels {
		parts = append(parts, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func TestMetrics_CountsTheQuizDay(t *testing.T) {
	ts := startServerApp(t, bothCourses(t), Config{MetricsToken: metricsToken}, app.Options{Metrics: metrics.New()})
	qw := newQuizWorldOn(t, newWorldOn(t, ts))
	qw.at(time.Hour)
	before := scrape(t, ts.URL, metricsToken)

	v := qw.start(t, qw.officerA)
	save := func(qid string, body map[string]any, want int) {
		t.Helper()
		if res, text := ts.api(t, qw.officerA, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%s", v.ID, qid), body); res.StatusCode != want {
			t.Fatalf("save %s: %d %s", qid, res.StatusCode, text)
		}
	}
	save("pick", map[string]any{"choices": []string{choiceID(v, "pick", "CORRECT")}, "seq": 5}, 200)
	save("pick", map[string]any{"choices": []string{choiceID(v, "pick", "WRONG")}, "seq": 3}, 200) // stale
	save("type", map[string]any{"text": "SHORT-ANSWER-2b8", "seq": 1}, 200)
	save("count", map[string]any{"number": 4242}, 200) // no seq: the transactional path
	if res, body := ts.api(t, qw.officerA, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", v.ID), nil); res.StatusCode != 200 {
		t.Fatalf("submit: %s", body)
	}
	save("pick", map[string]any{"choices": []string{}, "seq": 9}, 409) // refused: submitted
	// Officer B runs out of time: the late save is refused and finalises the attempt.
	vb := qw.start(t, qw.officerB)
	qw.at(time.Hour + 11*time.Minute)
	if res, body := ts.api(t, qw.officerB, "PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/pick", vb.ID), map[string]any{"choices": []string{}, "seq": 1}); res.StatusCode != 409 {
		t.Fatalf("late save: %d %s", res.StatusCode, body)
	}
	ts.api(t, qw.officerA, "GET", fmt.Sprintf("/api/v1/attempts/%d", v.ID), nil)
	ts.api(t, qw.officerA, "GET", fmt.Sprintf("/api/v1/attempts/%d", v.ID+1000), nil)
	ts.api(t, "", "GET", "/no/such/page/12345", nil)
	ts.api(t, "", "GET", "/api/v1/no-such-thing", nil)
	if res, body := ts.api(t, qw.trainerTok, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", qw.sessionID, qw.officerAID), map[string]string{"status": "present"}); res.StatusCode != 200 {
		t.Fatalf("mark: %s", body)
	}
	if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID), nil); body != "{\"issued\":1}\n" {
		t.Fatalf("close: %d %s", res.StatusCode, body)
	}

	after := scrape(t, ts.URL, metricsToken)
	answers := `route="/api/v1/attempts/:id/answers/:question"`
	for key, want := range map[string]float64{
		`lectern_attempts_started_total`:                                                            2,
		`lectern_attempts_finalised_total{reason="submitted"}`:                                      1,
		`lectern_attempts_finalised_total{reason="deadline"}`:                                       1,
		`lectern_autosaves_total{result="saved"}`:                                                   3,
		`lectern_autosaves_total{result="stale"}`:                                                   1,
		`lectern_autosaves_total{result="refused"}`:                                                 2,
		`lectern_certificates_issued_total`:                                                         1,
		`lectern_http_requests_total{code="200",method="PUT",` + answers + `}`:                      4,
		`lectern_http_requests_total{code="409",method="PUT",` + answers + `}`:                      2,
		`lectern_http_request_duration_seconds_count{method="PUT",` + answers + `}`:                 6,
		`lectern_http_requests_total{code="200",method="POST",route="/api/v1/attempts/:id/submit"}`: 1,
		`lectern_http_requests_total{code="200",method="GET",route="/api/v1/attempts/:id"}`:         1,
		`lectern_http_requests_total{code="404",method="GET",route="/api/v1/attempts/:id"}`:         1,
		`lectern_http_requests_total{code="404",method="GET",route="unmatched"}`:                    1,
		`lectern_http_requests_total{code="404",method="GET",route="/api/v1/*"}`:                    1,
		`lectern_http_requests_total{code="200",method="POST",route="/api/v1/sessions/:id/close"}`:  1,
		`lectern_http_requests_total{code="200",method="GET",route="/metrics"}`:                     1, // the first scrape
	} {
		if _, ok := after[key]; !ok {
			t.Errorf("%s: not exposed", key)
			continue
		}
		if got := after[key] - before[key]; got != want {
			t.Errorf("%s moved by %v, want %v", key, got, want)
		}
	}
	// Route labels are patterns or "unmatched", never a path with an id in it.
	id := strconv.FormatInt(v.ID, 10)
	for key := range after {
		if strings.HasPrefix(key, "lectern_http_") && (strings.Contains(key, "/"+id) || strings.Contains(key, "no-such") || strings.Contains(key, "12345")) {
			t.Errorf("raw path in a label: %s", key)
		}
	}
	for _, key := range []string{`go_goroutines`, `process_resident_memory_bytes`,
		`go_sql_open_connections{db_name="write"}`, `go_sql_open_connections{db_name="read"}`, `go_sql_max_open_connections{db_name="write"}`} {
		if _, ok := after[key]; !ok {
			t.Errorf("%s: not exposed", key)
		}
	}
	if after[`go_sql_max_open_connections{db_name="write"}`] != 1 {
		t.Errorf("the SQLite write pool has %v connections, want 1", after[`go_sql_max_open_connections{db_name="write"}`])
	}
}

func TestMetrics_Token(t *testing.T) {
	get := func(t *testing.T, base, authz string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+"/metrics", nil)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		buf := new(strings.Builder)
		_, _ = ioCopy(buf, res)
		return res, buf.String()
	}
	t.Run("WrongOrMissing", func(t *testing.T) {
		ts := startServerApp(t, courses.FS, Config{MetricsToken: metricsToken}, app.Options{Metrics: metrics.New()})
		for _, authz := range []string{"", "Bearer ", "Bearer wrong", "Bearer " + metricsToken + "x", "Basic " + metricsToken, metricsToken} {
			res, body := get(t, ts.URL, authz)
			if res.StatusCode != http.StatusUnauthorized || res.Header.Get("WWW-Authenticate") == "" || strings.Contains(body, "lectern_") {
				t.Errorf("Authorization %q: %d %q", authz, res.StatusCode, body)
			}
		}
		// A user's API token is not a metrics token.
		ag := ts.agency(t, "Nosy Agency", "SE")
		officer := ts.token(t, ts.user(t, auth.RoleOfficer, &ag.ID, "Nosy Officer"))
		if res, _ := get(t, ts.URL, "Bearer "+officer); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("an officer's token: %d", res.StatusCode)
		}
		if res, body := get(t, ts.URL, "Bearer "+metricsToken); res.StatusCode != 200 || !strings.Contains(body, "lectern_http_requests_total") {
			t.Errorf("right token: %d", res.StatusCode)
		}
	})
	t.Run("NoTokenConfigured", func(t *testing.T) {
		// Metrics on (served on a separate listener by `lectern serve
		// --metrics-addr`), but no token: the public port has no /metrics.
		for name, opts := range map[string]struct {
			cfg Config
			app app.Options
		}{"metrics, no token": {app: app.Options{Metrics: metrics.New()}}, "no metrics": {cfg: Config{MetricsToken: metricsToken}}} {
			ts := startServerApp(t, courses.FS, opts.cfg, opts.app)
			for _, authz := range []string{"", "Bearer " + metricsToken} {
				if res, body := get(t, ts.URL, authz); res.StatusCode != http.StatusNotFound || strings.Contains(body, "lectern_") {
					t.Errorf("%s, Authorization %q: %d", name, authz, res.StatusCode)
				}
			}
		}
	})
}
