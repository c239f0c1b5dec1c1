package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/internal/store"
)

func (ts *testServer) postCSV(t *testing.T, token string, sessionID int64, body string) (*http.Response, string) {
	t.Helper()
	return bearer(t, token, "POST", fmt.Sprintf("%s/api/v1/sessions/%d/roster", ts.URL, sessionID), "text/csv", strings.NewReader(body))
}

func TestRoster_AllOrNothing(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	s := w.createSession(t, 30, nil)
	trainer := ts.token(t, w.trainer)
	ctx := context.Background()
	usersBefore, _ := ts.DB.Users(ctx, store.UserFilter{})

	a, b := w.agencyA.ID, w.agencyB.ID
	bad := "\ufeffemail;name;agency_id;latin_name\r\n" +
		fmt.Sprintf("ok1@test.example;Zoë Ångström;%d;\r\n", a) + // line 2: fine
		fmt.Sprintf("not-an-email;Bad Mail;%d;\r\n", a) + // line 3
		fmt.Sprintf("ok2@test.example;;%d;\r\n", b) + // line 4: no name
		"ok3@test.example;Nobody;999999;\r\n" + // line 5: unknown agency
		fmt.Sprintf("OK1@test.example;Duplicate;%d;\r\n", a) + // line 6: repeats line 2
		fmt.Sprintf("\"quoted;semi@test.example\";Quoted;%d;\r\n", a) + // line 7: bad e-mail inside quotes
		fmt.Sprintf("kim@test.example;김민준;%d;김민준\r\n", b) + // line 8: latin_name not Latin
		fmt.Sprintf("%s;Coordinator;%d;\r\n", w.coordA.Email, a) + // line 9: not an officer
		"short;row\r\n" // line 10: too few fields
	res, body := ts.postCSV(t, trainer, s.ID, bad)
	if res.StatusCode != 422 {
		t.Fatalf("bad roster: %d %s", res.StatusCode, body)
	}
	for _, want := range []string{`"row":3,"field":"email"`, `"row":4,"field":"name"`, `"row":5,"field":"agency_id"`,
		`"row":6,"field":"email","message":"repeats line 2"`, `"row":7,"field":"email"`, `"row":8,"field":"latin_name"`,
		`"row":9,"field":"email"`, `"row":10`} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s in %s", want, body)
		}
	}
	if strings.Contains(body, `"row":2,`) {
		t.Errorf("the good line 2 is reported: %s", body)
	}
	usersAfter, _ := ts.DB.Users(ctx, store.UserFilter{})
	n, _ := ts.DB.Read(ctx).CountEnrollments(s.ID, "enrolled")
	if len(usersAfter) != len(usersBefore) || n != 0 {
		t.Fatalf("a refused roster changed something: %d users created, %d enrolled", len(usersAfter)-len(usersBefore), n)
	}

	// File-level problems: Windows-1252, a missing column.
	for name, file := range map[string]string{
		"latin-1":        "email,name,agency_id\nj@test.example,Jos\xe9,1\n",
		"missing column": "email,name\nj@test.example,José\n",
		"empty":          "",
	} {
		if res, body := ts.postCSV(t, trainer, s.ID, file); res.StatusCode != 422 || !strings.Contains(body, `"field":"file"`) {
			t.Errorf("%s: %d %s", name, res.StatusCode, body)
		}
	}
	// A coordinator imports without agency_id: their agency is implied, and an
	// agency_id column is refused.
	coord := ts.token(t, w.coordB)
	if res, body := ts.postCSV(t, coord, s.ID, "email,name,agency_id\nx@test.example,X,1\n"); res.StatusCode != 422 {
		t.Errorf("coordinator with agency_id: %d %s", res.StatusCode, body)
	}
	if res, body := ts.postCSV(t, coord, s.ID, fmt.Sprintf("email,name\n%s,Officer A\n", w.officerA.Email)); res.StatusCode != 422 || !strings.Contains(body, rosterCannotEnrol) {
		t.Errorf("coordinator B importing officer A: %d %s", res.StatusCode, body)
	}
	res, body = ts.postCSV(t, coord, s.ID, "email,name,extra_time_percent\n\"park@test.example\",\"박서연, 경위\",25\nlee@test.example,이도윤,\n")
	if res.StatusCode != 200 || !strings.Contains(body, `"created":2`) || !strings.Contains(body, `"enrolled":2`) {
		t.Fatalf("coordinator import: %d %s", res.StatusCode, body)
	}
	park, err := ts.DB.UserByEmail(ctx, "park@test.example")
	if err != nil || park.Name != "박서연, 경위" || park.AgencyID == nil || *park.AgencyID != b || park.PasswordHash != "" {
		t.Errorf("imported account = %+v, %v", park, err)
	}
	// Importing the same file again changes nothing.
	res, body = ts.postCSV(t, coord, s.ID, "email,name\npark@test.example,박서연\n")
	if res.StatusCode != 200 || !strings.Contains(body, `"already":1`) || !strings.Contains(body, `"created":0`) {
		t.Errorf("re-import: %d %s", res.StatusCode, body)
	}
	if res, _ := ts.postCSV(t, ts.token(t, w.officerB), s.ID, "email,name\nz@test.example,Z\n"); res.StatusCode != 403 {
		t.Errorf("officer importing: %d", res.StatusCode)
	}
}

// A coordinator's roster that names an address already used elsewhere — an
// officer of another agency, a trainer, another agency's coordinator, an
// admin — gets one neutral message for each of them, saying neither the agency
// nor the role: a roster is not a way to learn who has an account where.
// rosterCannotEnrol is err.roster.cannot_enrol in English: one message for every
// account a coordinator may not enrol.
const rosterCannotEnrol = "this address cannot be enrolled by your agency; ask the programme's administrators"

func TestRoster_CoordinatorLearnsNothingOfOtherAccounts(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	s := w.createSession(t, 30, nil)
	roster := "email,name\n" + w.officerB.Email + ",Officer B\n" + w.trainer.Email + ",Trainer\n" +
		w.coordB.Email + ",Coordinator B\n" + w.admin.Email + ",Admin\n" + w.coordA.Email + ",Coordinator A\n"
	res, body := ts.postCSV(t, ts.token(t, w.coordA), s.ID, roster)
	if res.StatusCode != 422 {
		t.Fatalf("roster: %d %s", res.StatusCode, body)
	}
	var out struct {
		Error struct {
			Details []struct {
				Row            int
				Field, Message string
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Error.Details) != 5 {
		t.Fatalf("want one error for each of lines 2–6: %s", body)
	}
	for _, d := range out.Error.Details {
		if d.Field != "email" || d.Message != rosterCannotEnrol {
			t.Errorf("line %d: %s %q, want email %q", d.Row, d.Field, d.Message, rosterCannotEnrol)
		}
	}
	rest := strings.ToLower(strings.ReplaceAll(body, rosterCannotEnrol, ""))
	for _, leak := range []string{"bravo", "officer", "trainer", "coordinator", "admin", "another", "outside"} {
		if strings.Contains(rest, leak) {
			t.Errorf("the answer says %q: %s", leak, body)
		}
	}
}

func TestRoster_FiveThousandRows(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	s := w.createSession(t, 4000, nil)
	var b strings.Builder
	b.WriteString("email,name,agency_id\n")
	for i := 0; i < 5000; i++ {
		agency := w.agencyA.ID
		if i%2 == 1 {
			agency = w.agencyB.ID
		}
		fmt.Fprintf(&b, "officer%04d@hall.example,Officer Nº %d,%d\n", i, i, agency)
	}
	res, body := ts.postCSV(t, ts.token(t, w.trainer), s.ID, b.String())
	if res.StatusCode != 200 || !strings.Contains(body, `"rows":5000,"created":5000,"enrolled":4000,"waitlisted":1000`) {
		t.Fatalf("5,000 rows: %d %s", res.StatusCode, body)
	}
}

func TestRoster_UploadPageShowsRowErrors(t *testing.T) {
	w := newWorld(t)
	ts := w.ts
	ts.fixClock(weekBefore)
	s := w.createSession(t, 10, nil)
	browser := ts.browser(t, w.coordA)
	upload := func(csv string) (int, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("csrf_token", csrfFrom(t, browser, fmt.Sprintf("%s/sessions/%d/roster", ts.URL, s.ID)))
		fw, _ := mw.CreateFormFile("roster", "roster.csv")
		fw.Write([]byte(csv))
		mw.Close()
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/sessions/%d/roster", ts.URL, s.ID), &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(data)
	}
	status, page := upload("email;name\nbroken;Name\ngood@test.example;Good &lt;b&gt;\n")
	if status != 422 || !strings.Contains(page, "<td>2</td><td>email</td>") || strings.Contains(page, "<b>") {
		t.Errorf("row errors page: %d", status)
	}
	status, page = upload("email;name\nnew.officer@test.example;Élodie Durand\n")
	if status != 200 || !strings.Contains(page, "Élodie Durand") || !strings.Contains(page, "1 new accounts") && !strings.Contains(page, "Imported 1 rows") {
		t.Errorf("successful upload page: %d", status)
	}
}
