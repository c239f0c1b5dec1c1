package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/quiz"
	"github.com/lectern-platform/lectern/internal/store"
)

// flash is the message a form's redirect carries to the officers page.
func flash(t *testing.T, res *http.Response) string {
	t.Helper()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc.Query().Get("msg")
}

// auditWith reports whether the session's audit log holds an event of action,
// by someone, whose after-state carries the reason.
func auditWith(t *testing.T, qw *quizWorld, action, reason string) bool {
	t.Helper()
	events, err := qw.ts.DB.Read(context.Background()).AuditEvents(&qw.sessionID, 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Action == action && e.ActorID != nil && strings.Contains(e.After, reason) {
			return true
		}
	}
	return false
}

// storedAttempts reads an officer's attempts at the fixture quiz, none included.
func storedAttempts(t *testing.T, qw *quizWorld, userID int64) []store.Attempt {
	t.Helper()
	ats, err := qw.ts.DB.Read(context.Background()).Attempts(qw.sessionID, "01-m", &userID)
	if err != nil {
		t.Fatal(err)
	}
	return ats
}

// checkExtension: officer B's attempt v, extended until extended, takes a save
// after its first deadline (by the server's clock) and refuses one after the new.
func checkExtension(t *testing.T, qw *quizWorld, v attempt.View, extended time.Time) {
	t.Helper()
	save := fmt.Sprintf("/api/v1/attempts/%d/answers/pick", v.ID)
	qw.ts.fixClock(v.Deadline.Add(extended.Sub(v.Deadline) / 2))
	if res, body := qw.ts.api(t, qw.officerB, "PUT", save, map[string]any{"choices": []string{choiceID(v, "pick", "CORRECT")}}); res.StatusCode != 200 {
		t.Errorf("save after the first deadline, within the extension: %d %s", res.StatusCode, body)
	}
	qw.ts.fixClock(extended.Add(time.Second))
	if res, _ := qw.ts.api(t, qw.officerB, "PUT", save, map[string]any{"choices": []string{choiceID(v, "pick", "WRONG")}}); res.StatusCode != 409 {
		t.Errorf("save after the extension: %d", res.StatusCode)
	}
}

// inTheRoom is the setting of the trainer page tests: the fixture session an
// hour after its start, the trainer signed in, and officer B's id.
func inTheRoom(t *testing.T) (qw *quizWorld, trainer *http.Client, officerB int64) {
	t.Helper()
	qw = newQuizWorld(t)
	qw.at(time.Hour)
	return qw, qw.ts.browser(t, qw.world.trainer), qw.idOf(t, qw.world.officerB)
}

// TestQuizOfficersPage_Exceptions: in the room, through the trainer's page, an
// open attempt gets more time (and the server's clock honours it), a submitted
// one is reopened, and an officer who used up her attempts gets another; each
// refusal shows its error beside the form and changes nothing; each change is
// audited with its reason and listed on the page.
func TestQuizOfficersPage_Exceptions(t *testing.T) {
	qw, trainer, officerB := inTheRoom(t)
	ts := qw.ts
	page := fmt.Sprintf("/sessions/%d/quizzes/01-m/officers", qw.sessionID)

	// Linked from the quizzes page and the results page.
	for _, from := range []string{"quizzes", "results"} {
		if _, html := getWith(t, trainer, fmt.Sprintf("%s/sessions/%d/%s", ts.URL, qw.sessionID, from)); !strings.Contains(html, `href="`+page) {
			t.Errorf("the %s page does not link the officers page", from)
		}
	}
	res, html := getWith(t, trainer, ts.URL+page)
	if res.StatusCode != 200 || !strings.Contains(html, "Officer Alpha-Marker") || !strings.Contains(html, "경찰관 브라보") || !strings.Contains(html, "Agency Bravo") {
		t.Fatalf("officers page: %d %s", res.StatusCode, html)
	}
	assertNoKeys(t, "officers page", html)

	// More time on officer B's open attempt.
	v := qw.start(t, qw.officerB)
	extend := fmt.Sprintf("/sessions/%d/quizzes/01-m/attempts/%d/extend", qw.sessionID, v.ID)
	res, html = activate(t, ts, trainer, extend, url.Values{"minutes": {"10"}, "reason": {"  "}})
	if res.StatusCode != 422 || !strings.Contains(html, `id="extend-`+strconv.FormatInt(v.ID, 10)+`-reason-error"`) || !strings.Contains(html, `value="10"`) {
		t.Errorf("extend without a reason: %d, want 422 with the error beside the reason and the minutes kept", res.StatusCode)
	}
	if at := storedAttempts(t, qw, officerB)[0]; !at.Deadline.Equal(v.Deadline) {
		t.Errorf("a refused extension moved the deadline to %s", at.Deadline)
	}
	res, _ = activate(t, ts, trainer, extend, url.Values{"minutes": {"10"}, "reason": {"Phone battery died <script>alert(1)</script>"}})
	if res.StatusCode != 303 || !strings.Contains(flash(t, res), "now ends at") || !strings.HasSuffix(res.Header.Get("Location"), fmt.Sprintf("#u%d", officerB)) {
		t.Fatalf("extend: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	checkExtension(t, qw, v, v.Deadline.Add(10*time.Minute))

	// The attempt is over: "More time" is refused beside its form; reopen it.
	res, html = activate(t, ts, trainer, extend, url.Values{"minutes": {"5"}, "reason": {"too late"}})
	if res.StatusCode != 409 || !strings.Contains(html, "reopen it instead") {
		t.Errorf("extending a finished attempt: %d", res.StatusCode)
	}
	reopen := fmt.Sprintf("/sessions/%d/quizzes/01-m/attempts/%d/reopen", qw.sessionID, v.ID)
	if res, html := activate(t, ts, trainer, reopen, url.Values{"minutes": {"0"}, "reason": {"Fire alarm"}}); res.StatusCode != 422 || !strings.Contains(html, `reopen-`+strconv.FormatInt(v.ID, 10)+`-minutes-error`) {
		t.Errorf("reopen for 0 minutes: %d", res.StatusCode)
	}
	// The attempt must be the path's: another session's or quiz's path is 404.
	other := qw.world.createSession(t, 10, map[string]any{"course": "secret"})
	for _, wrong := range []string{fmt.Sprintf("/sessions/%d/quizzes/01-m/attempts/%d/reopen", other.ID, v.ID), fmt.Sprintf("/sessions/%d/quizzes/02-x/attempts/%d/reopen", qw.sessionID, v.ID)} {
		if res, _ := activate(t, ts, trainer, wrong, url.Values{"minutes": {"5"}, "reason": {"Fire alarm"}}); res.StatusCode != 404 {
			t.Errorf("reopen through %s: %d", wrong, res.StatusCode)
		}
	}
	res, _ = activate(t, ts, trainer, reopen, url.Values{"minutes": {"5"}, "reason": {"Fire alarm"}})
	if res.StatusCode != 303 || !strings.Contains(flash(t, res), "open again") {
		t.Fatalf("reopen: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res, body := ts.api(t, qw.officerB, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", v.ID), nil); res.StatusCode != 200 || !strings.Contains(body, `"score":1`) {
		t.Errorf("submit the reopened attempt (answers kept): %d %s", res.StatusCode, body)
	}

	// The fixture allows one attempt: used. An extra one, granted on the page.
	start := fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/attempts", qw.sessionID)
	if res, _ := ts.api(t, qw.officerB, "POST", start, nil); res.StatusCode != 409 {
		t.Fatalf("attempts not used up: %d", res.StatusCode)
	}
	grant := fmt.Sprintf("/sessions/%d/quizzes/01-m/officers/%d/grant", qw.sessionID, officerB)
	if res, html := activate(t, ts, trainer, grant, url.Values{"extra_attempts": {"11"}, "reason": {"Started on a broken phone"}}); res.StatusCode != 422 || !strings.Contains(html, "between 1 and 10") || !strings.Contains(html, `value="Started on a broken phone"`) {
		t.Errorf("grant of 11 attempts: %d", res.StatusCode)
	}
	res, _ = activate(t, ts, trainer, grant, url.Values{"extra_attempts": {"1"}, "reason": {"Started on a broken phone"}})
	if res.StatusCode != 303 || flash(t, res) != "경찰관 브라보 may start 1 more attempt." {
		t.Fatalf("grant: %d %q", res.StatusCode, flash(t, res))
	}
	if res, body := ts.api(t, qw.officerB, "POST", start, nil); res.StatusCode != 201 {
		t.Errorf("start with the extra attempt: %d %s", res.StatusCode, body)
	}
	// A form without the CSRF token is refused and grants nothing.
	if res := postForm(t, trainer, ts.URL+grant, url.Values{"extra_attempts": {"1"}, "reason": {"no token"}}); res.StatusCode != 403 {
		t.Errorf("grant without the CSRF token: %d", res.StatusCode)
	}
	if n, _ := ts.DB.Read(context.Background()).ExtraAttempts(qw.sessionID, officerB, "01-m"); n != 1 {
		t.Errorf("extra attempts %d, want 1", n)
	}

	for _, want := range []struct{ action, reason string }{{"attempt.extend", "Phone battery died"}, {"attempt.reopen", "Fire alarm"}, {"attempt.grant", "Started on a broken phone"}} {
		if !auditWith(t, qw, want.action, want.reason) {
			t.Errorf("no %s audited with %q", want.action, want.reason)
		}
	}
	if auditWith(t, qw, "attempt.grant", "no token") || auditWith(t, qw, "attempt.extend", "too late") {
		t.Errorf("a refused form was audited")
	}
	// The page lists what was granted and why, escaped.
	_, html = getWith(t, trainer, ts.URL+page)
	for _, want := range []string{"Phone battery died &lt;script&gt;", "Fire alarm", "Started on a broken phone", "2 of 2 attempts used (1 granted)"} {
		if !strings.Contains(html, want) {
			t.Errorf("officers page lacks %q", want)
		}
	}
	if strings.Contains(html, "<script>alert") {
		t.Errorf("a reason reached the page unescaped")
	}
}

// paperMarks reads the fixture quiz's printed version v as an officer who got
// everything right would have marked it, by printed question number; pick is
// the number of the one-choice question.
func paperMarks(t *testing.T, version int) (marks map[string]string, pick string) {
	t.Helper()
	fixture, probs := course.Load(os.DirFS("testdata/courses"), "secret", "secret")
	if fixture == nil || len(probs) > 0 {
		t.Fatalf("fixture course: %v", probs)
	}
	marks = map[string]string{}
	for i, q := range quiz.PaperVersion(fixture.Modules[0].Quiz, version) {
		n := strconv.Itoa(i + 1)
		switch q.ID {
		case "pick":
			pick = n
			for j, c := range q.Choices {
				if c.Correct {
					marks[n] = quiz.Letter(j)
				}
			}
		case "type":
			marks[n] = "short-answer-2b8"
		case "count":
			marks[n] = "4 242"
		}
	}
	return marks, pick
}

// sheetForm is the paper page's sheet form as a browser sends it.
func sheetForm(version string, marks map[string]string, reason string) url.Values {
	f := url.Values{"mode": {"sheet"}, "sheet.version": {version}, "reason": {reason}}
	for n, m := range marks {
		f.Set("sheet.answers."+n, m)
	}
	return f
}

// TestPaperPage_SheetByLetters: the trainer chooses version 2, types the letters
// and words read off the sheet, and the officer gets full marks, shown with ✎
// in the results. A wrong letter, a missing reason or version 0 come back with
// the error beside the input, what was typed kept, and nothing stored. The page
// shows what kind of mark each number takes, never the answers.
func TestPaperPage_SheetByLetters(t *testing.T) {
	qw, trainer, officerB := inTheRoom(t)
	ts := qw.ts
	paper := fmt.Sprintf("/sessions/%d/quizzes/01-m/paper/%d", qw.sessionID, officerB)
	marks, pickN := paperMarks(t, 2)

	res, html := getWith(t, trainer, ts.URL+paper)
	if res.StatusCode != 200 || !strings.Contains(html, `name="version"`) || !strings.Contains(html, "경찰관 브라보") || !strings.Contains(html, "of 3") {
		t.Fatalf("paper page: %d %s", res.StatusCode, html)
	}
	if res, html := getWith(t, trainer, ts.URL+paper+"?version=0"); res.StatusCode != 422 || !strings.Contains(html, `id="version-error"`) || strings.Contains(html, `name="sheet.answers.1"`) {
		t.Errorf("version 0: %d", res.StatusCode)
	}
	res, html = getWith(t, trainer, ts.URL+paper+"?version=2")
	if res.StatusCode != 200 || !strings.Contains(html, `name="sheet.answers.`+pickN+`"`) || !strings.Contains(html, "one letter, A–B") || !strings.Contains(html, "words") || !strings.Contains(html, "a number") {
		t.Fatalf("version 2's inputs: %d %s", res.StatusCode, html)
	}
	assertNoKeys(t, "paper page", html)
	for _, secret := range []string{"CORRECT-CHOICE", "WRONG-CHOICE", "4242"} {
		if strings.Contains(html, secret) {
			t.Errorf("the paper page shows %q", secret)
		}
	}

	// Refused, each beside its input, with what was typed kept; nothing stored.
	bad := map[string]string{}
	for n, m := range marks {
		bad[n] = m
	}
	bad[pickN] = "C"
	res, html = activate(t, ts, trainer, paper, sheetForm("2", bad, "No phones in the venue"))
	if res.StatusCode != 422 || !strings.Contains(html, `id="sheet.answers.`+pickN+`-error"`) || !strings.Contains(html, `value="short-answer-2b8"`) || !strings.Contains(html, `value="No phones in the venue"`) {
		t.Errorf("a letter out of range: %d %s", res.StatusCode, html)
	}
	if res, html := activate(t, ts, trainer, paper, sheetForm("2", marks, "")); res.StatusCode != 422 || !strings.Contains(html, `id="sheet-reason-error"`) || !strings.Contains(html, `value="4 242"`) {
		t.Errorf("no reason: %d", res.StatusCode)
	}
	if res, html := activate(t, ts, trainer, paper, sheetForm("0", marks, "No phones in the venue")); res.StatusCode != 422 || !strings.Contains(html, `id="version-error"`) {
		t.Errorf("version 0 posted: %d", res.StatusCode)
	}
	if res, _ := activate(t, ts, trainer, paper, url.Values{"mode": {"score"}, "score": {"4"}, "reason": {"No phones"}}); res.StatusCode != 422 {
		t.Errorf("a score above the maximum: %d", res.StatusCode)
	}
	if res := postForm(t, trainer, ts.URL+paper, sheetForm("2", marks, "no token")); res.StatusCode != 403 {
		t.Errorf("without the CSRF token: %d", res.StatusCode)
	}
	if ats := storedAttempts(t, qw, officerB); len(ats) != 0 {
		t.Fatalf("refused sheets stored %d attempts", len(ats))
	}

	// The right sheet: full marks.
	res, _ = activate(t, ts, trainer, paper, sheetForm("2", marks, "No phones in the venue"))
	if res.StatusCode != 303 || flash(t, res) != "Paper result for 경찰관 브라보: 3 of 3 (100%), passed." {
		t.Fatalf("paper sheet: %d %q", res.StatusCode, flash(t, res))
	}
	ats := storedAttempts(t, qw, officerB)
	if len(ats) != 1 || ats[0].Score != 3 || ats[0].EnteredBy == nil {
		t.Fatalf("stored: %+v", ats)
	}
	_, html = getWith(t, trainer, fmt.Sprintf("%s/sessions/%d/results", ts.URL, qw.sessionID))
	if !strings.Contains(html, "100% ✓ <abbr") || !strings.Contains(html, "✎") {
		t.Errorf("results do not show the paper result")
	}
	if !auditWith(t, qw, "attempt.paper", "No phones in the venue") {
		t.Errorf("the paper result is not audited with its reason")
	}

	// Entered again, as a score only: it replaces the sheet, it is not added.
	res, _ = activate(t, ts, trainer, paper, url.Values{"mode": {"score"}, "score": {"2"}, "reason": {"Re-marked by hand"}})
	if res.StatusCode != 303 || flash(t, res) != "Paper result for 경찰관 브라보: 2 of 3 (66.67%), not passed." {
		t.Fatalf("paper score: %d %q", res.StatusCode, flash(t, res))
	}
	if ats := storedAttempts(t, qw, officerB); len(ats) != 1 || ats[0].Score != 2 {
		t.Errorf("after entering again: %+v", ats)
	}
	if _, html := getWith(t, trainer, ts.URL+paper); !strings.Contains(html, "already entered: 2 of 3") {
		t.Errorf("the page does not say a paper result is there")
	}

	// Scores read as each language writes a percentage: 66.67% in English,
	// 66,67 % (a narrow no-break space) in French, on every page that shows one.
	results := fmt.Sprintf("/sessions/%d/results", qw.sessionID)
	officers := fmt.Sprintf("/sessions/%d/quizzes/01-m/officers", qw.sessionID)
	for _, page := range []string{results, paper, officers} {
		for lang, want := range map[string]string{"en": "66.67%", "fr": "66,67\u202f%"} {
			req, _ := http.NewRequest(http.MethodGet, ts.URL+page, nil)
			req.Header.Set("Accept-Language", lang)
			_, html := send(t, trainer, req)
			if !strings.Contains(html, want) || strings.Contains(html, "66.67 %") || lang == "fr" && strings.Contains(html, "66.67") {
				t.Errorf("%s in %s: no %q, or a raw score", page, lang, want)
			}
		}
	}
}

// TestQuizOfficersPages_OnlyTheSessionsTrainers: officers, coordinators and a
// trainer of another session, who all see the session, are refused by every
// new page and form (403 where the session is checked, 404 where the attempt
// is), and nothing changes. The session's trainer and an admin get the pages.
func TestQuizOfficersPages_OnlyTheSessionsTrainers(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.at(time.Hour)
	officerB := qw.idOf(t, qw.world.officerB)
	v := qw.start(t, qw.officerB)
	base := fmt.Sprintf("/sessions/%d/quizzes/01-m", qw.sessionID)
	gets := []string{base + "/officers", fmt.Sprintf("%s/paper/%d", base, officerB), fmt.Sprintf("%s/paper/%d?version=2", base, officerB)}
	posts := map[string]url.Values{
		fmt.Sprintf("%s/officers/%d/grant", base, officerB):   {"extra_attempts": {"1"}, "reason": {"x"}},
		fmt.Sprintf("%s/attempts/%d/extend", base, v.ID):      {"minutes": {"10"}, "reason": {"x"}},
		fmt.Sprintf("%s/attempts/%d/reopen", base, v.ID):      {"minutes": {"10"}, "reason": {"x"}},
		fmt.Sprintf("%s/paper/%d", base, officerB):            {"mode": {"score"}, "score": {"3"}, "reason": {"x"}},
		fmt.Sprintf("%s/paper/%d", base, qw.world.officerAID): {"mode": {"sheet"}, "sheet.version": {"2"}, "sheet.answers.1": {"A"}, "reason": {"x"}},
	}
	otherTrainer := ts.user(t, auth.RoleTrainer, nil, "Trainer Other")
	for who, creds := range map[string]credentials{"officer": qw.world.officerB, "coordinator": qw.world.coordB, "other trainer": otherTrainer} {
		client := ts.browser(t, creds)
		// Everyone here sees the session, so its pages answer 403
		// (schedule.Access); an attempt not theirs to change is not found.
		refused := func(path string, code int) bool {
			return code == 403 || strings.Contains(path, "/attempts/") && code == 404
		}
		for _, path := range gets {
			if res, _ := getWith(t, client, ts.URL+path); !refused(path, res.StatusCode) {
				t.Errorf("%s GET %s: %d", who, path, res.StatusCode)
			}
		}
		for path, form := range posts {
			if res, _ := activate(t, ts, client, path, form); !refused(path, res.StatusCode) {
				t.Errorf("%s POST %s: %d", who, path, res.StatusCode)
			}
		}
	}
	if ats := storedAttempts(t, qw, officerB); len(ats) != 1 || !ats[0].Deadline.Equal(v.Deadline) || ats[0].EnteredBy != nil {
		t.Errorf("refused requests changed attempts: %+v", ats)
	}
	if n, _ := ts.DB.Read(context.Background()).ExtraAttempts(qw.sessionID, officerB, "01-m"); n != 0 {
		t.Errorf("refused requests granted %d attempts", n)
	}
	// Someone not enrolled has no paper page, even for an admin.
	admin := ts.browser(t, qw.world.admin)
	if res, _ := getWith(t, admin, ts.URL+fmt.Sprintf("%s/paper/%d", base, qw.world.coordAID)); res.StatusCode != 404 {
		t.Errorf("paper page of someone not enrolled: %d", res.StatusCode)
	}
	for _, path := range gets {
		if res, _ := getWith(t, admin, ts.URL+path); res.StatusCode != 200 {
			t.Errorf("admin GET %s: %d", path, res.StatusCode)
		}
	}
	if res, _ := getWith(t, admin, ts.URL+fmt.Sprintf("/sessions/%d/quizzes/no-such-quiz/officers", qw.sessionID)); res.StatusCode != 404 {
		t.Errorf("unknown quiz: %d", res.StatusCode)
	}
}

// TestBrowser_PaperResultOnATablet: the trainer, in Chromium at a tablet's size,
// goes from the officers page to an officer's paper entry, chooses version 2,
// types the marks with one letter wrong, gets the error beside that question
// with everything else still typed, corrects it, and is back on the officers
// page with the result and ✎.
func TestBrowser_PaperResultOnATablet(t *testing.T) {
	path := needChromium(t)
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.at(time.Hour)
	officerB := qw.idOf(t, qw.world.officerB)
	marks, pickN := paperMarks(t, 2)
	b := newBrowserTab(t, path)
	b.signIn(ts.URL, qw.world.trainer)
	b.do("tablet", chromedp.EmulateViewport(820, 1180))
	b.do("open the officers page", chromedp.Navigate(fmt.Sprintf("%s/sessions/%d/quizzes/01-m/officers", ts.URL, qw.sessionID)))
	b.navigate("open the paper entry", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#u%d a[href$="/paper/%d"]`, officerB, officerB))))
	b.navigate("choose version 2", chromedp.SendKeys(chromedp.ID("version"), "2"), chromedp.Click(chromedp.CSS(`form[method=get] button[type=submit]`)))
	input := func(n string) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(`[id="sheet.answers.%s"]`, n)) }
	for n, m := range marks {
		if n == pickN {
			m = "c" // not on the sheet: the question has A and B
		}
		b.do("type question "+n, chromedp.SendKeys(input(n), m))
	}
	b.do("give the reason and save", chromedp.SendKeys(chromedp.ID("sheet-reason"), "No phones in the venue"),
		chromedp.Click(chromedp.CSS(`input[name=mode][value=sheet] ~ button[type=submit]`)))
	b.pollAcross("the error beside the wrong letter", fmt.Sprintf(`!!document.getElementById("sheet.answers.%s-error") && document.getElementById("sheet-reason").value === "No phones in the venue"`, pickN))
	if ats := storedAttempts(t, qw, officerB); len(ats) != 0 {
		t.Fatalf("a refused sheet was stored: %+v", ats)
	}
	b.do("correct the letter", chromedp.SetValue(input(pickN), marks[pickN]))
	b.navigate("save", chromedp.Click(chromedp.CSS(`input[name=mode][value=sheet] ~ button[type=submit]`)))
	notice := tabRun(b, "read the message", chromedp.Text(chromedp.CSS(".notice")))
	if notice != "Paper result for 경찰관 브라보: 3 of 3 (100%), passed." {
		t.Errorf("message %q", notice)
	}
	row := tabRun(b, "read the officer's row", chromedp.Text(chromedp.CSS(fmt.Sprintf("#u%d", officerB))))
	if !strings.Contains(row, "✎") || !strings.Contains(row, "No phones in the venue") {
		t.Errorf("officer's row: %q", row)
	}
}

// TestSessionHistory_OnlyItsTrainers: the session's history is its trainers'
// and admins'. A trainer of another session is refused (403, as for every
// trainer control) by the page and the API; an unknown session is 404, a
// malformed one 404 in a path (like every id there) and 400 in a query.
func TestSessionHistory_OnlyItsTrainers(t *testing.T) {
	qw, trainer, officerB := inTheRoom(t)
	ts := qw.ts
	if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/quizzes/01-m/exceptions", qw.sessionID),
		map[string]any{"user_id": officerB, "extra_attempts": 1, "reason": "HISTORY-REASON-31"}); res.StatusCode != 200 {
		t.Fatalf("grant: %d %s", res.StatusCode, body)
	}
	page := fmt.Sprintf("%s/sessions/%d/audit", ts.URL, qw.sessionID)
	api := fmt.Sprintf("/api/v1/audit?session_id=%d", qw.sessionID)
	if res, html := getWith(t, trainer, page); res.StatusCode != 200 || !strings.Contains(html, "HISTORY-REASON-31") {
		t.Errorf("the session's trainer reading its history: %d", res.StatusCode)
	}
	other := ts.user(t, auth.RoleTrainer, nil, "Trainer Elsewhere")
	res, html := getWith(t, ts.browser(t, other), page)
	if res.StatusCode != 403 || strings.Contains(html, "HISTORY-REASON-31") {
		t.Errorf("another session's trainer reading this history: %d", res.StatusCode)
	}
	if res, body := ts.api(t, ts.token(t, other), "GET", api, nil); res.StatusCode != 403 || strings.Contains(body, "HISTORY-REASON-31") {
		t.Errorf("another session's trainer reading this history by the API: %d", res.StatusCode)
	}
	for path, want := range map[string]int{"/sessions/999999/audit": 404, "/sessions/abc/audit": 404} {
		if res, _ := getWith(t, trainer, ts.URL+path); res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
	}
	for path, want := range map[string]int{"/api/v1/audit?session_id=999999": 404, "/api/v1/audit?session_id=abc": 400} {
		if res, _ := ts.api(t, qw.trainerTok, "GET", path, nil); res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
	}
}

// TestPaperPage_ScoreNotANumber: "NaN" typed as the score (strconv reads it)
// is refused beside the score like any other word; it passed the range check
// (NaN is neither below 0 nor above the maximum) and the save was a 500.
func TestPaperPage_ScoreNotANumber(t *testing.T) {
	qw, trainer, officerB := inTheRoom(t)
	ts := qw.ts
	paper := fmt.Sprintf("/sessions/%d/quizzes/01-m/paper/%d", qw.sessionID, officerB)
	for _, score := range []string{"NaN", "nan", "Inf", "-Inf", "1e999"} {
		if res, html := activate(t, ts, trainer, paper, url.Values{"mode": {"score"}, "score": {score}, "reason": {"No phones"}}); res.StatusCode != 422 || !strings.Contains(html, `id="score-error"`) {
			t.Errorf("score %q: %d", score, res.StatusCode)
		}
	}
	if ats := storedAttempts(t, qw, officerB); len(ats) != 0 {
		t.Errorf("a score that is not a number was stored: %+v", ats[0].Score)
	}
}
