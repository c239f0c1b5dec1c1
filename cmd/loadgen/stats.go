package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// result is everything a run measured.
type result struct {
	cfg        config
	began      time.Time
	setup      time.Duration
	quiz       quizOut
	loginBegan time.Time
	quizBegan  time.Time
	quizEnded  time.Time
	officers   []*officer
	samples    []sample
	aborted    string // why the run stopped early; empty if it did not

	// Only when loadgen started the server.
	serverLog    *serverLog
	serverRSSKiB int64
	serverRSSErr error
	serverClean  bool     // exited 0 after SIGTERM
	rssMarks     []string // the high-water mark as each phase ended, to see which one set it
}

// percentile returns the nearest-rank p-th percentile of ascending durations:
// the smallest sample with at least p % of the samples at or below it. Nearest
// rank rather than interpolation, so every figure reported is a latency that
// really happened and p100 is the maximum.
func percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	// p*n/100 rather than p/100*n: 95*100/100 is exactly 95 in floating point,
	// 0.95*100 is not, and its ceiling would skip a rank.
	rank := int(math.Ceil(p * float64(n) / 100))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// stat summarises a set of requests.
type stat struct {
	count, errors      int
	p50, p95, p99, max time.Duration
}

func summarise(samples []sample, keep func(phase) bool) stat {
	var st stat
	lat := make([]time.Duration, 0, len(samples))
	for _, s := range samples {
		if !keep(s.phase) {
			continue
		}
		st.count++
		if s.err != "" {
			st.errors++
		}
		lat = append(lat, s.latency)
	}
	return statOf(lat, st)
}

func statOf(lat []time.Duration, st stat) stat {
	slices.Sort(lat)
	st.p50, st.p95, st.p99, st.max = percentile(lat, 50), percentile(lat, 95), percentile(lat, 99), percentile(lat, 100)
	return st
}

func only(p phase) func(phase) bool { return func(x phase) bool { return x == p } }

// quizPhases are the "overall" figures: what a hall taking a quiz costs. Login is
// apart because its argon2id hashing is slow by design; read-back is our check.
func quizPhases(p phase) bool { return p == phaseStart || p == phaseAutosave || p == phaseSubmit }

// busiest returns the most requests of the kept phases sent within one second
// (seconds counted from t0).
func busiest(samples []sample, keep func(phase) bool, t0 time.Time) int {
	per := map[int64]int{}
	top := 0
	for _, s := range samples {
		if keep(s.phase) {
			sec := int64(s.at.Sub(t0) / time.Second)
			per[sec]++
			top = max(top, per[sec])
		}
	}
	return top
}

// totals over the officers.
type totals struct {
	acked, lost, stale, unverified int
	lostDetail                     string
}

func (r *result) totals() totals {
	var t totals
	for _, o := range r.officers {
		t.acked += len(o.acked)
		t.lost += o.lost
		t.stale += o.stale
		if !o.readBack {
			t.unverified++ // never started, failed, or not read back: errors say why
		}
		if t.lostDetail == "" && o.lostDetail != "" {
			t.lostDetail = fmt.Sprintf("officer %d, attempt %d: %s", o.idx+1, o.attemptID, o.lostDetail)
		}
	}
	return t
}

// retries counts resends per phase and kind (phaseSetup is not recorded).
func (r *result) retries() map[phase][retryKinds]int {
	out := map[phase][retryKinds]int{}
	for _, s := range r.samples {
		t := out[s.phase]
		for k, n := range s.retries {
			t[k] += n
		}
		out[s.phase] = t
	}
	return out
}

// signIn is the sign-in phase as the officers lived it.
type signIn struct {
	signedIn, officers int
	// all is from the first sign-in sent to the last officer signed in (every
	// wait and resend included); zero when someone never got in.
	all time.Duration
}

func (r *result) signIn() signIn {
	var first, last time.Time
	si := signIn{officers: r.cfg.Officers}
	for _, s := range r.samples {
		if s.phase != phaseLogin {
			continue
		}
		if first.IsZero() || s.at.Before(first) {
			first = s.at
		}
		if s.err == "" {
			si.signedIn++
			if end := s.at.Add(s.latency); end.After(last) {
				last = end
			}
		}
	}
	if si.signedIn == si.officers && si.signedIn > 0 {
		si.all = last.Sub(first)
	}
	return si
}

func (r *result) errorCount() int {
	n := 0
	for _, s := range r.samples {
		if s.err != "" {
			n++
		}
	}
	return n
}

// failoverResends counts the resends of every phase that only a proxy failing
// over explains (connection, 5xx).
func (r *result) failoverResends() int {
	n := 0
	for _, s := range r.samples {
		for k, c := range s.retries {
			if retryKind(k).failover() {
				n += c
			}
		}
	}
	return n
}

// unexpectedResends is failoverResends unless --expect-failover said they are
// expected.
func (r *result) unexpectedResends() int {
	if r.cfg.ExpectFailover {
		return 0
	}
	return r.failoverResends()
}

// failed decides the exit status: any failed request, lost answer, officer who
// did not get through, abort, a server that did not stop cleanly, or a
// connection or 5xx resend that no failover explains.
func (r *result) failed() bool {
	t := r.totals()
	return r.errorCount() > 0 || t.lost > 0 || t.unverified > 0 || r.aborted != "" ||
		(r.serverLog != nil && !r.serverClean) || r.unexpectedResends() > 0
}

func (r *result) quizSeconds() float64 {
	if r.quizEnded.IsZero() || !r.quizEnded.After(r.quizBegan) {
		return 0
	}
	return r.quizEnded.Sub(r.quizBegan).Seconds()
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Millisecond)*100) / 100 }

func (r *result) printSummary(w io.Writer) {
	c := r.cfg
	fmt.Fprintf(w, "\n== Lectern loadgen: %d officers, course %s, quiz %s (%d questions, %d answered), think %s ± %.0f%%, login window %s, start window %s ==\n",
		c.Officers, c.Course, r.quiz.ID, r.quiz.Questions, answered(r.quiz.Questions, c.Questions), c.Think, c.Jitter*100, c.LoginWindow, c.StartWindow)
	fmt.Fprintf(w, "setup (not timed): %s\n", r.setup.Round(time.Millisecond))
	if r.aborted != "" {
		fmt.Fprintf(w, "ABORTED: %s — figures below cover what ran\n", r.aborted)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	server := r.serverLog != nil
	head := "phase\tcount\terrors\tp50 ms\tp95 ms\tp99 ms\tmax ms\t"
	if server {
		head += "server p50 ms\tserver p99 ms\t"
	}
	fmt.Fprintln(tw, head)
	row := func(name string, st stat, srv []time.Duration) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t", name, st.count, st.errors, ms(st.p50), ms(st.p95), ms(st.p99), ms(st.max))
		if server {
			if len(srv) > 0 {
				s := statOf(append([]time.Duration(nil), srv...), stat{})
				fmt.Fprintf(tw, "%.1f\t%.1f\t", ms(s.p50), ms(s.p99))
			} else {
				fmt.Fprint(tw, "-\t-\t")
			}
		}
		fmt.Fprintln(tw)
	}
	var all []time.Duration
	for _, p := range phases {
		var srv []time.Duration
		if server {
			srv = r.serverLog.dur[p]
			if quizPhases(p) {
				all = append(all, srv...)
			}
		}
		row(string(p), summarise(r.samples, only(p)), srv)
	}
	row("overall", summarise(r.samples, quizPhases), all)
	tw.Flush()
	fmt.Fprintln(w, "(overall = start + autosave + submit; latencies as the client saw them, whole body read)")

	if !r.quizBegan.IsZero() {
		fmt.Fprintf(w, "login phase: %s until every login was answered\n", r.quizBegan.Sub(r.loginBegan).Round(time.Millisecond))
	}
	si, login := r.signIn(), summarise(r.samples, only(phaseLogin))
	if si.all > 0 {
		fmt.Fprintf(w, "signed in: all %d officers %s after the first sign-in was sent; sign-in p50 %.1f ms, p99 %.1f ms (waits and resends included)\n",
			si.officers, si.all.Round(time.Millisecond), ms(login.p50), ms(login.p99))
	} else {
		fmt.Fprintf(w, "signed in: %d of %d officers\n", si.signedIn, si.officers)
	}
	r.printRetries(w)
	start := summarise(r.samples, only(phaseStart))
	secs := r.quizSeconds()
	overall := summarise(r.samples, quizPhases)
	fmt.Fprintf(w, "start burst: %d starts over %s, busiest second %d starts; p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		start.count, c.StartWindow, busiest(r.samples, only(phaseStart), r.quizBegan), ms(start.p50), ms(start.p99), ms(start.max))
	if secs > 0 {
		fmt.Fprintf(w, "throughput: %d quiz requests in %.1f s = %.1f req/s (busiest second %d)\n",
			overall.count, secs, float64(overall.count)/secs, busiest(r.samples, quizPhases, r.quizBegan))
	}
	t := r.totals()
	fmt.Fprintf(w, "answers: %d acknowledged, %d lost; %d stale re-sends acknowledged with the stored answer; %d officers not verified\n",
		t.acked, t.lost, t.stale, t.unverified)
	if t.lostDetail != "" {
		fmt.Fprintf(w, "  first lost answer: %s\n", t.lostDetail)
	}
	r.printErrors(w)
	if server {
		if r.serverRSSErr != nil {
			fmt.Fprintf(w, "server: peak RSS unknown (%v)\n", r.serverRSSErr)
		} else {
			fmt.Fprintf(w, "server: peak RSS %.1f MiB (VmHWM; %s)", float64(r.serverRSSKiB)/1024, strings.Join(r.rssMarks, ", "))
		}
		fmt.Fprintf(w, "; log: %d warnings, %d errors; stopped cleanly on SIGTERM: %v\n",
			r.serverLog.warnings, r.serverLog.errors, r.serverClean)
		for _, l := range r.serverLog.notable {
			fmt.Fprintf(w, "  server: %s\n", l)
		}
		if !r.serverClean {
			fmt.Fprintf(w, "server log, last lines:\n%s\n", r.serverLog.tail())
		}
	}
	verdict := "OK"
	if r.failed() {
		verdict = "FAILED"
	}
	resends := ""
	if n := r.unexpectedResends(); n > 0 {
		resends = fmt.Sprintf(", %d connection/5xx resends that one process should never need (behind a proxy failing over: --expect-failover)", n)
	}
	fmt.Fprintf(w, "verdict: %s (%d errors, %d lost answers%s) in %s\n\n", verdict, r.errorCount(), t.lost, resends, time.Since(r.began).Round(time.Second))
}

// printRetries says how often each phase resent a request, and why.
func (r *result) printRetries(w io.Writer) {
	by := r.retries()
	var parts []string
	for _, p := range phases {
		t := by[p]
		for k, n := range t {
			if n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d × %s", p, n, retryKindNames[k]))
			}
		}
	}
	if len(parts) == 0 {
		fmt.Fprintln(w, "resends: none")
		return
	}
	fmt.Fprintf(w, "resends (as a browser would: a busy sign-in's 429 after Retry-After, a failed connection or 502–504 after a backoff): %s\n", strings.Join(parts, ", "))
}

// printErrors groups failed requests by phase and message, most frequent first.
func (r *result) printErrors(w io.Writer) {
	type key struct {
		p   phase
		msg string
	}
	count := map[key]int{}
	for _, s := range r.samples {
		if s.err != "" {
			count[key{s.phase, s.err}]++
		}
	}
	if len(count) == 0 {
		return
	}
	keys := make([]key, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return count[keys[i]] > count[keys[j]] })
	fmt.Fprintln(w, "errors:")
	for i, k := range keys {
		if i == 10 {
			fmt.Fprintf(w, "  … and %d more kinds\n", len(keys)-10)
			break
		}
		fmt.Fprintf(w, "  %6d × %s: %s\n", count[k], k.p, k.msg)
	}
}

// jsonLine is the one machine-readable line on stdout. Overall figures cover
// start + autosave + submit; errors counts failed requests of every phase
// (login and read-back included), since any of them fails the run.
type jsonLine struct {
	Officers      int      `json:"officers"`
	Answered      int      `json:"questions_answered"` // per attempt (--questions, else the quiz's all)
	Requests      int      `json:"requests"`
	Errors        int      `json:"errors"`
	P50           float64  `json:"p50_ms"`
	P95           float64  `json:"p95_ms"`
	P99           float64  `json:"p99_ms"`
	Max           float64  `json:"max_ms"`
	LostAnswers   int      `json:"lost_answers"`
	RPS           float64  `json:"rps"`
	StartP50      float64  `json:"start_p50_ms"`
	StartP95      float64  `json:"start_p95_ms"`
	StartP99      float64  `json:"start_p99_ms"`
	StartMax      float64  `json:"start_max_ms"`
	AutosaveP99   float64  `json:"autosave_p99_ms"`
	LoginP50      float64  `json:"login_p50_ms"` // waits and resends included
	LoginP99      float64  `json:"login_p99_ms"`
	SignedIn      int      `json:"signed_in"`
	SignedInAllMS *float64 `json:"signed_in_all_ms"` // first sign-in sent → last officer signed in; null unless all were
	// Retries is resends per phase and kind ("429", "connection", "5xx");
	// RetriesTotal their sum; FailoverResends the connection and 5xx ones, which fail the run unless ExpectFailover.
	Retries         map[phase]map[string]int `json:"retries"`
	RetriesTotal    int                      `json:"retries_total"`
	FailoverResends int                      `json:"failover_resends"`
	ExpectFailover  bool                     `json:"expect_failover"`
	ServerMaxRSSMB  *float64                 `json:"server_max_rss_mb"` // MiB; null when the server is not ours
}

func (r *result) writeJSON(w io.Writer) error {
	overall := summarise(r.samples, quizPhases)
	start := summarise(r.samples, only(phaseStart))
	j := jsonLine{
		Officers: r.cfg.Officers, Answered: answered(r.quiz.Questions, r.cfg.Questions), Requests: overall.count, Errors: r.errorCount(),
		P50: ms(overall.p50), P95: ms(overall.p95), P99: ms(overall.p99), Max: ms(overall.max),
		LostAnswers: r.totals().lost,
		StartP50:    ms(start.p50), StartP95: ms(start.p95), StartP99: ms(start.p99), StartMax: ms(start.max),
		AutosaveP99: ms(summarise(r.samples, only(phaseAutosave)).p99),
	}
	login := summarise(r.samples, only(phaseLogin))
	j.LoginP50, j.LoginP99 = ms(login.p50), ms(login.p99)
	si := r.signIn()
	j.SignedIn = si.signedIn
	if si.all > 0 {
		v := ms(si.all)
		j.SignedInAllMS = &v
	}
	j.FailoverResends, j.ExpectFailover = r.failoverResends(), r.cfg.ExpectFailover
	j.Retries = map[phase]map[string]int{}
	by := r.retries()
	for _, p := range phases {
		m := map[string]int{}
		for k, n := range by[p] {
			m[retryKindNames[k]] = n
			j.RetriesTotal += n
		}
		j.Retries[p] = m
	}
	if secs := r.quizSeconds(); secs > 0 {
		j.RPS = math.Round(float64(overall.count)/secs*10) / 10
	}
	if r.serverLog != nil && r.serverRSSErr == nil {
		mb := math.Round(float64(r.serverRSSKiB)/1024*10) / 10
		j.ServerMaxRSSMB = &mb
	}
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// writeSamplesCSV writes every recorded request, times in ms from the first login,
// so a burst can be plotted or re-analysed without running again.
func (r *result) writeSamplesCSV(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"phase", "sent_ms", "latency_ms", "status", "error", "retries"})
	for _, s := range r.samples {
		n := 0
		for _, k := range s.retries {
			n += k
		}
		_ = w.Write([]string{string(s.phase), strconv.FormatFloat(ms(s.at.Sub(r.loginBegan)), 'f', 2, 64),
			strconv.FormatFloat(ms(s.latency), 'f', 2, 64), strconv.Itoa(s.status), s.err, strconv.Itoa(n)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
