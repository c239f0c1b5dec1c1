package privacy

import (
	"encoding/json"
	"testing"

	"github.com/lectern-platform/lectern/internal/store"
)

func TestScrub(t *testing.T) {
	strs := personalStrings(&store.User{Name: "Ana Li-Nørgaard", GivenName: "Ana", FamilyName: "Li-Nørgaard", LatinName: "Ana Li-Norgaard",
		Email: "ana.li@police.example"})
	if len(strs) != 5 || strs[len(strs)-1] != "Ana" || strs[len(strs)-2] != "Li-Nørgaard" {
		t.Errorf("longest first (a full name before its parts): %q", strs)
	}
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"nothing personal", "nothing personal"},
		{"Ana Li-Nørgaard", "[erased]"},
		{"ANA LI-NØRGAARD typed in capitals", "[erased] typed in capitals"},
		{"Banana and Anatomy stay; Ana goes", "Banana and Anatomy stay; [erased] goes"},
		{"Ana Ana", "[erased] [erased]"},
		{"mail ANA.LI@police.example now", "mail [erased] now"},
		{`{"name":"Ana Li-Nørgaard","email":"ana.li@police.example","n":12345678901234567890,"list":["Ana",{"x":"Dr Ana"}]}`,
			`{"email":"[erased]","list":["[erased]",{"x":"Dr [erased]"}],"n":12345678901234567890,"name":"[erased]"}`},
		{`{"role":"officer"}`, `{"role":"officer"}`},
		{"<p>Dear Ana Li-Nørgaard &amp; co</p>", "<p>Dear [erased] &amp; co</p>"},
	} {
		if got := scrub(strs, c.in); got != c.want {
			t.Errorf("scrub(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// A name with characters HTML and JSON escape is found in those forms.
	amp := personalStrings(&store.User{Name: "Tom & <Jerry>"})
	if got := scrub(amp, "<p>Hello Tom &amp; &lt;Jerry&gt;</p>"); got != "<p>Hello [erased]</p>" {
		t.Errorf("HTML-escaped name: %q", got)
	}
	raw, _ := json.Marshal(map[string]string{"name": "Tom & <Jerry>"})
	if got := scrub(amp, string(raw)); got != `{"name":"[erased]"}` {
		t.Errorf("JSON-escaped name in %s: %q", raw, got)
	}
	if n := needles(amp); len(n) != 3 {
		t.Errorf("needles of a name with & and <>: %q (raw, JSON- and HTML-escaped)", n)
	}
}

// A given or family name alone is someone else's name too: only the full
// name, the Latin name and the address are taken out of others' records.
func TestScrub_OthersKeepTheirNames(t *testing.T) {
	u := &store.User{Name: "Paul Martin", GivenName: "Paul", FamilyName: "Martin", LatinName: "Paul Martin", Email: "paul.martin@x.example"}
	whole := identifyingStrings(u)
	for _, c := range []struct{ in, want string }{
		{`{"name":"Paul Dupont","email":"paul.dupont@y.example"}`, `{"name":"Paul Dupont","email":"paul.dupont@y.example"}`},
		{"Bonjour Paul,", "Bonjour Paul,"},
		{"Officers due: Paul Martin, Anne Martin", "Officers due: [erased], Anne Martin"},
		{"write to paul.martin@x.example", "write to [erased]"},
	} {
		if got := scrub(whole, c.in); got != c.want {
			t.Errorf("scrub of another's record %q = %q, want %q", c.in, got, c.want)
		}
	}
	if got := scrub(personalStrings(u), "Bonjour Paul,"); got != "Bonjour [erased]," {
		t.Errorf("a row about the user loses the given name too: %q", got)
	}
}

// Sign-in events about the person keep the event but lose the client
// address it recorded (login history goes with the erasure).
func TestForgetClient(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"client":"203.0.113.7"}`, `{"client":"[erased]"}`},
		{`{"active_account":false,"client":"2001:db8::1"}`, `{"active_account":false,"client":"[erased]"}`},
		{`{"client":""}`, `{"client":""}`},
		{`{"role":"officer"}`, `{"role":"officer"}`},
		{"not json, client 203.0.113.7", "not json, client 203.0.113.7"},
		{"", ""},
	} {
		if got := forgetClient(c.in); got != c.want {
			t.Errorf("forgetClient(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
