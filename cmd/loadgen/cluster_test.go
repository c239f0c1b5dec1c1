package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/deploy"
	"github.com/lectern-platform/lectern/internal/testfixture"
)

// clusterLoad is the load of each run through nginx: by default small enough
// for two runs in about a minute on two cores, long enough (15 questions at
// 1 s ± 50 % each) that a process killed after the starts dies while saves
// flow. LECTERN_CLUSTER_OFFICERS=N makes a bigger manual run of the same test
// (logins then spread over 30 ms per officer, starts over 10 ms).
func clusterLoad(t *testing.T) (officers int, args []string) {
	officers = 150
	if v := os.Getenv("LECTERN_CLUSTER_OFFICERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			t.Fatalf("LECTERN_CLUSTER_OFFICERS=%q: want 1 to 10000", v)
		}
		officers = n
	}
	login := max(5*time.Second, time.Duration(officers)*30*time.Millisecond)
	start := max(3*time.Second, time.Duration(officers)*10*time.Millisecond)
	return officers, []string{"--officers", strconv.Itoa(officers), "--think", "1s", "--jitter", "50%",
		"--start-window", start.String(), "--login-window", login.String(), "--max-duration", "10m", "--seed", "23"}
}

// TestCluster_ThreeProcessesBehindNginx runs what the README's production
// section describes: three `lectern serve` processes on one PostgreSQL
// database with the same key files, Debian's nginx in front with the shipped
// configuration (deploy/nginx.conf.tmpl, rendered with loopback ports), and the
// load generator through nginx. A first run must give 0 errors and 0 lost
// answers. In a second, one process is SIGKILLed mid-quiz (every attempt
// started, saves flowing): nginx re-sends idempotent requests to the others,
// the load generator retries the rest as a browser would, and still no error,
// no acknowledged answer lost, every attempt submitted. The killed process is
// restarted on its port and must serve requests through nginx again.
func TestCluster_ThreeProcessesBehindNginx(t *testing.T) {
	if testing.Short() {
		t.Skip("builds lectern, starts three processes and nginx")
	}
	nginxBin := findNginx(t)
	dsn := testfixture.PostgresDSN(t)
	officers, load := clusterLoad(t)
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()

	dir := t.TempDir()
	bin, err := buildLectern(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	ports := freePorts(t, 4)
	c := &cluster{t: t, bin: bin, dsn: dsn, base: fmt.Sprintf("http://127.0.0.1:%d", ports[3]),
		email: "admin@cluster.example", password: "cluster-admin-password-23", load: load}
	for i := range 3 {
		c.addrs = append(c.addrs, fmt.Sprintf("127.0.0.1:%d", ports[i]))
		c.dataDirs = append(c.dataDirs, filepath.Join(dir, fmt.Sprintf("data%d", i+1)))
	}
	c.procs = make([]*lectern, 3)
	t.Cleanup(c.logProblems) // runs after stopAll: the logs are complete
	t.Cleanup(c.stopAll)

	// The first start writes the signing key, the secrets key and the admin;
	// the others get copies of the keys, as on other machines.
	c.start(ctx, 0)
	for _, d := range c.dataDirs[1:] {
		for _, f := range []string{"signing-key.pem", "secrets.key"} {
			copyFile(t, filepath.Join(c.dataDirs[0], f), filepath.Join(d, f))
		}
	}
	var wg sync.WaitGroup
	for i := 1; i < 3; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); c.start(ctx, i) }()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	accessLog := c.startNginx(ctx, nginxBin, dir, ports[3])

	// A body nginx keeps in a temporary file (over 16 KB: a 500-officer
	// roster) reaches Lectern; one over Lectern's 1 MiB gets Lectern's own
	// JSON 413, which client_max_body_size 2m lets through.
	resp, err := http.Post(c.base+"/api/v1/auth/login", "application/json", bytes.NewReader(bytes.Repeat([]byte(" "), 1<<20+1<<19)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("a 1.5 MiB body through nginx: %s %s\n%s\nnginx: %s", resp.Status, resp.Header.Get("Content-Type"), body,
			readFile(filepath.Join(dir, "nginx", "error.log")))
	}

	// Run 1: the three processes, nobody killed.
	from := fileSize(t, accessLog)
	first := c.loadgen(ctx) // nobody killed: a connection or 5xx resend fails the run
	checkRun(t, "run 1", first)
	perUpstream := countUpstreams(t, accessLog, from, -1)
	t.Logf("run 1: %s; requests per process: %s", summaryOf(first), perUpstream)
	for _, a := range c.addrs {
		if perUpstream.byAddr[a] == 0 {
			t.Errorf("run 1: nginx sent nothing to %s (round robin over three): %s", a, perUpstream)
		}
	}

	// Run 2: SIGKILL the second process once every officer has started and
	// saves are flowing, restart it on its port a second later.
	from = fileSize(t, accessLog)
	done := make(chan map[string]any, 1)
	go func() { done <- c.loadgen(ctx, "--expect-failover") }()
	var early map[string]any // the run ended before the kill
	if !waitFor(ctx, 10*time.Minute, func() bool {
		select {
		case early = <-done:
			return true
		default:
		}
		n := countUpstreams(t, accessLog, from, -1)
		return n.starts >= officers && n.saves >= 2*officers
	}) || early != nil {
		t.Fatalf("run 2: the quiz did not get going: %s\nload generator: %s\n%v", countUpstreams(t, accessLog, from, -1), summaryOf(early), early["stderr"])
	}
	killAt := fileSize(t, accessLog)
	victim := c.procs[1]
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-victim.exited
	time.Sleep(time.Second) // the saves in flight and the next ones meet a dead port
	c.start(ctx, 1)
	restartAt := fileSize(t, accessLog)
	second := <-done
	checkRun(t, "run 2 (one process SIGKILLed mid-quiz)", second)
	before := countUpstreams(t, accessLog, from, killAt)
	between := countUpstreams(t, accessLog, killAt, restartAt)
	after := countUpstreams(t, accessLog, restartAt, -1)
	t.Logf("run 2: %s", summaryOf(second))
	t.Logf("run 2: before the kill %s; killed %s until restarted: %s; after the restart: %s",
		before, c.addrs[1], between, after)
	if before.byAddr[c.addrs[1]] == 0 {
		t.Errorf("run 2: %s answered nothing before it was killed: %s", c.addrs[1], before)
	}

	// Rejoined: nginx sends it requests again (round robin; its 5 s
	// fail_timeout has passed by the end of the run).
	time.Sleep(5 * time.Second)
	from = fileSize(t, accessLog)
	for range 30 {
		resp, err := http.Get(c.base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /healthz through nginx: %s", resp.Status)
		}
	}
	// nginx writes a line once the response is sent: let the last ones land.
	waitFor(ctx, 5*time.Second, func() bool { return countUpstreams(t, accessLog, from, -1).entries >= 30 })
	rejoined := countUpstreams(t, accessLog, from, -1)
	t.Logf("after the run, 30 GET /healthz through nginx: %s", rejoined)
	if rejoined.byAddr[c.addrs[1]] == 0 {
		t.Errorf("the restarted process %s gets no requests through nginx: %s", c.addrs[1], rejoined)
	}

	// Every attempt of both runs is submitted, none left open, read from the
	// database itself rather than through any process.
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var total, open int
	if err := db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE finalised <> 'submitted') FROM attempts`).Scan(&total, &open); err != nil {
		t.Fatal(err)
	}
	if total != 2*officers || open != 0 {
		t.Errorf("attempts in the database: %d, not submitted: %d; want %d, 0", total, open, 2*officers)
	}
}

// cluster is the three processes, nginx, and what they share.
type cluster struct {
	t               *testing.T
	bin, dsn, base  string
	email, password string
	addrs, dataDirs []string
	load            []string // the load generator's arguments
	mu              sync.Mutex
	procs           []*lectern
	started         []startedProc // every process started, the killed one too
	nginx           *exec.Cmd
	nginxDone       chan struct{}
	nginxStderr     bytes.Buffer
}

// start runs process i on its port with the shared database; a failure fails
// the test (from any goroutine: Errorf, not Fatal).
func (c *cluster) start(ctx context.Context, i int) {
	env := append(serverEnv(os.Environ(), c.email, c.password), "LECTERN_TRUSTED_PROXIES=127.0.0.1/32")
	p, err := startServe(ctx, c.bin, []string{"--addr", c.addrs[i], "--data", c.dataDirs[i],
		"--database", c.dsn, "--base-url", c.base}, env)
	if err != nil {
		c.t.Errorf("start process %d: %v", i+1, err)
		return
	}
	c.mu.Lock()
	c.procs[i] = p
	c.started = append(c.started, startedProc{i + 1, p})
	c.mu.Unlock()
}

type startedProc struct {
	n int
	p *lectern
}

// logProblems shows, for a failed test, what each process logged as a warning
// or error, and its last lines: the load generator sees only statuses.
func (c *cluster) logProblems() {
	if !c.t.Failed() {
		return
	}
	for _, s := range c.started {
		s.p.logs.mu.Lock()
		c.t.Logf("process %d (%s): %d warnings, %d errors; first ones:\n%s\nlast lines:\n%s", s.n, s.p.addr,
			s.p.logs.warnings, s.p.logs.errors, strings.Join(s.p.logs.notable, "\n"), strings.Join(s.p.logs.last, "\n"))
		s.p.logs.mu.Unlock()
	}
}

func (c *cluster) startNginx(ctx context.Context, bin, dir string, port int) (accessLog string) {
	t := c.t
	run := filepath.Join(dir, "nginx")
	if err := os.MkdirAll(run, 0o700); err != nil {
		t.Fatal(err)
	}
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	// As root (CI), nginx's workers would run as nobody, who cannot write the
	// request-body files under our temporary directory.
	cl := deploy.Cluster{Listen: fmt.Sprintf("127.0.0.1:%d", port), RunDir: run, User: me.Username}
	for _, a := range c.addrs {
		host, p, _ := net.SplitHostPort(a)
		var n int
		fmt.Sscan(p, &n)
		cl.Upstreams = append(cl.Upstreams, deploy.Upstream{Host: host, Port: n})
	}
	conf, err := deploy.Nginx(cl)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(run, "nginx.conf")
	if err := os.WriteFile(file, conf, 0o600); err != nil {
		t.Fatal(err)
	}
	c.nginx = exec.Command(bin, "-c", file, "-e", filepath.Join(run, "error.log"), "-g", "daemon off;")
	c.nginx.Stderr = &c.nginxStderr
	setParentDeathSignal(c.nginx)
	if err := c.nginx.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	c.nginxDone = make(chan struct{})
	go func() { c.nginx.Wait(); close(c.nginxDone) }()
	if !waitFor(ctx, 20*time.Second, func() bool {
		resp, err := http.Get(c.base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}) {
		errLog, _ := os.ReadFile(filepath.Join(run, "error.log"))
		t.Fatalf("nginx does not answer /healthz on %s:\n%s%s", c.base, c.nginxStderr.String(), errLog)
	}
	return filepath.Join(run, "access.log")
}

// loadgen runs the load generator through nginx, with extra arguments after
// the run's load, and returns its JSON line.
func (c *cluster) loadgen(ctx context.Context, extra ...string) map[string]any {
	var stdout, stderr bytes.Buffer
	args := append([]string{"--base-url", c.base, "--admin-email", c.email, "--admin-password", c.password}, c.load...)
	args = append(args, extra...)
	code := run(ctx, args, &stdout, &stderr)
	out := map[string]any{"exit": code}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		out["stdout"] = stdout.String()
	}
	out["exit"] = code
	if code != 0 {
		out["stderr"] = stderr.String()
	}
	return out
}

func (c *cluster) stopAll() {
	if c.nginx != nil && c.nginx.Process != nil {
		c.nginx.Process.Signal(syscall.SIGQUIT) // graceful
		select {
		case <-c.nginxDone:
		case <-time.After(10 * time.Second):
			c.nginx.Process.Kill()
			<-c.nginxDone
		}
	}
	var wg sync.WaitGroup
	for _, p := range c.procs {
		if p != nil {
			wg.Add(1)
			go func() { defer wg.Done(); p.stop() }()
		}
	}
	wg.Wait()
}

// checkRun: the load generator's own verdict (exit 0: no error, nothing lost)
// and the figures it gives.
func checkRun(t *testing.T, name string, j map[string]any) {
	t.Helper()
	if j["exit"] != 0 || j["errors"] != float64(0) || j["lost_answers"] != float64(0) || j["requests"] == nil {
		t.Errorf("%s: %s\n%v", name, summaryOf(j), j["stderr"])
	}
}

func summaryOf(j map[string]any) string {
	keys := make([]string, 0, len(j))
	for k := range j {
		if k != "stderr" && k != "stdout" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%v ", k, j[k])
	}
	if s, ok := j["stdout"]; ok {
		fmt.Fprintf(&b, "stdout=%q", s)
	}
	return strings.TrimSpace(b.String())
}

// upstreamCounts is what nginx's access log says about a stretch of requests.
type upstreamCounts struct {
	byAddr  map[string]int // answered by each process (the last one nginx tried)
	resent  int            // requests nginx re-sent to another process
	status  map[string]int // status codes nginx answered
	starts  int
	saves   int
	entries int
}

func (u upstreamCounts) String() string {
	return fmt.Sprintf("%d requests, by process %v, re-sent by nginx %d, statuses %v", u.entries, u.byAddr, u.resent, u.status)
}

var accessLine = regexp.MustCompile(`"(\S+) (\S+)" (\d+) \d+ upstream=(.*) upstream_status=`)

// countUpstreams reads the access log's bytes [from, to) (to -1: to the end).
func countUpstreams(t *testing.T, file string, from, to int64) upstreamCounts {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	var r io.Reader = f
	if to >= 0 {
		r = io.LimitReader(f, to-from)
	}
	u := upstreamCounts{byAddr: map[string]int{}, status: map[string]int{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := accessLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue // a line cut at the boundary
		}
		u.entries++
		u.status[m[3]]++
		tried := strings.Split(m[4], ", ")
		if len(tried) > 1 {
			u.resent++
		}
		u.byAddr[strings.TrimSpace(tried[len(tried)-1])]++
		switch {
		case m[1] == "POST" && startPath.MatchString(m[2]):
			u.starts++
		case m[1] == "PUT" && autosavePath.MatchString(m[2]):
			u.saves++
		}
	}
	return u
}

func readFile(name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func fileSize(t *testing.T, file string) int64 {
	t.Helper()
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func waitFor(ctx context.Context, limit time.Duration, ok func() bool) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if ok() {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// freePorts asks the kernel for n free loopback ports at once (so they
// differ); nginx's upstream needs them before the processes start.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// findNginx finds Debian's nginx; without it the test skips, except under CI,
// which installs it (.ci/run).
func findNginx(t *testing.T) string {
	t.Helper()
	p, err := deploy.NginxPath()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v: CI must install Debian's nginx package (.ci/run)", err)
		}
		t.Skip(err)
	}
	return p
}
