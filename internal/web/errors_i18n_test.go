package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
)

// testFrenchErrors are made-up French messages for a few domain errors, marked
// so that nothing else could print them; ids left out fall back to English.
const testFrenchErrors = `{
  "err.not_found.session": "TEST-FR séance introuvable",
  "err.roster.problems": {"one": "TEST-FR {{.Count}} problème dans la liste", "other": "TEST-FR {{.Count}} problèmes dans la liste"},
  "err.field.required": "TEST-FR obligatoire",
  "err.http.unknown_field": "TEST-FR champ inconnu {{.Field}}"
}`

type localisedError struct {
	Error struct {
		Code      string
		Message   string
		MessageID string `json:"message_id"`
		Args      map[string]any
		Details   []struct {
			Row       int
			Field     string
			Message   string
			MessageID string `json:"message_id"`
		}
	}
}

// TestErrors_LocalisedPerRequest: the same domain error answers in the
// request's language, from the errors catalogue, while code, message_id, args,
// field and row stay the same in every language — in JSON, on the error page
// and on a form page.
func TestErrors_LocalisedPerRequest(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	if err := ts.Server.catalog.AddMessages("errors.fr.json", []byte(testFrenchErrors)); err != nil {
		t.Fatal(err)
	}
	ts.fixClock(weekBefore)
	s := w.createSession(t, 30, nil)
	token := ts.token(t, w.trainer)

	apiIn := func(lang, method, path, contentType, body string) (int, localisedError) {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept-Language", lang)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		res, raw := send(t, http.DefaultClient, req)
		var out localisedError
		if err := json.Unmarshal([]byte(raw), &out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
		return res.StatusCode, out
	}

	t.Run("not found", func(t *testing.T) {
		for lang, want := range map[string]string{"en": "session not found", "fr-FR,fr;q=0.9": "TEST-FR séance introuvable"} {
			status, out := apiIn(lang, "GET", "/api/v1/sessions/999999", "", "")
			if status != 404 || out.Error.Code != "not_found" || out.Error.MessageID != "err.not_found.session" || out.Error.Message != want {
				t.Errorf("%s: %d %+v, want 404 not_found err.not_found.session %q", lang, status, out.Error, want)
			}
		}
	})

	t.Run("roster rows", func(t *testing.T) {
		// Line 2 has no name (required: the test's made-up French), line 3 a
		// bad address (the shipped errors.fr.json's message, never a raw id).
		csv := fmt.Sprintf("email,name,agency_id\nnew1@test.example,,%d\nnot-an-address,Name,%d\n", w.agencyA.ID, w.agencyA.ID)
		_, en := apiIn("en", "POST", fmt.Sprintf("/api/v1/sessions/%d/roster", s.ID), "text/csv", csv)
		_, fr := apiIn("fr", "POST", fmt.Sprintf("/api/v1/sessions/%d/roster", s.ID), "text/csv", csv)
		if en.Error.Message != "2 problems in the roster; nothing was imported" || fr.Error.Message != "TEST-FR 2 problèmes dans la liste" {
			t.Errorf("summaries: en %q, fr %q", en.Error.Message, fr.Error.Message)
		}
		if en.Error.MessageID != "err.roster.problems" || fr.Error.MessageID != en.Error.MessageID || en.Error.Code != fr.Error.Code ||
			en.Error.Args["Count"] != float64(2) || fr.Error.Args["Count"] != float64(2) {
			t.Errorf("language-neutral parts differ: en %+v, fr %+v", en.Error, fr.Error)
		}
		if len(en.Error.Details) != 2 || len(fr.Error.Details) != 2 {
			t.Fatalf("details: en %+v, fr %+v", en.Error.Details, fr.Error.Details)
		}
		wantEn := []string{"required", "not a valid e-mail address"}
		badAddress := "err.email.invalid" // an errors id, not a ui one
		wantFr := []string{"TEST-FR obligatoire", ts.Server.catalog.For("fr").T(badAddress)}
		if wantFr[1] == "" || wantFr[1] == badAddress || wantFr[1] == wantEn[1] {
			t.Fatalf("French catalogue lacks err.email.invalid: %q", wantFr[1])
		}
		for i := range 2 {
			e, f := en.Error.Details[i], fr.Error.Details[i]
			if e.Row != i+2 || f.Row != e.Row || f.Field != e.Field || f.MessageID != e.MessageID || e.MessageID == "" ||
				e.Message != wantEn[i] || f.Message != wantFr[i] {
				t.Errorf("row %d: en %+v, fr %+v; want messages %q and %q", i+2, e, f, wantEn[i], wantFr[i])
			}
		}
	})

	t.Run("web's own refusals", func(t *testing.T) {
		for lang, want := range map[string]string{"en": `unknown field "venu"`, "fr": `TEST-FR champ inconnu "venu"`} {
			status, out := apiIn(lang, "PATCH", fmt.Sprintf("/api/v1/sessions/%d", s.ID), "application/json", `{"venu":"Hall B"}`)
			if status != 400 || out.Error.Code != "bad_request" || out.Error.MessageID != "err.http.unknown_field" ||
				out.Error.Args["Field"] != `"venu"` || out.Error.Message != want {
				t.Errorf("%s: %d %+v, want 400 bad_request err.http.unknown_field %q", lang, status, out.Error, want)
			}
		}
	})

	t.Run("pages", func(t *testing.T) {
		browser := ts.browser(t, w.trainer)
		for lang, want := range map[string]string{"en": "<h1>session not found</h1>", "fr": "<h1>TEST-FR séance introuvable</h1>"} {
			req, _ := http.NewRequest("GET", ts.URL+"/sessions/999999", nil)
			req.Header.Set("Accept-Language", lang)
			res, body := send(t, browser, req)
			if res.StatusCode != 404 || !strings.Contains(body, want) {
				t.Errorf("%s: %d, want 404 with %s:\n%s", lang, res.StatusCode, want, body)
			}
		}
	})
}

// A message nested in another (a paper sheet's problem with one question)
// reaches an API client whole: its id and its own args inside the outer
// message's args, the same in every language, while the message is worded in
// the request's.
func TestErrors_NestedMessageArgs(t *testing.T) {
	qw := newQuizWorld(t)
	ts := qw.ts
	qw.at(time.Hour)
	officerB := qw.idOf(t, qw.world.officerB)
	long := strings.Repeat("x", 501) // too long for a short answer, not a letter, not a number
	body := fmt.Sprintf(`{"user_id":%d,"reason":"sheet","sheet":{"version":1,"answers":{"1":%q,"2":%q,"3":%q}}}`, officerB, long, long, long)
	var args []string
	for _, lang := range []string{"en", "fr"} {
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/sessions/%d/quizzes/01-m/paper", ts.URL, qw.sessionID), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+qw.trainerTok)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", lang)
		res, raw := send(t, http.DefaultClient, req)
		var out struct {
			Error struct {
				Details []struct {
					Message   string
					MessageID string `json:"message_id"`
					Args      map[string]any
				}
			}
		}
		if err := json.Unmarshal([]byte(raw), &out); err != nil || res.StatusCode != 422 {
			t.Fatalf("%s: %d %v %s", lang, res.StatusCode, err, raw)
		}
		var nested int
		for _, d := range out.Error.Details {
			if d.MessageID != "err.paper.question_problem" {
				continue
			}
			nested++
			problem, _ := d.Args["Problem"].(map[string]any)
			if problem["id"] != "err.answer.too_long" || d.Args["Number"] == nil {
				t.Errorf("%s: the nested message's args: %v", lang, d.Args)
			}
			wantMsg := apperr.Msg{ID: "err.paper.question_problem", Args: []any{"Number", d.Args["Number"], "Problem", apperr.Msg{ID: "err.answer.too_long"}}}.In(ts.Server.catalog.For(lang))
			if lang == "en" && wantMsg != fmt.Sprintf("question %v: the answer is too long", d.Args["Number"]) || lang == "fr" && strings.Contains(wantMsg, "too long") {
				t.Errorf("%s: the catalogue's wording %q", lang, wantMsg)
			}
			if d.Message != wantMsg {
				t.Errorf("%s: message %q, want %q", lang, d.Message, wantMsg)
			}
			data, _ := json.Marshal(d.Args)
			args = append(args, string(data))
		}
		if nested != 1 {
			t.Errorf("%s: %d nested problems, want the short answer's: %s", lang, nested, raw)
		}
	}
	if len(args) == 2 && args[0] != args[1] {
		t.Errorf("args differ per language: %s / %s", args[0], args[1])
	}
}
