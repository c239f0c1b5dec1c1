package web

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	idAttr   = regexp.MustCompile(`\sid="([^"]*)"`)
	idrefsOf = regexp.MustCompile(`\s(aria-labelledby|aria-describedby|aria-controls|for)="([^"]*)"`)
)

// assertIDRefs checks that every id a page refers to (aria-labelledby,
// aria-describedby, aria-controls, a label's for) is one of its ids; an id
// holding a space can never be referred to.
func assertIDRefs(t *testing.T, what, page string) {
	t.Helper()
	ids := map[string]bool{}
	for _, m := range idAttr.FindAllStringSubmatch(page, -1) {
		if strings.ContainsAny(m[1], " \t\n") {
			t.Errorf("%s: id %q holds a space", what, m[1])
		}
		ids[m[1]] = true
	}
	for _, m := range idrefsOf.FindAllStringSubmatch(page, -1) {
		for _, ref := range strings.Fields(m[2]) {
			if !ids[ref] {
				t.Errorf("%s: %s=%q refers to no id %q", what, m[1], m[2], ref)
			}
		}
	}
}

// TestSessions_MonthSectionsAreLabelled: the sessions page's month sections are
// labelled by their headings, through ids without spaces (it was
// aria-labelledby="m-December 2026", which refers to nothing).
func TestSessions_MonthSectionsAreLabelled(t *testing.T) {
	qw := newQuizWorld(t)
	_, page := getWith(t, qw.ts.browser(t, qw.trainer), qw.ts.URL+"/sessions")
	if !strings.Contains(page, `aria-labelledby="m-2026-12"`) || !strings.Contains(page, `<h2 id="m-2026-12">December 2026</h2>`) {
		t.Errorf("no December 2026 section labelled by its heading in:\n%s", page)
	}
	assertIDRefs(t, "/sessions", page)
}

// TestResults_NoMetaRefresh: the results page never reloads itself (WCAG
// 2.2.1): while the session runs it loads results.js and offers "Update now"
// (a plain link, for a browser without JavaScript); once closed it says the
// results are final and loads no script. The projector, a room display, keeps
// its reload and says so on screen.
func TestResults_NoMetaRefresh(t *testing.T) {
	qw := newQuizWorld(t)
	qw.at(time.Hour)
	ts := qw.ts
	trainer := ts.browser(t, qw.trainer)
	results := fmt.Sprintf("/sessions/%d/results", qw.sessionID)
	_, page := getWith(t, trainer, ts.URL+results)
	for _, want := range []string{`<a href="` + results + `" id="live-now">Update now</a>`, "/static/js/results.", "Updates every 20 seconds",
		`<div class="scroll" role="region" aria-labelledby="results-title" tabindex="0"`} {
		if !strings.Contains(page, want) {
			t.Errorf("live results page lacks %q", want)
		}
	}
	if strings.Contains(page, `http-equiv="refresh"`) {
		t.Error("the live results page has a meta refresh")
	}
	assertIDRefs(t, "live results", page)

	_, page = getWith(t, trainer, fmt.Sprintf("%s/sessions/%d/projector", ts.URL, qw.sessionID))
	if !strings.Contains(page, `http-equiv="refresh"`) || !strings.Contains(page, "This screen reloads itself every 30 seconds") {
		t.Error("the projector does not reload, or does not say so")
	}

	if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID), nil); res.StatusCode != 200 {
		t.Fatalf("close: %d %s", res.StatusCode, body)
	}
	_, page = getWith(t, trainer, ts.URL+results)
	if strings.Contains(page, `http-equiv="refresh"`) || strings.Contains(page, "results.js") || strings.Contains(page, "live-now") ||
		!strings.Contains(page, "Final results: the session is closed") {
		t.Error("a closed session's results page still updates itself, or does not say the results are final")
	}
	assertIDRefs(t, "closed results", page)
}
