package web

import (
	"fmt"
	"testing"

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
