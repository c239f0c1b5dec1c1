package web

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// wordsLeftToRight measures, in the element found by css, where each of words
// (in that order in the text) is drawn: their left edges, from the bounding
// boxes of DOM ranges over their letters in the element's text, so the check
// is about what the eye sees, not the order of the characters.
const wordsLeftToRight = `((css, words) => {
	const el = document.querySelector(css);
	if (!el) return {error: "no " + css};
	const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
	const nodes = [];
	let text = "";
	for (let n; (n = walker.nextNode()); ) { nodes.push([n, text.length]); text += n.data; }
	const at = (i) => { let k = nodes.length - 1; while (nodes[k][1] > i) k--; return [nodes[k][0], i - nodes[k][1]]; };
	const lefts = [], tops = [];
	let from = 0;
	for (const w of words) {
		const i = text.indexOf(w, from);
		if (i < 0) return {error: JSON.stringify(w) + " not in " + JSON.stringify(text)};
		from = i + w.length;
		const r = document.createRange(), [sn, so] = at(i), [en, eo] = at(i + w.length - 1);
		r.setStart(sn, so); r.setEnd(en, eo + 1);
		const box = r.getBoundingClientRect();
		lefts.push(Math.round(box.left)); tops.push(Math.round(box.top));
	}
	return {lefts, tops, text};
})`

type wordBoxes struct {
	Lefts, Tops []float64
	Text, Error string
}

// inOrder reports whether the words were drawn on one line, each to the right
// of the one before.
func (w wordBoxes) inOrder() bool {
	for i := 1; i < len(w.Lefts); i++ {
		if w.Tops[i] != w.Tops[0] || w.Lefts[i] <= w.Lefts[i-1] {
			return false
		}
	}
	return len(w.Lefts) > 1
}

// TestBrowser_HebrewDataReadsInOrder: on Hebrew pages in real Chromium, data in
// Latin script or digits inside right-to-left text keeps its own order — the
// session's "06:00–15:00" has its start time to the LEFT of its end time, a
// French address keeps its words and commas in order, the UTC offset reads
// "UTC+01:00" — on the session page, the officer's dashboard and the list of
// sessions; the English pages read the same way.
func TestBrowser_HebrewDataReadsInOrder(t *testing.T) {
	path := needChromium(t)
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	s := w.createSession(t, 20, map[string]any{"start": "06:00", "end": "15:00",
		"venue": "Centre de conférences de la Préfecture de police, salle Vauban", "city": "Paris"})
	b := newBrowserTab(t, path)
	b.do("desktop viewport", chromedp.EmulateViewport(1280, 900))
	b.signIn(ts.URL, w.officerA)
	check := func(lang, page, css string, words ...string) {
		t.Helper()
		got := tabRun(b, "measure "+css, chromedp.Evaluate[wordBoxes](fmt.Sprintf("%s(%q, %s)", wordsLeftToRight, css, jsonString(words))))
		if got.Error != "" || !got.inOrder() {
			t.Errorf("%s %s, %s: %q drawn at x %v, y %v (%s), want on one line, left to right, in that order", lang, page, css, words, got.Lefts, got.Tops, got.Error)
		}
	}
	pages := func(lang string) {
		t.Helper()
		b.do("open the session", chromedp.Navigate(fmt.Sprintf("%s/sessions/%d", ts.URL, s.ID)))
		check(lang, "session", ".facts dd:nth-of-type(1)", "06:00", "–", "15:00")
		check(lang, "session", ".facts dd:nth-of-type(1) .meta span:nth-of-type(1)", "Europe", "/", "Paris")
		check(lang, "session", ".facts dd:nth-of-type(1) .meta span:nth-of-type(2)", "UTC", "+", "01:00")
		check(lang, "session", ".facts dd:nth-of-type(2)", "Centre", "police", ",", "salle", "Vauban", ",", "Paris")
		b.do("open the sessions", chromedp.Navigate(ts.URL+"/sessions"))
		check(lang, "sessions", ".agenda-item .meta", "06:00", "–", "15:00")
		check(lang, "sessions", ".agenda-item .meta span", "Europe/Paris", ",", "UTC", "+", "01:00")
	}
	pages("en")
	b.do("open the language list", chromedp.Click(chromedp.CSS(`#language-header > summary`)))
	b.navigate("choose Hebrew", chromedp.Click(chromedp.CSS(`#language-header button[value=he]`)))
	if dir := tabRun(b, "page direction", chromedp.Evaluate[string](`document.documentElement.dir`)); dir != "rtl" {
		t.Fatalf("after choosing Hebrew the page is %q", dir)
	}
	pages("he")
}

func jsonString(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}
