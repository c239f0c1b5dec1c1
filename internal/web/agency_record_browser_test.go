package web

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lectern-platform/lectern/internal/auth"
)

// TestBrowser_AgencyRecordFitsAPhone opens an agency's record in Chromium at a
// phone's and a desktop's width, in English and in Hebrew, with officers whose
// names are long (Latin and Hebrew): the page never scrolls sideways, the
// table fits its region, and every officer's name is shown whole — wrapped,
// neither cut nor overflowing its cell. LECTERN_RECORD_PNG=DIR keeps the
// screenshots.
func TestBrowser_AgencyRecordFitsAPhone(t *testing.T) {
	path := needChromium(t)
	rw := newRecordWorld(t)
	ts := rw.ts
	long := []string{"Maria Fernanda Albuquerque de Vasconcelos Cavalcanti Wanderley-Sampaio",
		"אלכסנדרה בת־שבע רוזנבלום־וייסמן אבן־שושן"}
	for _, name := range long {
		ts.user(t, auth.RoleOfficer, &rw.agencyA.ID, name)
	}
	dir := os.Getenv("LECTERN_RECORD_PNG")
	for _, lang := range []string{"en", "he"} {
		b := newBrowserTab(t, path, chromedp.Flag("accept-lang", lang), chromedp.Flag("lang", lang))
		b.signIn(ts.URL, rw.coordA)
		for _, width := range []int64{390, 1280} {
			what := fmt.Sprintf("%s at %d px", lang, width)
			b.do(what+": viewport", chromedp.EmulateViewport(width, 900))
			b.do(what+": open the record", chromedp.Navigate(fmt.Sprintf("%s/agencies/%d/record", ts.URL, rw.agencyA.ID)))
			if got := tabRun(b, what, chromedp.Evaluate[string](`document.documentElement.lang`)); got != lang {
				t.Fatalf("%s: the page is in %q", what, got)
			}
			if over := tabRun(b, what, chromedp.Evaluate[int](`document.documentElement.scrollWidth - innerWidth`)); over > 0 {
				t.Errorf("%s: the page scrolls sideways by %d px", what, over)
			}
			problems := tabRun(b, what, chromedp.Evaluate[[]string](`(() => {
				const out = [];
				const region = document.querySelector("div.scroll");
				const table = region.querySelector("table.record");
				if (table.scrollWidth > region.clientWidth + 1) out.push("the table is " + table.scrollWidth + " px in a " + region.clientWidth + " px region");
				const names = [...table.querySelectorAll("tr.record-officer th > span[dir=auto]")];
				if (names.length !== 7) out.push(names.length + " officers shown");
				for (const n of names) {
					const cell = n.closest("th").getBoundingClientRect(), box = n.getBoundingClientRect();
					if (box.left < cell.left - 1 || box.right > cell.right + 1) out.push(JSON.stringify(n.textContent) + " overflows its cell");
					if (getComputedStyle(n).textOverflow === "ellipsis" || n.innerText !== n.textContent) out.push(JSON.stringify(n.textContent) + " is cut");
				}
				return out;
			})()`))
			for _, p := range problems {
				t.Errorf("%s: %s", what, p)
			}
			if dir != "" {
				img := tabRun(b, what, chromedp.FullScreenshot(100))
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("record-%s-%d.png", lang, width)), img, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
