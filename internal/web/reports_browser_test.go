package web

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lectern-platform/lectern/internal/auth"
)

// TestBrowser_ReportsFitAPhone opens /reports in Chromium at a phone's and a
// desktop's width, in English and in Hebrew, with agencies whose names are long
// or right to left: the page never scrolls sideways, every chart fits its
// column, and every piece of text in every chart lies inside the picture as the
// browser sets it in its real font (the wrapping estimate errs wide enough).
// In Hebrew the bars grow from the right. LECTERN_REPORT_PNG=DIR keeps the
// screenshots.
func TestBrowser_ReportsFitAPhone(t *testing.T) {
	path := needChromium(t)
	w := reportsWorld(t)
	ts := w.ts
	trainer := ts.token(t, w.trainer)
	s := w.createSession(t, 10, map[string]any{"date": "2026-12-05"})
	for _, ag := range []struct{ name, country string }{
		{"Superintendência Regional da Polícia Federal no Estado do Rio Grande do Sul — Delegacia de Repressão a Crimes Cibernéticos", "BR"},
		{"משטרת ישראל — יחידת הסייבר הארצית, להב 433", "IL"},
		{"서울특별시경찰청 사이버수사대 가상자산범죄수사팀", "KR"},
	} {
		a := ts.agency(t, ag.name, ag.country)
		id := w.idOf(t, ts.user(t, auth.RoleOfficer, &a.ID, "Officer of "+ag.country))
		ts.api(t, trainer, "POST", fmt.Sprintf("/api/v1/sessions/%d/enrollments", s.ID), map[string]any{"user_id": id})
		if res, body := ts.api(t, trainer, "PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", s.ID, id), map[string]string{"status": "present"}); res.StatusCode != http.StatusOK {
			t.Fatalf("attendance: %d %s", res.StatusCode, body)
		}
	}
	dir := os.Getenv("LECTERN_REPORT_PNG")
	for _, lang := range []string{"en", "he"} {
		b := newBrowserTab(t, path, chromedp.Flag("accept-lang", lang), chromedp.Flag("lang", lang))
		b.signIn(ts.URL, w.admin)
		for _, width := range []int64{390, 1280} {
			what := fmt.Sprintf("%s at %d px", lang, width)
			b.do(what+": viewport", chromedp.EmulateViewport(width, 900))
			b.do(what+": open /reports", chromedp.Navigate(ts.URL+"/reports"))
			if got := tabRun(b, what, chromedp.Evaluate[string](`document.documentElement.lang`)); got != lang {
				t.Fatalf("%s: the page is in %q", what, got)
			}
			if over := tabRun(b, what, chromedp.Evaluate[int](`document.documentElement.scrollWidth - innerWidth`)); over > 0 {
				t.Errorf("%s: the page scrolls sideways by %d px", what, over)
			}
			problems := tabRun(b, what, chromedp.Evaluate[[]string](`(() => {
				const out = [];
				const charts = document.querySelectorAll("svg.chart");
				if (charts.length < 4) out.push("only " + charts.length + " charts");
				for (const svg of charts) {
					const id = svg.getAttribute("aria-labelledby");
					const box = svg.getBoundingClientRect(), parent = svg.parentElement.getBoundingClientRect();
					if (box.width > parent.width + 0.5 || box.width < 100) out.push(id + ": " + box.width + " px wide in " + parent.width);
					const vw = svg.viewBox.baseVal.width;
					for (const t of svg.querySelectorAll("text")) {
						const bb = t.getBBox();
						if (bb.x < -0.5 || bb.x + bb.width > vw + 0.5) out.push(id + ": text " + JSON.stringify(t.textContent) + " spans " + bb.x.toFixed(1) + "–" + (bb.x + bb.width).toFixed(1) + " of " + vw);
					}
				}
				return out;
			})()`))
			for _, p := range problems {
				t.Errorf("%s: %s", what, p)
			}
			// Bars start on the reader's start side.
			side := tabRun(b, what, chromedp.Evaluate[string](`(() => {
				const svg = document.querySelector("svg[aria-labelledby^='chart-agencies']");
				const vw = svg.viewBox.baseVal.width;
				const r = [...svg.querySelectorAll("rect.chart-accent")].filter(r => r.width.baseVal.value > 0);
				if (r.every(r => Math.abs(r.x.baseVal.value + r.width.baseVal.value - (vw - 2)) < 0.5)) return "right";
				if (r.every(r => Math.abs(r.x.baseVal.value - 2) < 0.5)) return "left";
				return "mixed";
			})()`))
			if want := map[string]string{"en": "left", "he": "right"}[lang]; side != want {
				t.Errorf("%s: bars start on the %s, want the %s", what, side, want)
			}
			if dir != "" {
				shots := map[string]chromedp.Action[[]byte]{"": chromedp.FullScreenshot(100)}
				for _, name := range []string{"months", "agencies", "certificates"} {
					shots["-"+name] = chromedp.Screenshot(chromedp.CSS(`section[aria-labelledby="report-` + name + `"]`))
				}
				for suffix, shot := range shots {
					img := tabRun(b, what, shot)
					if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("reports-%s-%d%s.png", lang, width, suffix)), img, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
}
