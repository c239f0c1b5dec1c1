package main

import (
	"io"
	"testing"
)

func TestCheckLoopback(t *testing.T) {
	ok := []struct{ in, want string }{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
		{"http://localhost:8080", "http://localhost:8080"},
		{"http://LOCALHOST:8080", "http://LOCALHOST:8080"},
		{"http://[::1]:8080", "http://[::1]:8080"},
		{"https://127.0.0.1", "https://127.0.0.1"},
		{"http://127.0.0.2:9000", "http://127.0.0.2:9000"}, // all of 127/8 is this machine
		{"http://localhost:8080/lectern/", "http://localhost:8080/lectern"},
	}
	for _, tc := range ok {
		t.Run("accept "+tc.in, func(t *testing.T) {
			got, err := checkLoopback(tc.in)
			if err != nil || got != tc.want {
				t.Errorf("checkLoopback(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
	refused := []string{
		"http://example.com",
		"http://10.0.0.5:8080",
		"http://192.168.1.10:8080",
		"http://0.0.0.0:8080",                 // every interface, not loopback
		"http://[::]:8080",                    // likewise
		"http://localhost.example.com:8080",   // a name that only starts like localhost
		"http://127.0.0.1.nip.io:8080",        // resolves elsewhere by DNS
		"http://user:pw@127.0.0.1:8080",       // credentials in the URL
		"ftp://127.0.0.1",                     // not HTTP
		"127.0.0.1:8080",                      // no scheme
		"http://127.0.0.1:8080/?redirect=foo", // a query could change meaning
		"http://[::ffff:10.0.0.1]:8080",       // IPv4-mapped non-loopback
		"",
	}
	for _, in := range refused {
		t.Run("refuse "+in, func(t *testing.T) {
			if got, err := checkLoopback(in); err == nil {
				t.Errorf("checkLoopback(%q) = %q, want an error", in, got)
			}
		})
	}
}

func TestParseJitter(t *testing.T) {
	for in, want := range map[string]float64{"50%": 0.5, "0.5": 0.5, "0%": 0, "100%": 1, " 25% ": 0.25} {
		if got, err := parseJitter(in); err != nil || got != want {
			t.Errorf("parseJitter(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"150%", "-1", "half", ""} {
		if _, err := parseJitter(in); err == nil {
			t.Errorf("parseJitter(%q): want an error", in)
		}
	}
}

func TestLostAnswers(t *testing.T) {
	a := func(c ...string) answer { return answer{Choices: c} }
	acked := map[string]save{"q1": {seq: 3, answer: a("x")}, "q2": {seq: 5, answer: a("b", "a")}}
	sent := map[string][]save{"q1": {{1, a("y")}, {3, a("x")}, {4, a("z")}}}
	tests := []struct {
		name   string
		stored map[string]savedOut
		lost   int
	}{
		{"all stored as acknowledged (choice order is free)", map[string]savedOut{"q1": {Seq: 3, Answer: a("x")}, "q2": {Seq: 5, Answer: a("a", "b")}}, 0},
		{"missing", map[string]savedOut{"q1": {Seq: 3, Answer: a("x")}}, 1},
		{"older save won", map[string]savedOut{"q1": {Seq: 1, Answer: a("y")}, "q2": {Seq: 5, Answer: a("a", "b")}}, 1},
		{"same seq, other answer", map[string]savedOut{"q1": {Seq: 3, Answer: a("y")}, "q2": {Seq: 5, Answer: a("a", "b")}}, 1},
		{"newer save whose acknowledgement was lost", map[string]savedOut{"q1": {Seq: 4, Answer: a("z")}, "q2": {Seq: 5, Answer: a("a", "b")}}, 0},
		{"newer seq never sent", map[string]savedOut{"q1": {Seq: 9, Answer: a("z")}, "q2": {Seq: 5, Answer: a("a", "b")}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := lostAnswers(acked, sent, tc.stored); got != tc.lost {
				t.Errorf("lost = %d, want %d", got, tc.lost)
			}
		})
	}
}

func TestParseFlags_LoginWindowDefault(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		login string
	}{
		{nil, "10s"}, // 100 officers × 60 ms = 6 s < the 10 s start window
		{[]string{"--start-window", "3s"}, "6s"},
		{[]string{"--officers", "1000"}, "1m0s"},
		{[]string{"--start-window", "3s", "--login-window", "2m"}, "2m0s"},
	} {
		c, err := parseFlags(tc.args, io.Discard)
		if err != nil || c.LoginWindow.String() != tc.login {
			t.Errorf("parseFlags(%q): login window %v, %v; want %s", tc.args, c.LoginWindow, err, tc.login)
		}
	}
}
