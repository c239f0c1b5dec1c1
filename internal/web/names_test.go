package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/internal/pdftest"
)

// The advice every refusal of an unprintable name gives.
const latinAdvice = "give the name in Latin letters in latin_name too"

// A name no certificate font can print (Devanagari, Thai, Chinese) is refused
// where it is entered — the API, the admin page, a roster row — naming the
// characters and asking for latin_name; with latin_name it is accepted, and
// Arabic script is printable now.
func TestNames_UnprintableRefusedAtEntry(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ctx := context.Background()
	admin := ts.token(t, w.admin)
	exists := func(email string) bool {
		_, err := ts.DB.UserByEmail(ctx, email)
		return err == nil
	}

	// API.
	officer := func(email, name, latin string) map[string]any {
		return map[string]any{"email": email, "name": name, "latin_name": latin, "role": "officer", "agency_id": w.agencyA.ID}
	}
	res, body := ts.api(t, admin, "POST", "/api/v1/users", officer("rahul@police.example", "राहुल शर्मा", ""))
	if res.StatusCode != 422 || !strings.Contains(body, `"field":"name"`) || !strings.Contains(body, "र, ा, ह, ल, श, म (Devanagari)") ||
		!strings.Contains(body, latinAdvice) {
		t.Errorf("Devanagari name without latin_name: %d %s", res.StatusCode, body)
	}
	if exists("rahul@police.example") {
		t.Errorf("a refused user was created")
	}
	for _, u := range []map[string]any{officer("rahul@police.example", "राहुल शर्मा", "Rahul Sharma"), officer("mohammed@police.example", "محمد عبد الله", "")} {
		if res, body := ts.api(t, admin, "POST", "/api/v1/users", u); res.StatusCode != 201 {
			t.Errorf("%s: %d %s", u["name"], res.StatusCode, body)
		}
	}

	// The admin page's form: the message beside the field, the values kept.
	browser := ts.browser(t, w.admin)
	form := url.Values{"csrf_token": {csrfFrom(t, browser, ts.URL+"/admin/users")}, "email": {"somchai@police.example"},
		"name": {"สมชาย ใจดี"}, "role": {"officer"}, "agency_id": {fmt.Sprint(w.agencyA.ID)}}
	res, err := browser.PostForm(ts.URL+"/admin/users", form)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	text := html.UnescapeString(string(page))
	if res.StatusCode != 422 || !strings.Contains(text, "no font has ส, ม, ช, า, ย, ใ, จ, ด (Thai)") || !strings.Contains(text, latinAdvice) ||
		!strings.Contains(text, `value="สมชาย ใจดี"`) {
		t.Errorf("admin form, Thai name: %d\n%s", res.StatusCode, text)
	}
	form.Set("latin_name", "Somchai Jaidee")
	if res := postForm(t, browser, ts.URL+"/admin/users", form); res.StatusCode != http.StatusSeeOther || !exists("somchai@police.example") {
		t.Errorf("admin form with latin_name: %d", res.StatusCode)
	}

	// A roster: the row's line is named; all or nothing.
	ts.fixClock(weekBefore)
	s := w.createSession(t, 30, nil)
	trainer := ts.token(t, w.trainer)
	a := w.agencyA.ID
	roster := "email,name,latin_name,agency_id\n" +
		fmt.Sprintf("fatemeh@police.example,فاطمه رضایی,,%d\n", a) + // line 2: Persian, printable
		fmt.Sprintf("zhang@police.example,张伟,,%d\n", a) + // line 3: no font, no latin_name
		fmt.Sprintf("chen@police.example,陈静,Chen Jing,%d\n", a) // line 4: no font (simplified Han), latin_name given
	res, body = ts.postCSV(t, trainer, s.ID, roster)
	if res.StatusCode != 422 || !strings.Contains(body, `"row":3,"field":"name","message":"cannot be printed on certificates: no font has 张, 伟 (Han); `+latinAdvice) ||
		strings.Count(body, `"row":`) != 1 {
		t.Errorf("roster with an unprintable name: %d %s", res.StatusCode, body)
	}
	if exists("fatemeh@police.example") {
		t.Errorf("a refused roster created accounts")
	}
	roster = strings.Replace(roster, "张伟,,", "张伟,Zhang Wei,", 1)
	if res, body := ts.postCSV(t, trainer, s.ID, roster); res.StatusCode != 200 {
		t.Fatalf("roster with latin_name: %d %s", res.StatusCode, body)
	}

	// The slips print the Latin name for the names no font has.
	res, doc := ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/slips", s.ID), nil)
	if res.StatusCode != 200 {
		t.Fatalf("slips: %d %s", res.StatusCode, doc)
	}
	slips := pdftest.Text(t, []byte(doc))
	for _, want := range []string{"Zhang Wei", "Chen Jing"} {
		if !strings.Contains(slips, want) {
			t.Errorf("%q not on the slips:\n%s", want, slips)
		}
	}
	if strings.ContainsAny(slips, "张陈") {
		t.Errorf("a name no font has is drawn on the slips:\n%s", slips)
	}
	if u, err := ts.DB.UserByEmail(ctx, "zhang@police.example"); err != nil || u.Name != "张伟" || u.LatinName != "Zhang Wei" {
		t.Errorf("imported user: %+v %v", u, err)
	}
}

// Invisible characters that reorder or hide text (bidi embeddings, overrides,
// isolates and marks, zero-width space, BOM) and control characters (tab, line
// breaks, C0/C1) are refused in a name wherever it is entered, naming the
// character; ZWNJ and ZWJ, which Persian and other scripts spell with, are kept.
func TestNames_InvisibleControlsRefusedAtEntry(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ctx := context.Background()
	admin := ts.token(t, w.admin)
	bad := map[rune]string{0x202E: "RIGHT-TO-LEFT OVERRIDE", 0x202A: "LEFT-TO-RIGHT EMBEDDING", 0x2067: "RIGHT-TO-LEFT ISOLATE",
		0x2069: "POP DIRECTIONAL ISOLATE", 0x200E: "LEFT-TO-RIGHT MARK", 0x200F: "RIGHT-TO-LEFT MARK", 0x061C: "ARABIC LETTER MARK",
		0x200B: "ZERO WIDTH SPACE", 0xFEFF: "ZERO WIDTH NO-BREAK SPACE", '\t': "", '\n': "", 0x85: "", 0x2028: "LINE SEPARATOR"}
	for r, what := range bad {
		for _, field := range []string{"name", "given_name", "latin_name"} {
			u := map[string]any{"email": "mallory@police.example", "name": "Ana Novak", "role": "officer", "agency_id": w.agencyA.ID}
			u[field] = "Ana" + string(r) + " Novak"
			res, body := ts.api(t, admin, "POST", "/api/v1/users", u)
			code := fmt.Sprintf("U+%04X", r)
			if res.StatusCode != 422 || !strings.Contains(body, `"field":"`+field+`"`) || !strings.Contains(body, code) || !strings.Contains(body, what) {
				t.Errorf("%s in %s: %d %s", code, field, res.StatusCode, body)
			}
		}
	}
	if _, err := ts.DB.UserByEmail(ctx, "mallory@police.example"); err == nil {
		t.Errorf("a name with a control character was accepted")
	}
	persian := "محمدرضا عبدالله\u200cزاده" // ZWNJ between the parts of the family name
	res, body := ts.api(t, admin, "POST", "/api/v1/users", map[string]any{"email": "mohammadreza@police.example", "name": persian,
		"given_name": "Zoë\u200dX", "role": "officer", "agency_id": w.agencyA.ID})
	if res.StatusCode != 201 || !strings.Contains(body, "\u200c") {
		t.Errorf("Persian name with ZWNJ: %d %s", res.StatusCode, body)
	}

	// The admin page's form.
	browser := ts.browser(t, w.admin)
	form := url.Values{"csrf_token": {csrfFrom(t, browser, ts.URL+"/admin/users")}, "email": {"eve@police.example"},
		"name": {"\u202eEve Novak"}, "role": {"officer"}, "agency_id": {fmt.Sprint(w.agencyA.ID)}}
	if res := postForm(t, browser, ts.URL+"/admin/users", form); res.StatusCode != 422 {
		t.Errorf("admin form, name with U+202E: %d", res.StatusCode)
	}

	// A roster row.
	ts.fixClock(weekBefore)
	s := w.createSession(t, 30, nil)
	roster := "email,name,agency_id\n" +
		fmt.Sprintf("ana.novak@police.example,Ana Novak,%d\n", w.agencyA.ID) +
		fmt.Sprintf("trudy@police.example,\u2067Trudy\u2069 Smith,%d\n", w.agencyA.ID)
	res, body = ts.postCSV(t, ts.token(t, w.trainer), s.ID, roster)
	if res.StatusCode != 422 || !strings.Contains(body, `"row":3,"field":"name"`) || !strings.Contains(body, "U+2067") || strings.Count(body, `"row":`) != 1 {
		t.Errorf("roster with an isolate in a name: %d %s", res.StatusCode, body)
	}
	if _, err := ts.DB.UserByEmail(ctx, "ana.novak@police.example"); err == nil {
		t.Errorf("a refused roster created accounts")
	}
}

// The scripts an unprintable name's refusal names are in the reader's
// language; the API's args carry the characters and the scripts' ISO 15924
// codes, the same in every language, for a client to word them itself.
func TestNames_ScriptsInTheReadersLanguage(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	token := ts.token(t, w.admin)
	body := fmt.Sprintf(`{"email":"rahul@police.example","name":"राहुल","role":"officer","agency_id":%d}`, w.agencyA.ID)
	for lang, want := range map[string]string{"en": "र, ा, ह, ल (Devanagari)", "fr": "र, ा, ह, ल (dévanâgarî)", "ko": "र, ा, ह, ल (데바나가리 문자)", "he": "र, ा, ह, ल (דוואנגרי)"} {
		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/users", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", lang)
		res, raw := send(t, http.DefaultClient, req)
		var out struct {
			Error struct {
				Details []struct {
					Field, Message string
					MessageID      string `json:"message_id"`
					Args           map[string]any
				}
			}
		}
		if err := json.Unmarshal([]byte(raw), &out); err != nil || res.StatusCode != 422 || len(out.Error.Details) != 1 {
			t.Fatalf("%s: %d %v %s", lang, res.StatusCode, err, raw)
		}
		d := out.Error.Details[0]
		if d.Field != "name" || d.MessageID != "err.name.unprintable" || !strings.Contains(d.Message, want) {
			t.Errorf("%s: %+v, want the message to name %q", lang, d, want)
		}
		if args, _ := json.Marshal(d.Args); string(args) != `{"Chars":{"chars":["र","ा","ह","ल"],"scripts":["Deva"]}}` {
			t.Errorf("%s: args %s", lang, args)
		}
	}
}
