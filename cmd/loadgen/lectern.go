package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const lecternModule = "github.com/lectern-platform/lectern"

// buildLectern compiles ./cmd/lectern of the module we are run from, so the server
// measured is the code in this checkout.
func buildLectern(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w (or pass --lectern-bin)", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the Lectern module: run from the checkout or pass --lectern-bin")
	}
	mod, err := os.ReadFile(gomod)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", gomod, err)
	}
	if !bytes.Contains(mod, []byte("module "+lecternModule+"\n")) {
		return "", fmt.Errorf("%s is not the Lectern module: run from the checkout or pass --lectern-bin", gomod)
	}
	bin := filepath.Join(dir, "lectern")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/lectern")
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/lectern: %w\n%s", err, out)
	}
	return bin, nil
}

// lectern is a `lectern serve` we started and must stop.
type lectern struct {
	cmd    *exec.Cmd
	addr   string
	exited chan struct{} // closed when the process is gone
	logs   *serverLog
}

var listeningLine = regexp.MustCompile(`msg=listening addr=(\S+)`)

// startLectern runs `lectern serve` on a free loopback port with a fresh data
// directory and waits for its "listening" log line.
func startLectern(ctx context.Context, bin, dataDir, email, password string) (*lectern, error) {
	return startServe(ctx, bin, []string{"--addr", "127.0.0.1:0", "--data", dataDir}, serverEnv(os.Environ(), email, password))
}

// startServe runs `lectern serve ARGS` with env and waits for its "listening"
// log line.
func startServe(ctx context.Context, bin string, args, env []string) (*lectern, error) {
	// Not CommandContext: on abort we want SIGTERM and a drain, not SIGKILL.
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	cmd.Env = env
	setParentDeathSignal(cmd)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	l := &lectern{cmd: cmd, exited: make(chan struct{}), logs: newServerLog()}
	addr := make(chan string, 1)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		// Reading must never stop while the server runs: it logs a line per
		// request, and a full pipe would block its handlers.
		l.logs.consume(stderr, addr)
	}()
	go func() {
		<-readDone // Wait closes the pipe, so finish reading first
		_ = cmd.Wait()
		close(l.exited)
	}()
	select {
	case a := <-addr:
		l.addr = a
		return l, nil
	case <-l.exited:
		return nil, fmt.Errorf("lectern serve exited before listening:\n%s", l.logs.tail())
	case <-time.After(60 * time.Second):
		l.stop()
		return nil, fmt.Errorf("lectern serve did not start within 60 s:\n%s", l.logs.tail())
	case <-ctx.Done():
		l.stop()
		return nil, context.Cause(ctx)
	}
}

// serverEnv passes our environment minus any LECTERN_* setting, so the server
// measured is the zero-configuration one (SQLite in the data dir, shipped
// courses) whatever the caller's shell points at.
func serverEnv(environ []string, email, password string) []string {
	env := make([]string, 0, len(environ)+3)
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "LECTERN_") {
			env = append(env, kv)
		}
	}
	return append(env, "LECTERN_LOG_FORMAT=text", "LECTERN_ADMIN_EMAIL="+email, "LECTERN_ADMIN_PASSWORD="+password)
}

// peakRSS reads the process's high-water resident set size (VmHWM) in KiB.
// It must be read before the process exits: /proc forgets it afterwards.
func (l *lectern) peakRSS() (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", l.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return parseVmHWM(f)
}

func parseVmHWM(r io.Reader) (int64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no VmHWM line")
}

// stop sends SIGTERM, lets the server drain (it allows itself 30 s) and kills it
// only if it does not exit. It reports whether it exited by itself.
func (l *lectern) stop() (clean bool) {
	select {
	case <-l.exited:
		return l.cmd.ProcessState != nil && l.cmd.ProcessState.Success()
	default:
	}
	_ = l.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-l.exited:
		return l.cmd.ProcessState.Success()
	case <-time.After(40 * time.Second):
		_ = l.cmd.Process.Kill()
		<-l.exited
		return false
	}
}

// serverLog keeps what the server's log says that the report needs: its own
// timing of each request (to tell server time from client queueing), warnings and
// errors, and the last lines for a failed start.
type serverLog struct {
	mu       sync.Mutex
	timing   bool // record request durations only during the timed phases
	dur      map[phase][]time.Duration
	warnings int
	errors   int
	notable  []string // first warning and error lines
	last     []string // ring of the latest lines
}

func newServerLog() *serverLog { return &serverLog{dur: map[phase][]time.Duration{}} }

func (s *serverLog) consume(r io.Reader, addr chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20) // panics log whole stacks on one line
	found := false
	for sc.Scan() {
		line := sc.Text()
		if !found {
			if m := listeningLine.FindStringSubmatch(line); m != nil {
				addr <- m[1]
				found = true
			}
		}
		s.line(line)
	}
}

func (s *serverLog) line(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.last) == 40 {
		s.last = s.last[1:]
	}
	s.last = append(s.last, line)
	switch {
	case strings.Contains(line, "level=ERROR"):
		s.errors++
		s.note(line)
	case strings.Contains(line, "level=WARN"):
		s.warnings++
		s.note(line)
	}
	if s.timing && strings.Contains(line, "msg=request ") {
		f := logfmtFields(line)
		d, err := time.ParseDuration(f["duration"])
		if ph := phaseOf(f["method"], f["path"]); ph != phaseSetup && err == nil {
			s.dur[ph] = append(s.dur[ph], d)
		}
	}
}

func (s *serverLog) note(line string) {
	if len(s.notable) < 10 {
		if len(line) > 500 {
			line = line[:500] + "…"
		}
		s.notable = append(s.notable, line)
	}
}

func (s *serverLog) setTiming(on bool) {
	s.mu.Lock()
	s.timing = on
	s.mu.Unlock()
}

func (s *serverLog) tail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.last, "\n")
}

// logfmtFields splits a slog text line into its unquoted key=value fields, which
// is all the request line's fields are.
func logfmtFields(line string) map[string]string {
	out := map[string]string{}
	for _, f := range strings.Fields(line) {
		if k, v, ok := strings.Cut(f, "="); ok {
			out[k] = v
		}
	}
	return out
}

var (
	startPath    = regexp.MustCompile(`^/api/v1/sessions/\d+/quizzes/[^/]+/attempts$`)
	autosavePath = regexp.MustCompile(`^/api/v1/attempts/\d+/answers/[^/]+$`)
	submitPath   = regexp.MustCompile(`^/api/v1/attempts/\d+/submit$`)
	attemptPath  = regexp.MustCompile(`^/api/v1/attempts/\d+$`)
)

// phaseOf maps a request the server logged to the loadgen phase that sent it.
func phaseOf(method, path string) phase {
	switch {
	case method == "POST" && path == "/api/v1/auth/login":
		return phaseLogin
	case method == "POST" && startPath.MatchString(path):
		return phaseStart
	case method == "PUT" && autosavePath.MatchString(path):
		return phaseAutosave
	case method == "POST" && submitPath.MatchString(path):
		return phaseSubmit
	case method == "GET" && attemptPath.MatchString(path):
		return phaseReadback
	}
	return phaseSetup
}
