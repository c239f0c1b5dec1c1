package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/demo"
)

// renderedText is a piece of text a person reads on the rendered page: a text
// node of a rendered element, the document's title, or an attribute a person
// reads (readAttributes, a submit input's value), with the language of its
// element and whether it sits under translate="no".
type renderedText struct {
	Text string `json:"text"`
	Lang string `json:"lang"`
	Data bool   `json:"data"`
}

// renderedPage is what a browser shows: <html lang dir> and the texts.
type renderedPage struct {
	Lang  string         `json:"lang"`
	Dir   string         `json:"dir"`
	Texts []renderedText `json:"texts"`
}

// readRendered takes the page as rendered, after its scripts ran: text nodes
// of elements the browser renders (checkVisibility: not display:none, not
// hidden, not visibility:hidden — a screen reader's sr-only text is rendered,
// and read), the title, and the attributes of readAttributes on rendered
// elements. It is the live counterpart of visibleTexts, which reads served HTML.
var readRendered = func() string {
	attrs, _ := json.Marshal(readAttributes)
	return fmt.Sprintf(`(() => {
	const attrs = %s, out = [];
	const add = (el, s) => {
		s = (s || "").replace(/\s+/g, " ").trim();
		if (!s) return;
		const l = el.closest("[lang]");
		out.push({text: s, lang: l ? l.getAttribute("lang") : "", data: !!el.closest('[translate="no"]')});
	};
	const shown = el => el.checkVisibility({visibilityProperty: true});
	add(document.documentElement, document.title);
	const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n; (n = w.nextNode());) {
		const p = n.parentElement;
		if (p && !p.closest("script, style, template, noscript") && shown(p)) add(p, n.data);
	}
	for (const el of document.body.querySelectorAll("*")) {
		if (!shown(el)) continue;
		for (const a of attrs) if (el.hasAttribute(a)) add(el, el.getAttribute(a));
		if (el.matches('input[type=submit], input[type=button], input[type=reset]')) add(el, el.value);
	}
	return {lang: document.documentElement.lang, dir: document.documentElement.dir, texts: out};
})()`, attrs)
}()

// visible turns the rendered texts into the walk's: foreign when declared in
// another language than the page, or data under translate="no".
func (p renderedPage) visible() []visibleText {
	out := make([]visibleText, 0, len(p.Texts))
	for _, r := range p.Texts {
		out = append(out, visibleText{text: r.Text, foreign: r.Data || !sameLanguage(r.Lang, p.Lang)})
	}
	return out
}

// TestBrowser_KoreanOfficersDay is the "Done when" in a real browser:
// one Chromium whose language is Korean (its Accept-Language says ko, as the
// server is checked to have heard on every request) carries a Korean officer
// of the demo through the day — the sign-in form, the dashboard, the course
// and a module (the course has no Korean text: its words are data in English,
// marked lang="en"), today's session, the check-in with the room's code, quiz
// 1 started, every question answered on the page (autosaved), Submit with one
// left blank (the page's confirmation), Go back, the last answer, Submit, the
// result and the quiz list. Every screen, once settled — quiz.js's own live
// texts included — is read as rendered and checked with the walk's checker
// (TestLanguages_NoEnglishLeft's English matchers and, for Korean, its Latin
// word rule): no English interface text, and <html lang="ko" dir="ltr">. The
// checker is shown to catch English put into the live quiz page.
func TestBrowser_KoreanOfficersDay(t *testing.T) {
	path := needChromium(t)
	began := time.Now()
	d := newDemoDay(t)
	ts := d.ts
	cats := catalogues(t)
	pc := newPageChecker(cats, "ko", demoData(t, d))
	// 강도윤 of the Seoul police: enrolled today, not checked in, no attempt.
	officer := credentials{"doyun.kang@police-seoul.example", demo.OfficerPassword}
	u, err := ts.DB.UserByEmail(t.Context(), officer.Email)
	if err != nil {
		t.Fatal(err)
	}
	if at, err := ts.DB.Read(t.Context()).Attempts(d.today, d.quiz, &u.ID); err != nil || len(at) > 0 {
		t.Fatalf("the demo's %s has attempts today (%d) or none can be read: %v", u.Name, len(at), err)
	}

	// The server notes the Accept-Language of every request the browser makes.
	var mu sync.Mutex
	heard := map[string]int{}
	base := serveWithServerDate(t, ts, ts.Server.attempts.Now(), func(r *http.Request) {
		mu.Lock()
		heard[r.Header.Get("Accept-Language")]++
		mu.Unlock()
	})

	b := newBrowserTab(t, path, chromedp.Flag("accept-lang", "ko"), chromedp.Flag("lang", "ko"))
	b.do("a phone screen", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	screens := 0
	check := func(what string) {
		t.Helper()
		b.pollAcross(what+" settles", `document.readyState === "complete"`)
		p := tabRun(b, "read "+what, chromedp.Evaluate[renderedPage](readRendered))
		if p.Lang != "ko" || p.Dir != "ltr" {
			t.Errorf("%s: <html lang=%q dir=%q>, want ko ltr", what, p.Lang, p.Dir)
		}
		if len(p.Texts) < 10 {
			t.Errorf("%s: only %d texts read: %+v", what, len(p.Texts), p.Texts)
		}
		for _, f := range pc.checkTexts(p.visible()) {
			t.Errorf("%s: English on the screen: %s: %q", what, f.id, f.text)
		}
		screens++
	}
	click := func(what, selector string) string {
		t.Helper()
		return b.navigate(what, chromedp.Click(chromedp.CSS(selector)))
	}

	b.do("open the sign-in page", chromedp.Navigate(base+"/login"))
	check("the sign-in page")
	b.signIn(base, officer)
	check("the dashboard")

	click("open the course", `main a[href="/courses/crypto-crime"]`)
	check("the course")
	click("open module 1", `main a[href="/courses/crypto-crime/01-blockchain"]`)
	check("module 1")

	// Today's session, and the check-in with the code the room's screen shows.
	b.do("back to the dashboard", chromedp.Navigate(base+"/"))
	if p := click("open today's session", `.today-session a.button.big`); p != fmt.Sprintf("/sessions/%d", d.today) {
		t.Fatalf("the dashboard's check-in button led to %s", p)
	}
	check("today's session")
	click("open the check-in", fmt.Sprintf(`main a[href="/sessions/%d/checkin"]`, d.today))
	check("the check-in page")
	res, body := ts.api(t, ts.token(t, d.login["trainer"]), http.MethodGet, fmt.Sprintf("/api/v1/sessions/%d/checkin-code", d.today), nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the room's code: %d %s", res.StatusCode, body)
	}
	code := decode[struct{ Code string }](t, body).Code
	b.do("type the room's code", chromedp.SendKeys(chromedp.ID("code"), code))
	click("check in", `form[action$="/checkin"] button[type=submit]`)
	b.poll("checked in", `document.querySelector("p.notice[role=status]") !== null`)
	check("checked in")
	if row, err := ts.DB.Read(t.Context()).Attendance(d.today, u.ID); err != nil || row.Source != "checkin" {
		t.Fatalf("after checking in, attendance %+v %v", row, err)
	}
	click("back to the session", fmt.Sprintf(`main a[href="/sessions/%d"]`, d.today))
	check("the session, checked in")

	// Quiz 1, from the session's quiz list.
	click("open the quizzes", fmt.Sprintf(`main a.button.big[href="/sessions/%d/quizzes"]`, d.today))
	check("the quiz list")
	p := click("start quiz 1", fmt.Sprintf(`form[action$="/quizzes/%s/start"] button[type=submit]`, d.quiz))
	m := attemptPath.FindStringSubmatch(p)
	if m == nil {
		t.Fatalf("starting the quiz led to %s", p)
	}
	attemptID, _ := strconv.ParseInt(m[1], 10, 64)
	var msg map[string]string
	if err := jsonUnmarshal([]byte(tabRun(b, "read the quiz messages", chromedp.Evaluate[string](`document.getElementById("quiz-messages").textContent`))), &msg); err != nil {
		t.Fatal(err)
	}
	b.poll("the countdown runs", `/\d:\d\d/.test(document.getElementById("timer-value").textContent)`)
	check("the quiz")
	// Every message quiz.js may write (offline, time up, late …), not only
	// those this day shows.
	for k, s := range msg {
		for _, f := range pc.checkTexts([]visibleText{{text: s}}) {
			t.Errorf("quiz.js message %s: %s: %q", k, f.id, f.text)
		}
	}

	c, _ := ts.Library.Course(demo.CourseID)
	qz := c.Quizzes()[0]
	maxScore := 0
	for _, q := range qz.Questions {
		if !q.Dropped {
			maxScore += q.Points
		}
	}
	answer := func(q *course.Question) {
		t.Helper()
		in := func(id string) string { return fmt.Sprintf(`input[name="q.%s"][value="%s"]`, q.ID, id) }
		switch q.Kind {
		case course.KindSingle, course.KindMultiple:
			for _, ch := range q.Choices {
				if !ch.Correct {
					continue
				}
				// Clear of the sticky timer bar before the tap.
				b.do("scroll to "+q.ID, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%s).scrollIntoView({block: "center"})`, jsString(in(ch.ID)))))
				b.do("tap "+q.ID, chromedp.Click(chromedp.CSS(in(ch.ID))))
				b.poll(q.ID+" chosen", fmt.Sprintf(`document.querySelector(%s).checked`, jsString(in(ch.ID))))
			}
		default:
			text := strconv.FormatFloat(q.Number, 'f', -1, 64)
			if q.Kind == course.KindShort {
				text = q.Answers[0]
			}
			b.do("type "+q.ID, chromedp.SendKeys(chromedp.ID("in-"+q.ID), text), chromedp.Blur(chromedp.ID("in-"+q.ID)))
		}
		b.waitText(q.ID+" saved", "st-"+q.ID, msg["saved"])
	}
	last := qz.Questions[len(qz.Questions)-1]
	for _, q := range qz.Questions[:len(qz.Questions)-1] {
		answer(q)
	}
	b.waitText("all saved", "sync-status", msg["allSaved"])
	check("the quiz, answered but one")

	// The check can fail: English put into the live page is caught — a status
	// as quiz.js would write it in English, a button's label — and English
	// that is not rendered is not.
	first := qz.Questions[0].ID
	en := func(id string) string { return cats["en"][id].forms[0] }
	b.do("slip English in", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`
		document.getElementById("st-%s").textContent = %s;
		document.querySelector('.quiz-actions button[value="submit"]').setAttribute("aria-label", %s);
		document.querySelector("main").insertAdjacentHTML("beforeend", '<p id="slip" hidden>Loading…</p>');`,
		first, jsString(en("quizjs.saved")), jsString(en("quiz.submit")))))
	got := pc.checkTexts(tabRun(b, "read the page with English", chromedp.Evaluate[renderedPage](readRendered)).visible())
	var ids []string
	for _, f := range got {
		ids = append(ids, f.id)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"quiz.submit", "quizjs.saved"}) {
		t.Errorf("English slipped into the quiz page is found as %+v, want quiz.submit and quizjs.saved only", got)
	}
	b.do("take the English out", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`
		document.getElementById("st-%s").textContent = %s;
		document.querySelector('.quiz-actions button[value="submit"]').removeAttribute("aria-label");
		document.getElementById("slip").remove();`, first, jsString(msg["saved"]))))

	// Submit with the last question blank: the page asks first.
	submit := `.quiz-actions button[name="action"][value="submit"]`
	b.do("press Submit", chromedp.Click(chromedp.CSS(submit)))
	b.poll("the page asks", `!document.getElementById("blank-confirm").hidden`)
	if text := tabRun(b, "read the question", chromedp.Evaluate[string](`document.getElementById("blank-confirm-text").textContent`)); !strings.Contains(text, "1") || !strings.Contains(text, strconv.Itoa(len(qz.Questions))) {
		t.Errorf("the confirmation says %q, want 1 of %d blank", text, len(qz.Questions))
	}
	check("the confirmation")
	b.do("go back", chromedp.Click(chromedp.ID("blank-confirm-no")))
	b.poll("the confirmation is gone", `document.getElementById("blank-confirm").hidden`)
	answer(last)
	b.waitText("all saved", "sync-status", msg["allSaved"])
	check("the quiz, all answered")

	if p := click("submit", submit); p != fmt.Sprintf("/attempts/%d", attemptID) {
		t.Fatalf("submitting led to %s", p)
	}
	check("the result")
	if score := tabRun(b, "read the score", chromedp.Text(chromedp.CSS(".score"))); !strings.Contains(score, fmt.Sprintf("%d / %d", maxScore, maxScore)) {
		t.Errorf("the result shows %q, want %d / %d", score, maxScore, maxScore)
	}
	at, err := ts.DB.Read(t.Context()).Attempt(attemptID, false)
	if err != nil {
		t.Fatal(err)
	}
	if at.Finalised != "submitted" || at.Score != float64(maxScore) {
		t.Errorf("stored attempt: finalised %q, score %v of %d", at.Finalised, at.Score, maxScore)
	}
	click("back to the quizzes", fmt.Sprintf(`main a[href="/sessions/%d/quizzes"]`, d.today))
	check("the quiz list, after")

	mu.Lock()
	defer mu.Unlock()
	if len(heard) != 1 || heard["ko"] == 0 {
		t.Errorf("the server heard Accept-Language %v from the browser, want ko on every request", heard)
	}
	t.Logf("%d screens in Korean, %d requests, in %v", screens, heard["ko"], time.Since(began).Round(100*time.Millisecond))
}
