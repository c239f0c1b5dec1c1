package web

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
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
	ts.fixClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
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
	slips := pdfText(t, []byte(doc))
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
