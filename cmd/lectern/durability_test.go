package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// apiClient talks to a real server as one user.
type apiClient struct {
	base  string
	token string
	http  *http.Client
}

func (c *apiClient) do(method, path string, body any, ctype string, out any) (int, error) {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		data, _ := json.Marshal(b)
		r = bytes.NewReader(data)
		ctype = "application/json"
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return 0, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			return res.StatusCode, fmt.Errorf("decode %s: %w", data, err)
		}
	}
	if res.StatusCode >= 300 {
		return res.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, data)
	}
	return res.StatusCode, nil
}

func login(t *testing.T, base, email, password string, hc *http.Client) *apiClient {
	t.Helper()
	var out struct{ Token string }
	c := &apiClient{base: base, http: hc}
	if _, err := c.do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, "", &out); err != nil {
		t.Fatal(err)
	}
	c.token = out.Token
	return c
}

// noonZone returns an IANA zone where it is around midday now, and today's date
// there, so a test session "today 00:00–23:59" is always in progress.
func noonZone(now time.Time) (string, string) {
	x := now.UTC().Hour() - 12 // local = UTC − x in Etc/GMT+x
	name := "Etc/GMT"
	switch {
	case x > 0:
		name += fmt.Sprintf("+%d", x)
	case x < 0:
		name += fmt.Sprintf("%d", x)
	}
	loc, _ := time.LoadLocation(name)
	return name, now.In(loc).Format("2006-01-02")
}

type sentAnswer struct {
	seq    int64
	choice string
}

// TestDurability_KillDashNine runs officers autosaving against the real binary,
// kills it with SIGKILL mid-flight, restarts it on the same data directory, and
// checks that every answer the server acknowledged is stored.
func TestDurability_KillDashNine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a few hundred officers")
	}
	const officers = 200
	bin := buildBinary(t)
	data := t.TempDir()
	cmd, base, _ := startBinary(t, bin, "--data", data)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: officers}}
	admin := login(t, base, testAdminEmail, testAdminPassword, hc)

	var agency struct{ ID int64 }
	if _, err := admin.do("POST", "/api/v1/agencies", map[string]string{"name": "Durability Agency", "country": "SE"}, "", &agency); err != nil {
		t.Fatal(err)
	}
	var trainer struct{ ID int64 }
	if _, err := admin.do("POST", "/api/v1/users", map[string]any{"email": "t@dur.example", "name": "Trainer", "role": "trainer", "password": "trainer password"}, "", &trainer); err != nil {
		t.Fatal(err)
	}
	zone, date := noonZone(time.Now())
	var session struct{ ID int64 }
	if _, err := admin.do("POST", "/api/v1/sessions", map[string]any{"course": "crypto-crime", "date": date, "start": "00:00", "end": "23:59",
		"timezone": zone, "venue": "Hall", "city": "Stockholm", "country": "SE", "capacity": officers, "trainer_ids": []int64{trainer.ID}}, "", &session); err != nil {
		t.Fatal(err)
	}
	var roster strings.Builder
	roster.WriteString("email,name,agency_id\n")
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := 0; i < officers; i++ {
		fmt.Fprintf(&roster, "o%03d@dur.example,Officer %d,%d\n", i, i, agency.ID)
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := admin.do("POST", "/api/v1/users", map[string]any{"email": fmt.Sprintf("o%03d@dur.example", i), "name": fmt.Sprintf("Officer %d", i),
				"role": "officer", "agency_id": agency.ID, "password": "officer password"}, "", nil); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	if _, err := admin.do("POST", fmt.Sprintf("/api/v1/sessions/%d/roster", session.ID), roster.String(), "text/csv", nil); err != nil {
		t.Fatal(err)
	}

	type officerState struct {
		client   *apiClient
		attempt  int64
		question []string            // single-choice questions
		choices  map[string][]string // their choice ids
		acked    map[string]sentAnswer
		sent     map[string]map[int64]string // question → seq → choice
	}
	states := make([]*officerState, officers)
	for i := range states {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			st := &officerState{client: login(t, base, fmt.Sprintf("o%03d@dur.example", i), "officer password", hc),
				choices: map[string][]string{}, acked: map[string]sentAnswer{}, sent: map[string]map[int64]string{}}
			var att struct {
				ID        int64
				Questions []struct {
					ID      string
					Type    string
					Choices []struct{ ID string }
				}
			}
			if _, err := st.client.do("POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-blockchain/attempts", session.ID), nil, "", &att); err != nil {
				t.Error(err)
				return
			}
			st.attempt = att.ID
			for _, q := range att.Questions {
				if q.Type == "single" {
					st.question = append(st.question, q.ID)
					for _, c := range q.Choices {
						st.choices[q.ID] = append(st.choices[q.ID], c.ID)
					}
					st.sent[q.ID] = map[int64]string{}
				}
			}
			states[i] = st
		}(i)
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	// Autosave until the server dies; record what it acknowledged.
	var mu sync.Mutex
	stop := make(chan struct{})
	acks := 0
	for _, st := range states {
		wg.Add(1)
		go func(st *officerState) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(st.attempt), 7))
			for seq := int64(1); ; seq++ {
				select {
				case <-stop:
					return
				default:
				}
				q := st.question[rng.IntN(len(st.question))]
				choice := st.choices[q][rng.IntN(len(st.choices[q]))]
				mu.Lock()
				st.sent[q][seq] = choice
				mu.Unlock()
				var saved struct {
					Seq    int64
					Answer struct{ Choices []string }
				}
				_, err := st.client.do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%s", st.attempt, q), map[string]any{"choices": []string{choice}, "seq": seq}, "", &saved)
				if err != nil {
					select {
					case <-stop:
						return // the server is gone: this save was not acknowledged
					default:
						t.Errorf("save before the kill: %v", err)
						return
					}
				}
				mu.Lock()
				if saved.Seq >= st.acked[q].seq && len(saved.Answer.Choices) == 1 {
					st.acked[q] = sentAnswer{seq: saved.Seq, choice: saved.Answer.Choices[0]}
					acks++
				}
				mu.Unlock()
				time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
			}
		}(st)
	}
	time.Sleep(1500 * time.Millisecond)
	close(stop)
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown, no flush
		t.Fatal(err)
	}
	cmd.Wait()
	wg.Wait()
	mu.Lock()
	t.Logf("%d saves acknowledged before kill -9", acks)
	mu.Unlock()
	if acks < officers {
		t.Fatalf("only %d acknowledged saves: the load did not run", acks)
	}

	_, base2, _ := startBinary(t, bin, "--data", data)
	lost := 0
	for _, st := range states {
		st.client.base = base2 // tokens live in the database: they survive the restart
		var got struct {
			Answers map[string]struct {
				Seq    int64
				Answer struct{ Choices []string }
			}
		}
		if _, err := st.client.do("GET", fmt.Sprintf("/api/v1/attempts/%d", st.attempt), nil, "", &got); err != nil {
			t.Fatal(err)
		}
		for q, ack := range st.acked {
			stored, ok := got.Answers[q]
			switch {
			case !ok || stored.Seq < ack.seq:
				lost++
			case stored.Seq == ack.seq && (len(stored.Answer.Choices) != 1 || stored.Answer.Choices[0] != ack.choice):
				lost++
			case stored.Seq > ack.seq && (len(stored.Answer.Choices) != 1 || stored.Answer.Choices[0] != st.sent[q][stored.Seq]):
				lost++ // a newer save was stored but not acknowledged: it must be the one sent with that seq
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d acknowledged answers lost after kill -9", lost)
	}
}
