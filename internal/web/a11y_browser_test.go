package web

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowser_FocusClearOfTheTimerBar is WCAG 2.4.11 on a phone: a field that
// sits just under the sticky timer bar and gets the focus by Shift+Tab is
// scrolled clear of the bar (the number field was fully covered).
// Chromium scrolls a focused element only when it is outside the scrollport
// less scroll-padding, so without the padding it stays where it is, under the bar.
func TestBrowser_FocusClearOfTheTimerBar(t *testing.T) {
	_, b, _, _ := openQuizInBrowser(t)
	b.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	// Room to scroll on any machine's fonts: context after each question's title.
	b.do("lengthen the page", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll(".question legend").forEach(l => l.insertAdjacentHTML("afterend", "<p>" + "Context for the question. ".repeat(60) + "</p>"))`))
	// One line, then three: Details opened on a long status (the bar's height
	// follows the bar, not a fixed guess).
	for _, tall := range []bool{false, true} {
		if tall {
			b.do("open the status in full", chromedp.Evaluate[chromedp.Void](`document.getElementById("sync-status").textContent = "Saved on this device only. ".repeat(8);
				document.querySelector(".timer-bar").classList.add("expanded")`))
			b.poll("the bar is tall, and settled", `(() => {
				const bar = document.querySelector(".timer-bar");
				return bar.offsetHeight > 80 && getComputedStyle(document.documentElement).getPropertyValue("--timer-bar-h") === bar.offsetHeight + "px";
			})()`)
		}
		checkFocusClearOfTheBar(t, b)
	}
}

func checkFocusClearOfTheBar(t *testing.T, b *browserTab) {
	t.Helper()
	for _, id := range []string{"in-type", "in-count"} {
		// The field's top 20 px above the bar's bottom, under it; the focus on
		// the next element, without scrolling; then Shift+Tab.
		b.do("place "+id+" under the bar", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
			const el = document.getElementById(%q);
			window.scrollBy(0, el.getBoundingClientRect().top - (document.querySelector(".timer-bar").getBoundingClientRect().bottom - 20));
			const all = [...document.querySelectorAll("input, button, a[href], textarea, select")].filter(e => !e.disabled && e.offsetParent);
			all[all.indexOf(el) + 1].focus({preventScroll: true});
		})()`, id)))
		b.do("press Shift+Tab", chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
		if got := tabRun(b, "read the focus", chromedp.Evaluate[string](`document.activeElement.id`)); got != id {
			t.Fatalf("Shift+Tab focused %q, want %s", got, id)
		}
		top := tabRun(b, "focus top", chromedp.Evaluate[float64](`document.activeElement.getBoundingClientRect().top`))
		bar := tabRun(b, "bar bottom", chromedp.Evaluate[float64](`document.querySelector(".timer-bar").getBoundingClientRect().bottom`))
		if top < bar {
			t.Errorf("%s has the focus under the sticky timer bar: its top at %.0f px, the bar's bottom at %.0f px", id, top, bar)
		}
	}
}

// TestBrowser_ResultsUpdateInPlace: the trainer's live results page has no
// meta refresh (WCAG 2.2.1: a reload restarts focus and screen readers); its
// script brings new results into the page in place, keeping the focus; Pause
// stops it, "Update now" still updates; once the session is closed the page
// says the results are final and asks for nothing more.
func TestBrowser_ResultsUpdateInPlace(t *testing.T) {
	path := needChromium(t)
	was := resultsLiveSeconds
	resultsLiveSeconds = 1
	t.Cleanup(func() { resultsLiveSeconds = was })
	qw := newQuizWorld(t)
	qw.at(time.Hour)
	ts := qw.ts
	base := serveWithServerDate(t, ts, qw.day.Add(time.Hour))
	b := newBrowserTab(t, path)
	b.signIn(base, qw.trainer)
	b.do("open the results", chromedp.Navigate(fmt.Sprintf("%s/sessions/%d/results", base, qw.sessionID)))
	if tabRun(b, "look for a meta refresh", chromedp.Evaluate[bool](`!!document.querySelector('meta[http-equiv="refresh"]')`)) {
		t.Fatal("the results page reloads itself by a meta refresh")
	}
	b.poll("the pause button shows", `!document.getElementById("live-pause").hidden`)
	b.do("mark the page and focus the table", chromedp.Evaluate[chromedp.Void](`window.samePage = true; document.getElementById("results-table").focus()`))
	submitted := func(name string) string {
		return fmt.Sprintf(`!![...document.querySelectorAll("#results-table tr")].find(r => r.textContent.includes(%q))?.querySelector("td.res-submitted")`, name)
	}
	finish := func(token string) {
		t.Helper()
		v := qw.start(t, token)
		if res, body := ts.api(t, token, "POST", fmt.Sprintf("/api/v1/attempts/%d/submit", v.ID), nil); res.StatusCode != 200 {
			t.Fatalf("submit: %d %s", res.StatusCode, body)
		}
	}

	// Officer A submits: her result appears by itself, in the same page, the
	// focus where it was.
	finish(qw.officerA)
	b.poll("officer A's result appears", submitted("Officer Alpha-Marker"))
	if !tabRun(b, "same page, same focus?", chromedp.Evaluate[bool](`window.samePage === true && document.activeElement.id === "results-table"`)) {
		t.Fatal("the page reloaded or lost the focus")
	}

	// Paused: officer B's result does not come until "Update now".
	b.do("pause", chromedp.Click(chromedp.ID("live-pause")))
	if p := tabRun(b, "read the pause", chromedp.Evaluate[string](`document.getElementById("live-pause").getAttribute("aria-pressed")`)); p != "true" {
		t.Fatalf("pause button aria-pressed %q", p)
	}
	finish(qw.officerB)
	b.do("wait three update periods", chromedp.Sleep(3*time.Second))
	if tabRun(b, "officer B's result while paused?", chromedp.Evaluate[bool](submitted("경찰관 브라보"))) {
		t.Fatal("the page updated while paused")
	}
	b.do("update now", chromedp.Click(chromedp.ID("live-now")))
	b.poll("officer B's result appears", submitted("경찰관 브라보"))
	if !tabRun(b, "same page?", chromedp.Evaluate[bool](`window.samePage === true`)) {
		t.Fatal(`"Update now" reloaded the page although the script could update it`)
	}

	// Closed: the next update says the results are final, and the page stops asking.
	if res, body := ts.api(t, qw.trainerTok, "POST", fmt.Sprintf("/api/v1/sessions/%d/close", qw.sessionID), nil); res.StatusCode != 200 {
		t.Fatalf("close: %d %s", res.StatusCode, body)
	}
	b.do("resume", chromedp.Click(chromedp.ID("live-pause")))
	b.poll("the page says the results are final", `!document.getElementById("live-status") && document.getElementById("live").textContent.includes("Final results")`)
	const asked = `performance.getEntriesByType("resource").filter(e => e.name.endsWith("/results")).length`
	n := tabRun(b, "count the updates", chromedp.Evaluate[int](asked))
	b.do("wait three update periods", chromedp.Sleep(3*time.Second))
	if m := tabRun(b, "count the updates", chromedp.Evaluate[int](asked)); m != n || !tabRun(b, "same page?", chromedp.Evaluate[bool](`window.samePage === true`)) {
		t.Errorf("a closed session's results page still updates: %d requests, then %d", n, m)
	}
}
