package web

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/store"
)

// recordCert is a certificate the record tests store directly: a session's
// (any course, any year), signed with the server's key.
type recordCert struct {
	session  int64
	date     string // the session's
	course   string
	revoked  bool
	noExpiry bool
}

// storeCertificate stores a signed certificate of rc for an officer, valid 3
// years from the session date like the shipped course's (unless noExpiry),
// without closing the session.
func (ts *testServer) storeCertificate(t testing.TB, userID int64, rc recordCert) string {
	t.Helper()
	ctx := context.Background()
	u, err := ts.DB.User(ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	ag, err := ts.DB.Read(ctx).Agency(*u.AgencyID)
	if err != nil {
		t.Fatal(err)
	}
	day, err := time.Parse("2006-01-02", rc.date)
	if err != nil {
		t.Fatal(err)
	}
	serial := fmt.Sprintf("TEST%06d%06d%s", userID, rc.session, strings.ToUpper(rc.course[:3]))
	title := map[string]string{"crypto-crime": "Investigating crypto-asset crime", "aml-basics": "AML regulation for investigators"}[rc.course]
	issued := day.Add(17 * time.Hour)
	p := certify.Payload{Serial: serial, Holder: u.Name, Agency: ag.Name, Course: title, CourseHash: "x", SessionDate: rc.date,
		City: "Paris", Country: "FR", IssuedAt: issued.Format(time.RFC3339)}
	c := &store.Certificate{Serial: serial, SessionID: rc.session, UserID: userID, AgencyID: u.AgencyID, Title: "Certificate", HolderName: u.Name,
		AgencyName: ag.Name, CourseID: rc.course, CourseTitle: title, CourseHash: "x", SessionDate: rc.date,
		City: "Paris", Country: "FR", IssuedAt: issued, Status: store.CertificateValid}
	if !rc.noExpiry {
		exp := day.AddDate(3, 0, 0)
		c.ExpiresAt, p.ExpiresAt = &exp, exp.Format(time.RFC3339)
	}
	if rc.revoked {
		c.Status, c.RevokedAt, c.RevocationReason = store.CertificateRevoked, &issued, "issued in error"
	}
	signed, err := ts.Server.opts.Signer.Sign(p)
	if err != nil {
		t.Fatal(err)
	}
	c.Payload, c.Signature = signed.Payload, signed.Signature
	if err := ts.DB.Tx(ctx, func(q store.Q) error { return q.CreateCertificate(c) }); err != nil {
		t.Fatal(err)
	}
	return serial
}

// recordWorld is agency A's programme over four years: officers whose
// certificates are valid, expiring, expired, revoked or none, across three
// sessions in three years; agency B's officer holds a valid one.
type recordWorld struct {
	*world
	ids     map[string]int64  // officer by name
	serials map[string]string // certificate by a short name
	now     time.Time
}

// recordNow is the record tests' clock: 47 days before the 2024 session's
// certificates expire (inside the 90-day window).
var recordNow = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

func newRecordWorld(t *testing.T) *recordWorld {
	t.Helper()
	w := newWorld(t)
	ts := w.ts
	rw := &recordWorld{world: w, ids: map[string]int64{"Officer Alpha-Marker": w.officerAID}, serials: map[string]string{}, now: recordNow}
	sessions := map[string]int64{}
	for _, day := range []string{"2023-06-01", "2024-01-20", "2026-12-03"} {
		d, _ := time.Parse("2006-01-02", day)
		ts.fixClock(d.AddDate(0, 0, -10))
		sessions[day] = w.createSession(t, 30, map[string]any{"date": day}).ID
	}
	for _, name := range []string{"Émile Durand", "Bruno Lefèvre", "Zoë Marchand", "Åsa Lindqvist"} {
		rw.ids[name] = w.idOf(t, ts.user(t, auth.RoleOfficer, &w.agencyA.ID, name))
	}
	store := func(key, officer, day, course string, revoked bool) {
		rw.serials[key] = ts.storeCertificate(t, rw.ids[officer], recordCert{session: sessions[day], date: day, course: course, revoked: revoked})
	}
	store("alpha-2023", "Officer Alpha-Marker", "2023-06-01", "crypto-crime", false) // expired, renewed by:
	store("alpha-2026", "Officer Alpha-Marker", "2026-12-03", "crypto-crime", false) // valid
	store("emile-2024", "Émile Durand", "2024-01-20", "crypto-crime", false)         // expiring: due
	store("bruno-2023", "Bruno Lefèvre", "2023-06-01", "aml-basics", false)          // expired: due
	store("zoe-2026", "Zoë Marchand", "2026-12-03", "crypto-crime", true)            // revoked: not due
	rw.serials["bravo-2026"] = ts.storeCertificate(t, w.idOf(t, w.officerB), recordCert{session: sessions["2026-12-03"], date: "2026-12-03", course: "crypto-crime"})
	ts.fixClock(recordNow)
	return rw
}

// getRecord reads the record through the API in a language.
func (rw *recordWorld) getRecord(t *testing.T, cred credentials, query, lang string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rw.ts.URL+fmt.Sprintf("/api/v1/agencies/%d/record%s", rw.agencyA.ID, query), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+rw.ts.token(t, cred))
	req.Header.Set("Accept", "application/json")
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	return send(t, http.DefaultClient, req)
}

// TestAgencyRecord_EveryOfficerAcrossYears: agency A's coordinator reads
// exactly agency A's officers (one without any certificate included) with
// every certificate of theirs across three sessions in three years, each with
// the status the clock gives it, and who is due for recertification; in the
// order the reader's language sorts names; filtered by course and status.
func TestAgencyRecord_EveryOfficerAcrossYears(t *testing.T) {
	rw := newRecordWorld(t)
	res, body := rw.getRecord(t, rw.coordA, "", "en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("record: %d %s", res.StatusCode, body)
	}
	rec := decode[certify.Record](t, body)
	if rec.AgencyID != rw.agencyA.ID || rec.Agency != rw.agencyA.Name || rec.Country != "FR" || rec.Valid != 2 {
		t.Errorf("record head: %+v", rec)
	}
	if strings.Contains(body, rw.serials["bravo-2026"]) || strings.Contains(body, rw.officerB.Email) || strings.Contains(body, "Bravo") {
		t.Errorf("agency A's record shows agency B: %s", body)
	}
	type line struct {
		due   bool
		certs []string // "key status due"
	}
	want := map[string]line{
		"Officer Alpha-Marker": {false, []string{"alpha-2026 valid false", "alpha-2023 expired false"}},
		"Émile Durand":         {true, []string{"emile-2024 expiring true"}},
		"Bruno Lefèvre":        {true, []string{"bruno-2023 expired true"}},
		"Zoë Marchand":         {false, []string{"zoe-2026 revoked false"}},
		"Åsa Lindqvist":        {false, nil},
	}
	key := map[string]string{}
	for k, s := range rw.serials {
		key[s] = k
	}
	var names []string
	for _, o := range rec.Officers {
		names = append(names, o.Name)
		w, ok := want[o.Name]
		if !ok {
			t.Errorf("unexpected officer %q", o.Name)
			continue
		}
		var got []string
		for _, c := range o.Certificates {
			got = append(got, fmt.Sprintf("%s %s %v", key[c.Serial], c.Status, c.Due))
		}
		if o.Due != w.due || !slices.Equal(got, w.certs) || o.UserID != rw.ids[o.Name] {
			t.Errorf("%s: due %v, certificates %q; want %v, %q", o.Name, o.Due, got, w.due, w.certs)
		}
	}
	// English (root) collation puts Å with A and É with E; byte order would
	// put both after Z.
	if wantOrder := []string{"Åsa Lindqvist", "Bruno Lefèvre", "Émile Durand", "Officer Alpha-Marker", "Zoë Marchand"}; !slices.Equal(names, wantOrder) {
		t.Errorf("officers in English: %q, want %q", names, wantOrder)
	}
	if len(rec.Courses) != 2 || rec.Courses[0].ID != "aml-basics" || rec.Courses[1].ID != "crypto-crime" {
		t.Errorf("courses: %+v", rec.Courses)
	}

	// Swedish sorts Å after Z.
	_, body = rw.getRecord(t, rw.coordA, "", "sv")
	names = nil
	for _, o := range decode[certify.Record](t, body).Officers {
		names = append(names, o.Name)
	}
	if wantOrder := []string{"Bruno Lefèvre", "Émile Durand", "Officer Alpha-Marker", "Zoë Marchand", "Åsa Lindqvist"}; !slices.Equal(names, wantOrder) {
		t.Errorf("officers in Swedish: %q, want %q", names, wantOrder)
	}

	// Filters: only the officers with a certificate that passes, and only
	// those certificates.
	for _, f := range []struct {
		query string
		want  []string // serial keys
	}{
		{"?status=due", []string{"bruno-2023", "emile-2024"}},
		{"?status=expiring", []string{"emile-2024"}},
		{"?status=expired", []string{"bruno-2023", "alpha-2023"}},
		{"?status=revoked", []string{"zoe-2026"}},
		{"?status=valid", []string{"alpha-2026"}},
		{"?course=aml-basics", []string{"bruno-2023"}},
		{"?course=crypto-crime&status=due", []string{"emile-2024"}},
		{"?course=no-such-course", nil},
	} {
		res, body := rw.getRecord(t, rw.coordA, f.query, "en")
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d %s", f.query, res.StatusCode, body)
			continue
		}
		var got []string
		for _, o := range decode[certify.Record](t, body).Officers {
			if len(o.Certificates) == 0 {
				t.Errorf("%s lists %s, who holds none that passes", f.query, o.Name)
			}
			for _, c := range o.Certificates {
				got = append(got, key[c.Serial])
			}
		}
		if !slices.Equal(got, f.want) {
			t.Errorf("%s: %q, want %q", f.query, got, f.want)
		}
	}
	if res, body := rw.getRecord(t, rw.coordA, "?status=soon", "en"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"status"`) {
		t.Errorf("an unknown status: %d %s", res.StatusCode, body)
	}
}

// TestAgencyRecord_DueFollowsTheClock: the same certificate is not due 111
// days before it expires, due 47 days before (expiring), and still due once
// expired; an officer who renewed is never due.
func TestAgencyRecord_DueFollowsTheClock(t *testing.T) {
	rw := newRecordWorld(t)
	for _, c := range []struct {
		now    time.Time
		status string
		due    bool
	}{
		{time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC), "valid", false},
		{time.Date(2026, 10, 22, 12, 0, 0, 0, time.UTC), "expiring", true}, // 90 days before 20 January
		{recordNow, "expiring", true},
		{time.Date(2027, 1, 20, 0, 0, 0, 0, time.UTC), "expired", true},
	} {
		rw.ts.fixClock(c.now)
		_, body := rw.getRecord(t, rw.coordA, "", "en")
		for _, o := range decode[certify.Record](t, body).Officers {
			switch o.Name {
			case "Émile Durand":
				if o.Due != c.due || len(o.Certificates) != 1 || o.Certificates[0].Status != c.status || o.Certificates[0].Due != c.due {
					t.Errorf("at %s Émile: %+v, want %s due=%v", c.now, o, c.status, c.due)
				}
			case "Officer Alpha-Marker":
				if o.Due {
					t.Errorf("at %s the officer who renewed is due: %+v", c.now, o)
				}
			}
		}
	}
}

// TestAgencyRecord_ZIPHoldsTheValidCertificates: the agency's ZIP (page
// route and API) holds exactly its certificates valid today — the expiring
// one included, the expired and revoked ones and agency B's not —, each
// named by holder, course, date and serial, each verifying with the
// server's key; with none valid, a clear refusal instead of an empty ZIP.
func TestAgencyRecord_ZIPHoldsTheValidCertificates(t *testing.T) {
	rw := newRecordWorld(t)
	ts := rw.ts
	key := ts.Server.opts.Signer
	trusted := map[string]ed25519.PublicKey{key.KeyID: key.PublicKey()}
	zipPath := fmt.Sprintf("/agencies/%d/certificates.zip", rw.agencyA.ID)
	check := func(how string, res *http.Response, body string, want map[string]string) {
		t.Helper()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/zip" ||
			!strings.Contains(res.Header.Get("Content-Disposition"), fmt.Sprintf("agency-%d-certificates.zip", rw.agencyA.ID)) {
			t.Fatalf("%s: %d %v %.200s", how, res.StatusCode, res.Header, body)
		}
		files := pdfsOf(t, unzip(t, []byte(body)))
		if len(files) != len(want) {
			t.Errorf("%s: %d files %q, want %d", how, len(files), keys(files), len(want))
		}
		for name, serialKey := range want {
			doc, ok := files[name]
			if !ok {
				t.Errorf("%s: no %s in %q", how, name, keys(files))
				continue
			}
			p, err := certify.VerifyPDF(doc, trusted)
			if err != nil || p.Serial != rw.serials[serialKey] {
				t.Errorf("%s: %s does not verify as %s: %+v %v", how, name, serialKey, p, err)
			}
		}
	}
	want := map[string]string{
		"Alpha-Marker_Officer_crypto-crime_2026-12-03_" + rw.serials["alpha-2026"] + ".pdf": "alpha-2026",
		"Durand_Émile_crypto-crime_2024-01-20_" + rw.serials["emile-2024"] + ".pdf":         "emile-2024",
	}
	res, body := getWith(t, ts.browser(t, rw.coordA), ts.URL+zipPath)
	check("coordinator's page link", res, body, want)
	res, body = ts.api(t, ts.token(t, rw.admin), "GET", "/api/v1"+zipPath, nil)
	check("admin's API", res, body, want)

	// Past the 2024 certificate's expiry only the renewed one is left.
	ts.fixClock(time.Date(2027, 1, 21, 0, 0, 0, 0, time.UTC))
	res, body = ts.api(t, ts.token(t, rw.coordA), "GET", "/api/v1"+zipPath, nil)
	delete(want, "Durand_Émile_crypto-crime_2024-01-20_"+rw.serials["emile-2024"]+".pdf")
	check("after an expiry", res, body, want)

	// Agency B's only certificate is revoked: nothing to download, said so.
	ts.fixClock(recordNow)
	if res, body := ts.api(t, ts.token(t, rw.admin), "POST", "/api/v1/certificates/"+rw.serials["bravo-2026"]+"/revoke", map[string]string{"reason": "issued in error"}); res.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d %s", res.StatusCode, body)
	}
	bravoZIP := fmt.Sprintf("/api/v1/agencies/%d/certificates.zip", rw.agencyB.ID)
	if res, body := ts.api(t, ts.token(t, rw.coordB), "GET", bravoZIP, nil); res.StatusCode != http.StatusConflict || !strings.Contains(body, "no valid certificate") {
		t.Errorf("agency B's ZIP with none valid: %d %s", res.StatusCode, body)
	}
	page, _ := getWith(t, ts.browser(t, rw.coordB), ts.URL+fmt.Sprintf("/agencies/%d/record", rw.agencyB.ID))
	if page.StatusCode != http.StatusOK {
		t.Errorf("agency B's record page: %d", page.StatusCode)
	}
}

// TestAgencyRecord_WhoMayRead: the record, its CSV and the ZIP answer agency
// A's coordinator and the admins; another agency's people 404 (as if agency A
// did not exist), agency A's officer and a trainer, who may see the agency
// but not its record, 403.
func TestAgencyRecord_WhoMayRead(t *testing.T) {
	rw := newRecordWorld(t)
	ts := rw.ts
	a := strconv.FormatInt(rw.agencyA.ID, 10)
	want := map[string]int{"officerA": 403, "officerB": 404, "coordA": 200, "coordB": 404, "trainer": 403, "admin": 200}
	creds := map[string]credentials{"officerA": rw.officerA, "officerB": rw.officerB, "coordA": rw.coordA, "coordB": rw.coordB, "trainer": rw.trainer, "admin": rw.admin}
	for who, cred := range creds {
		token := ts.token(t, cred)
		browser := ts.browser(t, cred)
		for _, p := range []string{"/api/v1/agencies/" + a + "/record", "/api/v1/agencies/" + a + "/record.csv", "/api/v1/agencies/" + a + "/certificates.zip"} {
			res, body := ts.api(t, token, "GET", p, nil)
			if res.StatusCode != want[who] {
				t.Errorf("%s GET %s: %d, want %d", who, p, res.StatusCode, want[who])
			}
			if want[who] != 200 && (strings.Contains(body, "Émile") || strings.Contains(body, rw.serials["alpha-2026"])) {
				t.Errorf("%s GET %s reveals the record: %s", who, p, body)
			}
		}
		for _, p := range []string{"/agencies/" + a + "/record", "/agencies/" + a + "/certificates.zip"} {
			if res, _ := getWith(t, browser, ts.URL+p); res.StatusCode != want[who] {
				t.Errorf("%s (browser) GET %s: %d, want %d", who, p, res.StatusCode, want[who])
			}
		}
	}
	for _, p := range []string{"/api/v1/agencies/999999/record", "/api/v1/agencies/abc/record", "/api/v1/agencies/999999/certificates.zip"} {
		if res, _ := ts.api(t, ts.token(t, rw.admin), "GET", p, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("admin GET %s: %d, want 404", p, res.StatusCode)
		}
	}
	if res, _ := ts.api(t, "", "GET", "/api/v1/agencies/"+a+"/record", nil); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous record: %d", res.StatusCode)
	}
}

// TestAgencyRecord_PageAndCSV: the page lists every officer whole with their
// certificates, links each serial to its verification, offers the ZIP and
// the due filter, and is linked from the coordinator's dashboard, their
// officers page and the admin's agency list; the CSV holds the same rows
// (BOM, one per certificate, one for an officer with none) as filtered.
func TestAgencyRecord_PageAndCSV(t *testing.T) {
	rw := newRecordWorld(t)
	ts := rw.ts
	coord := ts.browser(t, rw.coordA)
	recordPath := fmt.Sprintf("/agencies/%d/record", rw.agencyA.ID)
	res, page := getWith(t, coord, ts.URL+recordPath)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("record page: %d %s", res.StatusCode, page)
	}
	for _, s := range []string{"Émile Durand", "Åsa Lindqvist", "Officer Alpha-Marker", "No certificate yet.", "Renewal due",
		`href="/verify/` + rw.serials["emile-2024"] + `"`, `href="/agencies/` + strconv.FormatInt(rw.agencyA.ID, 10) + `/certificates.zip"`,
		`href="` + recordPath + `?status=due"`, "2 certificates valid today", "issued in error"} {
		if !strings.Contains(page, s) {
			t.Errorf("record page lacks %q", s)
		}
	}
	if strings.Contains(page, rw.serials["bravo-2026"]) {
		t.Error("agency A's record page shows agency B's certificate")
	}
	_, due := getWith(t, coord, ts.URL+recordPath+"?status=due")
	if !strings.Contains(due, "Émile Durand") || !strings.Contains(due, "Bruno Lefèvre") || strings.Contains(due, "Åsa Lindqvist") || strings.Contains(due, "Zoë Marchand") ||
		!strings.Contains(due, `/record.csv?status=due"`) {
		t.Errorf("the due filter's page: %s", due)
	}
	if _, body := getWith(t, ts.browser(t, rw.admin), ts.URL+"/admin/agencies"); !strings.Contains(body, `href="`+recordPath+`"`) {
		t.Error("the admin's agency list links no record")
	}
	for _, p := range []string{"/", "/agency/officers"} {
		if _, body := getWith(t, coord, ts.URL+p); !strings.Contains(body, `href="`+recordPath+`"`) {
			t.Errorf("the coordinator's %s links no record", p)
		}
	}

	res, csv := ts.api(t, ts.token(t, rw.coordA), "GET", "/api/v1"+recordPath+".csv", nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(csv, "\uFEFFName,Name in Latin letters,ID,Course code,Course,Date,City,Country,Serial,Status,Expires,Due for recertification\r\n") {
		t.Fatalf("record CSV: %d %q", res.StatusCode, csv)
	}
	lines := strings.Split(strings.TrimSuffix(csv, "\r\n"), "\r\n")
	if len(lines) != 1+6 { // five certificates of agency A, one officer without any
		t.Errorf("record CSV has %d lines: %q", len(lines), lines)
	}
	emile := "Émile Durand,," + strconv.FormatInt(rw.ids["Émile Durand"], 10) + ",crypto-crime,Investigating crypto-asset crime,2024-01-20,Paris,France," +
		rw.serials["emile-2024"] + ",Expires soon,2027-01-20,Renewal due"
	for _, s := range []string{emile, "Åsa Lindqvist,," + strconv.FormatInt(rw.ids["Åsa Lindqvist"], 10) + ",,,,,,,,,"} {
		if !slices.Contains(lines, s) {
			t.Errorf("record CSV lacks %q: %q", s, lines)
		}
	}
	_, csv = ts.api(t, ts.token(t, rw.coordA), "GET", "/api/v1"+recordPath+".csv?status=due", nil)
	if n := strings.Count(csv, "\r\n"); n != 3 || strings.Contains(csv, "Åsa") {
		t.Errorf("due CSV: %d lines %s", n, csv)
	}

	// The XLSX: the same rows, dates as dates, the ids as numbers.
	res, xlsx := ts.api(t, ts.token(t, rw.coordA), "GET", "/api/v1"+recordPath+".xlsx?status=due", nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") {
		t.Fatalf("record XLSX: %d %v", res.StatusCode, res.Header)
	}
	f, err := excelize.OpenReader(strings.NewReader(xlsx))
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer f.Close()
	sh := f.GetSheetList()[0]
	rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
	if err != nil || len(rows) != 3 {
		t.Fatalf("XLSX rows: %q %v", rows, err)
	}
	var emileRow []string
	for _, r := range rows {
		if r[0] == "Émile Durand" {
			emileRow = r
		}
	}
	// 2024-01-20 and 2027-01-20 as Excel counts days.
	if len(emileRow) != 12 || emileRow[2] != strconv.FormatInt(rw.ids["Émile Durand"], 10) || emileRow[5] != "45311" || emileRow[10] != "46407" || emileRow[11] != "Renewal due" {
		t.Errorf("Émile's XLSX row: %q", emileRow)
	}
	for _, cell := range []string{"C2", "F2", "K2"} {
		if typ, _ := f.GetCellType(sh, cell); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("XLSX %s is %v, not a number", cell, typ)
		}
	}
}

// TestAgencyRecord_ErasedOfficer: once an officer's personal data is erased,
// the record keeps their certificates without their name ("Erased user",
// listed last), nobody is due on their behalf, and the ZIP leaves them out.
func TestAgencyRecord_ErasedOfficer(t *testing.T) {
	rw := newRecordWorld(t)
	ts := rw.ts
	id := rw.ids["Émile Durand"]
	if res, body := ts.api(t, ts.token(t, rw.admin), "POST", fmt.Sprintf("/api/v1/users/%d/erase", id), map[string]string{"reason": "the officer's request"}); res.StatusCode != http.StatusOK {
		t.Fatalf("erase: %d %s", res.StatusCode, body)
	}
	_, body := rw.getRecord(t, rw.coordA, "", "en")
	rec := decode[certify.Record](t, body)
	last := rec.Officers[len(rec.Officers)-1]
	if strings.Contains(body, "Émile") || last.UserID != id || !last.Erased || last.Name != "" || last.Due ||
		len(last.Certificates) != 1 || last.Certificates[0].Serial != rw.serials["emile-2024"] || last.Certificates[0].Due || rec.Valid != 1 {
		t.Errorf("the erased officer in the record: valid %d, %+v", rec.Valid, last)
	}
	if _, due := rw.getRecord(t, rw.coordA, "?status=due", "en"); strings.Contains(due, rw.serials["emile-2024"]) {
		t.Errorf("the erased officer is due: %s", due)
	}
	_, page := getWith(t, ts.browser(t, rw.coordA), ts.URL+fmt.Sprintf("/agencies/%d/record", rw.agencyA.ID))
	if !strings.Contains(page, "Erased user") || strings.Contains(page, "Émile") {
		t.Errorf("the record page after the erasure: %s", page)
	}
	res, zipped := ts.api(t, ts.token(t, rw.coordA), "GET", fmt.Sprintf("/api/v1/agencies/%d/certificates.zip", rw.agencyA.ID), nil)
	if files := pdfsOf(t, unzip(t, []byte(zipped))); res.StatusCode != http.StatusOK || len(files) != 1 {
		t.Errorf("the ZIP after the erasure: %d %q", res.StatusCode, keys(files))
	}
}
