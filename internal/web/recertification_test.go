package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/schedule"
	"github.com/lectern-platform/lectern/internal/store"
)

// recertWorld is the security world with certificates of crypto-crime in
// every state that matters to recertification, judged at weekBefore.
type recertWorld struct {
	*world
	session                 schedule.Session // 3 December, capacity 2, open to every agency
	expiring, expired       int64            // agency A, due
	later, revoked, renewed int64            // agency A, not due
	enrolled                int64            // agency A, due but in the session already
	officerBID              int64            // agency B, due
	ids                     map[int64]string // names by id
}

func newRecertWorld(t *testing.T) *recertWorld {
	t.Helper()
	w := &recertWorld{world: newWorld(t), ids: map[int64]string{}}
	ts := w.ts
	ts.fixClock(weekBefore)
	w.session = w.createSession(t, 2, nil)
	past := w.createSession(t, 30, map[string]any{"date": "2026-12-10"}) // only what the certificates name
	ctx := context.Background()
	officer := func(agency *auth.Agency, name string) int64 {
		id := w.idOf(t, ts.user(t, auth.RoleOfficer, &agency.ID, name))
		w.ids[id] = name
		return id
	}
	n := 0
	cert := func(userID int64, issued time.Time, expires time.Time, status store.CertificateStatus) {
		n++
		u, err := ts.DB.User(ctx, userID)
		if err != nil {
			t.Fatal(err)
		}
		c := &store.Certificate{Serial: fmt.Sprintf("RECERTWEB%07d", n), SessionID: past.ID, UserID: userID, AgencyID: u.AgencyID,
			Title: "Certificate", HolderName: u.Name, CourseID: "crypto-crime", CourseTitle: "Investigating crypto-asset crime", CourseHash: "x",
			SessionDate: issued.Format(time.DateOnly), City: "Paris", Country: "FR", IssuedAt: issued, ExpiresAt: &expires, Status: status,
			Payload: []byte("{}"), Signature: "s"}
		if n > 1 { // one officer, one certificate per session: the others name sessions of their own
			s := w.createSession(t, 30, map[string]any{"date": fmt.Sprintf("2026-12-%02d", 10+n)})
			c.SessionID = s.ID
		}
		if err := ts.DB.Tx(ctx, func(q store.Q) error { return q.CreateCertificate(c) }); err != nil {
			t.Fatal(err)
		}
	}
	years := func(y int) time.Time { return weekBefore.AddDate(-y, 0, 0) }
	w.expiring = officer(w.agencyA, "Ana Expiring")
	cert(w.expiring, years(3), weekBefore.AddDate(0, 0, 40), store.CertificateValid)
	w.expired = officer(w.agencyA, "Éric Expired")
	cert(w.expired, years(4), weekBefore.AddDate(0, 0, -100), store.CertificateValid)
	w.later = officer(w.agencyA, "Lou Later")
	cert(w.later, years(2), weekBefore.AddDate(0, 0, 200), store.CertificateValid)
	w.revoked = officer(w.agencyA, "Rémi Revoked")
	cert(w.revoked, years(3), weekBefore.AddDate(0, 0, 40), store.CertificateRevoked)
	w.renewed = officer(w.agencyA, "Noé Renewed")
	cert(w.renewed, years(3), weekBefore.AddDate(0, 0, 20), store.CertificateValid)
	cert(w.renewed, weekBefore.AddDate(0, -1, 0), weekBefore.AddDate(3, -1, 0), store.CertificateValid)
	w.enrolled = officer(w.agencyA, "Inès Enrolled")
	cert(w.enrolled, years(3), weekBefore.AddDate(0, 0, 10), store.CertificateValid)
	w.officerBID = w.idOf(t, w.officerB)
	w.ids[w.officerBID] = "경찰관 브라보"
	cert(w.officerBID, years(3), weekBefore.AddDate(0, 0, 5), store.CertificateValid)
	res, body := ts.api(t, ts.token(t, w.trainer), "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", w.session.ID), map[string]any{"user_id": w.enrolled})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("enrol: %d %s", res.StatusCode, body)
	}
	return w
}

func (w *recertWorld) dueIDs(t *testing.T, token string) []int64 {
	t.Helper()
	res, body := w.ts.api(t, token, "GET", fmt.Sprintf("/api/v1/sessions/%d/recertification", w.session.ID), nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("due list: %d %s", res.StatusCode, body)
	}
	var ids []int64
	for _, o := range decode[struct{ Officers []schedule.DueOfficer }](t, body).Officers {
		ids = append(ids, o.UserID)
	}
	return ids
}

// TestRecertification_Offer: the session is offered to exactly the officers
// whose latest certificate of the course is expiring or expired, not already
// in it, and — for a coordinator — of their agency only; enrolling them keeps
// to the capacity (the rest waitlisted), sends the enrolment e-mail, and a
// second offer enrols no one.
func TestRecertification_Offer(t *testing.T) {
	w := newRecertWorld(t)
	ts := w.ts
	coordA, admin := ts.token(t, w.coordA), ts.token(t, w.admin)
	path := fmt.Sprintf("/api/v1/sessions/%d/recertification", w.session.ID)

	t.Run("ExactlyThoseDue", func(t *testing.T) {
		if got, want := w.dueIDs(t, coordA), []int64{w.expired, w.expiring}; !slices.Equal(got, want) {
			t.Errorf("coordinator A is offered %v, want %v (expired first, then expiring; agency A only)", got, want)
		}
		if got, want := w.dueIDs(t, admin), []int64{w.expired, w.officerBID, w.expiring}; !slices.Equal(got, want) {
			t.Errorf("the admin is offered %v, want %v", got, want)
		}
		if got, want := w.dueIDs(t, ts.token(t, w.coordB)), []int64{w.officerBID}; !slices.Equal(got, want) {
			t.Errorf("coordinator B is offered %v, want %v", got, want)
		}
		for who, c := range map[string]credentials{"officer": w.officerA} {
			if res, body := ts.api(t, ts.token(t, c), "GET", path, nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: %d %s, want 403", who, res.StatusCode, body)
			}
		}
	})

	t.Run("ConfirmationPage", func(t *testing.T) {
		browser := ts.browser(t, w.coordA)
		_, page := getWith(t, browser, fmt.Sprintf("%s/sessions/%d", ts.URL, w.session.ID))
		if !strings.Contains(page, fmt.Sprintf(`href="/sessions/%d/recertification"`, w.session.ID)) || !strings.Contains(page, "(2)") {
			t.Errorf("the session page does not offer the 2 officers due to coordinator A:\n%s", page)
		}
		_, page = getWith(t, browser, fmt.Sprintf("%s/sessions/%d/recertification", ts.URL, w.session.ID))
		for id, name := range w.ids {
			shown := strings.Contains(page, name)
			if want := id == w.expiring || id == w.expired; shown != want {
				t.Errorf("confirmation page shows %s: %v, want %v", name, shown, want)
			}
		}
		if !strings.Contains(page, "Enrol these 2 officers") {
			t.Errorf("the confirmation does not say how many:\n%s", page)
		}
	})

	t.Run("EnrolWithinCapacity", func(t *testing.T) {
		browser := ts.browser(t, w.coordA)
		page := fmt.Sprintf("%s/sessions/%d/recertification", ts.URL, w.session.ID)
		// The confirmation posts the officers it showed; coordinator A's form
		// naming officer B as well enrols only their own.
		form := url.Values{"user_id": {fmt.Sprint(w.expired), fmt.Sprint(w.expiring), fmt.Sprint(w.officerBID)}}
		res := submitForm(t, browser, page, page, form)
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), url.QueryEscape("enrolled 1, on the waitlist 1")) {
			t.Fatalf("offer: %d → %s", res.StatusCode, res.Header.Get("Location"))
		}
		list, err := ts.DB.Read(context.Background()).Enrollments(w.session.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		status := map[int64]store.EnrollmentStatus{}
		for _, e := range list {
			status[e.UserID] = e.Status
		}
		if len(status) != 3 || status[w.enrolled] != store.Enrolled || status[w.expired] != store.Enrolled || status[w.expiring] != store.Waitlisted {
			t.Errorf("enrolments after the offer: %v; want the already enrolled and the expired one seated, the expiring one waitlisted", status)
		}
		mails, err := ts.DB.OutboxMessages(context.Background(), store.OutboxFilter{Kind: "enrolment_confirmed", UserID: &w.expired})
		if err != nil || len(mails) != 1 {
			t.Errorf("the seated officer's enrolment e-mails: %d, %v", len(mails), err)
		}
		// Again: everyone due is in; nothing changes.
		res, body := ts.api(t, coordA, "POST", fmt.Sprintf("/api/v1/sessions/%d/recertification", w.session.ID), nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `"enrolled":0,"waitlisted":0`) {
			t.Errorf("second offer: %d %s", res.StatusCode, body)
		}
		// The admin offers the rest (officer B), past capacity: waitlisted.
		res, body = ts.api(t, admin, "POST", fmt.Sprintf("/api/v1/sessions/%d/recertification", w.session.ID), map[string]any{"user_ids": []int64{w.officerBID}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `"enrolled":0,"waitlisted":1`) {
			t.Errorf("the admin's offer: %d %s", res.StatusCode, body)
		}
		if n, _ := ts.DB.Read(context.Background()).CountEnrollments(w.session.ID, store.Enrolled); n != 2 {
			t.Errorf("%d enrolled, capacity 2", n)
		}
	})

	t.Run("StartedSession", func(t *testing.T) {
		ts.fixClock(time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC))
		defer ts.fixClock(weekBefore)
		if res, body := ts.api(t, admin, "POST", path, nil); res.StatusCode != http.StatusConflict {
			t.Errorf("offering a started session: %d %s, want 409", res.StatusCode, body)
		}
	})
}

// TestRecertification_Dashboards: the officer is told when their certificate
// expires (or expired) with a link to the course's sessions; the coordinator
// sees how many of their officers are due, linking to the agency record; the
// admin the programme's count.
func TestRecertification_Dashboards(t *testing.T) {
	w := newRecertWorld(t)
	ts := w.ts
	_, page := getWith(t, ts.browser(t, w.officerB), ts.URL+"/")
	if !strings.Contains(page, "expires on") || !strings.Contains(page, `href="/sessions?course=crypto-crime"`) || !strings.Contains(page, "Expires soon") {
		t.Errorf("officer B's dashboard does not tell their certificate expires:\n%s", page)
	}
	_, page = getWith(t, ts.browser(t, w.officerA), ts.URL+"/")
	if strings.Contains(page, `href="/sessions?course=crypto-crime"`) {
		t.Errorf("officer A, with no certificate, is told to recertify")
	}
	// An officer whose certificate expired two years ago: their own dashboard
	// no longer tells them (the reminders did), their coordinator still counts
	// them, as the agency record's "due" does.
	long := ts.user(t, auth.RoleOfficer, &w.agencyA.ID, "Léo Long-Expired")
	longID := w.idOf(t, long)
	expires := weekBefore.AddDate(-2, 0, 0)
	c := &store.Certificate{Serial: "RECERTWEBLONG001", SessionID: w.session.ID, UserID: longID, AgencyID: &w.agencyA.ID,
		Title: "Certificate", HolderName: "Léo Long-Expired", CourseID: "crypto-crime", CourseTitle: "Investigating crypto-asset crime",
		CourseHash: "x", SessionDate: "2021-11-25", City: "Paris", Country: "FR", IssuedAt: expires.AddDate(-3, 0, 0), ExpiresAt: &expires,
		Status: store.CertificateValid, Payload: []byte("{}"), Signature: "s"}
	if err := ts.DB.Tx(context.Background(), func(q store.Q) error { return q.CreateCertificate(c) }); err != nil {
		t.Fatal(err)
	}
	if _, page := getWith(t, ts.browser(t, long), ts.URL+"/"); strings.Contains(page, `href="/sessions?course=crypto-crime"`) {
		t.Errorf("an officer whose certificate expired two years ago is still told on their dashboard")
	}
	_, page = getWith(t, ts.browser(t, w.coordA), ts.URL+"/")
	// Agency A: expiring, expired, enrolled (still due until retrained), long expired.
	if !strings.Contains(page, "4 officers of your agency are due for recertification") ||
		!strings.Contains(page, fmt.Sprintf(`href="/agencies/%d/record?status=due"`, w.agencyA.ID)) {
		t.Errorf("coordinator A's dashboard:\n%s", page)
	}
	res, body := ts.api(t, ts.token(t, w.coordA), "GET", fmt.Sprintf("/api/v1/agencies/%d/record?status=due", w.agencyA.ID), nil)
	if rec := decode[struct{ Officers []struct{ Due bool } }](t, body); res.StatusCode != http.StatusOK || len(rec.Officers) != 4 {
		t.Errorf("the agency record's due officers (the dashboard's link): %d %s; want the 4 the dashboard counts", res.StatusCode, body)
	}
	_, page = getWith(t, ts.browser(t, w.admin), ts.URL+"/")
	if !strings.Contains(page, "5 officers in the programme are due for recertification") {
		t.Errorf("the admin's dashboard:\n%s", page)
	}
}

// TestLanguages_RecertificationPages: the demo day's walk (TestLanguages_
// NoEnglishLeft) meets no session before its start, where the offer lives,
// and no certificate due; this walks the offer's confirmation, the session
// page offering it and the dashboards that tell of recertification, in every
// required language, with the same checker.
func TestLanguages_RecertificationPages(t *testing.T) {
	w := newRecertWorld(t)
	ts := w.ts
	cats := catalogues(t)
	data := demoData(t, &demoDay{ts: ts, today: w.session.ID, past: w.session.ID})
	pages := map[string][]string{
		"coordinator": {fmt.Sprintf("/sessions/%d/recertification", w.session.ID), fmt.Sprintf("/sessions/%d", w.session.ID), "/"},
		"admin":       {fmt.Sprintf("/sessions/%d/recertification", w.session.ID), "/"},
		"officer":     {"/"},
	}
	clients := map[string]*http.Client{"coordinator": ts.browser(t, w.coordA), "admin": ts.browser(t, w.admin), "officer": ts.browser(t, w.officerB)}
	for _, lang := range requiredLanguages {
		pc := newPageChecker(cats, lang, data)
		pc.mustCatch(t, ts.URL, newBrowser())
		for role, paths := range pages {
			for _, p := range paths {
				res, body := getIn(t, clients[role], ts.URL+p, lang)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("%s as %s in %s: %d", p, role, lang, res.StatusCode)
				}
				found, err := pc.check(body)
				if err != nil {
					t.Errorf("%s as %s in %s: %v", p, role, lang, err)
				}
				for _, f := range found {
					t.Errorf("%s as %s in %s: English left: %s %q", p, role, lang, f.id, f.text)
				}
			}
		}
	}
}

// TestBrowser_AxeRecertification runs axe-core's WCAG 2.2 AA rules over the
// pages of recertification the demo day's walk does not render (the offer's
// confirmation, the session page offering it, the dashboards telling of it),
// at a phone's and a desktop's width, in English and in Hebrew.
func TestBrowser_AxeRecertification(t *testing.T) {
	path := needChromium(t)
	src, err := os.ReadFile(axeSource)
	if err != nil {
		t.Fatal(err)
	}
	w := newRecertWorld(t)
	ts := w.ts
	for who, c := range map[string]credentials{"coordinator": w.coordA, "officer": w.officerB, "admin": w.admin} {
		tab := newBrowserTab(t, path)
		tab.signIn(ts.URL, c)
		pages := []string{"/"}
		if who != "officer" {
			pages = append(pages, fmt.Sprintf("/sessions/%d/recertification", w.session.ID), fmt.Sprintf("/sessions/%d", w.session.ID))
		}
		for _, lang := range []string{"en", "he"} {
			if lang == "he" {
				tab.do("open the language list", chromedp.Click(chromedp.CSS(`#language-header > summary`)))
				tab.navigate("choose Hebrew", chromedp.Click(chromedp.CSS(`#language-header button[value=he]`)))
			}
			for _, p := range pages {
				for _, width := range axeWidths {
					var opts []chromedp.EmulateViewportOption
					if width.mobile {
						opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
					}
					tab.do("set the viewport", chromedp.EmulateViewport(width.width, width.height, opts...))
					tab.navigate("open "+p, chromedp.Navigate(ts.URL+p))
					if got := tabRun(tab, "page language", chromedp.Evaluate[string](`document.documentElement.lang`)); got != lang {
						t.Fatalf("%s as %s is in %q, want %q", p, who, got, lang)
					}
					for _, v := range tab.runAxe(string(src)) {
						t.Errorf("%s as %s in %s at %s width: %s (%s) at %s", p, who, lang, width.name, v.ID, v.Help, strings.Join(v.Targets, " | "))
					}
				}
			}
		}
	}
}
