package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/courses"
	"github.com/lectern-platform/lectern/internal/app"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/course"
	"github.com/lectern-platform/lectern/internal/privacy"
	"github.com/lectern-platform/lectern/internal/store"
)

// The privacy notice is written from the policy the server runs with: change
// the policy and the page changes, in every language.
func TestPrivacyPage_FromPolicy(t *testing.T) {
	custom := privacy.Default()
	custom.Controller = privacy.Controller{Name: "Programme Office Alpha", Address: "1 Rue de la Loi\n1000 Bruxelles",
		Email: "privacy@alpha.example", DPOEmail: "dpo@alpha.example"}
	custom.Answers = course.Validity{Months: 18}
	custom.LoginRecords = course.Validity{Days: 60}
	custom.Audit = privacy.Never
	custom.CertificateNames = privacy.KeepPrintedName

	cases := []struct {
		name   string
		policy *privacy.Policy
		lang   string
		want   []string
		absent []string
	}{
		{"Configured, English", &custom, "en", []string{"Programme Office Alpha", "1 Rue de la Loi\n1000 Bruxelles", `href="mailto:privacy@alpha.example"`,
			`href="mailto:dpo@alpha.example"`, "Data protection officer", "18 months after the session; your scores stay.", "60 days after the sign-in ends.",
			"30 days after sending.", "30 days after the link expires.", "Without a time limit.", "your certificates keep the name printed on them",
			`href="/me/data.zip"`}, []string{"has not entered its contact details", "10 years after the change", "removed from the record"}},
		{"Configured, French", &custom, "fr", []string{"Programme Office Alpha", "18 mois après la session", "60 jours après la fin de la connexion",
			"Sans limite de durée.", "Délégué à la protection des données", "vos certificats gardent le nom qui y est imprimé"}, []string{"18 months"}},
		{"Defaults, English", nil, "en", []string{"has not entered its contact details", "2 years after the session; your scores stay.",
			"90 days after the sign-in ends.", "10 years after the change.", "removed from the record"}, []string{"mailto:", "Data protection officer", "keep the name printed"}},
		{"Defaults, Korean", nil, "ko", []string{"교육 회차 후 2년 동안 보관합니다", "변경 후 10년 동안 보관합니다", "기록에서 삭제됩니다"}, []string{"2 years"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServerApp(t, courses.FS, Config{}, app.Options{Privacy: tc.policy})
			res, body := getIn(t, newBrowser(), ts.URL+"/privacy", tc.lang)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET /privacy: %d", res.StatusCode)
			}
			text := html.UnescapeString(body)
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("the notice lacks %q", w)
				}
			}
			for _, w := range tc.absent {
				if strings.Contains(text, w) {
					t.Errorf("the notice shows %q", w)
				}
			}
		})
	}
}

// The retention page and its API twin: admins only; the periods, today's
// cut-offs, what would go now and the last runs.
func TestRetentionPage(t *testing.T) {
	ts := startServer(t, courses.FS)
	ctx := context.Background()
	admin := ts.user(t, auth.RoleAdmin, nil, "Admin")
	agency := ts.agency(t, "Agency", "FR")
	others := map[string]credentials{
		"trainer":     ts.user(t, auth.RoleTrainer, nil, "Trainer"),
		"coordinator": ts.user(t, auth.RoleCoordinator, &agency.ID, "Coordinator"),
		"officer":     ts.user(t, auth.RoleOfficer, &agency.ID, "Officer"),
	}
	browser := ts.browser(t, admin)
	// Seeded after the admin signs in: a sign-in prunes failed sign-ins
	// older than its throttling window itself.
	now := time.Now().UTC()
	sent := now.AddDate(0, 0, -40)
	for _, v := range []any{
		&store.AuditEvent{At: now.AddDate(-11, 0, 0), Action: "user.create", After: "{}"},
		&store.LoginFailure{Email: "x@test.example", ClientIP: "10.0.0.9", At: now.AddDate(0, 0, -100)},
		&store.LoginFailure{Email: "x@test.example", ClientIP: "10.0.0.9", At: now.AddDate(0, 0, -120)},
		&store.OutboxMessage{Kind: "invitation", ToAddress: "x@test.example", Subject: "s", TextBody: "b", Status: store.OutboxSent,
			NextAttemptAt: now.AddDate(0, 0, -40), CreatedAt: now.AddDate(0, 0, -40), SentAt: &sent},
	} {
		if err := ts.DB.W.Create(v).Error; err != nil {
			t.Fatal(err)
		}
	}
	res, body := getIn(t, browser, ts.URL+"/admin/retention", "en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/retention: %d", res.StatusCode)
	}
	row := func(body, category string) string {
		i := strings.Index(body, `data-category="`+category+`"`)
		if i < 0 {
			t.Fatalf("no row for %s", category)
		}
		return body[i : i+strings.Index(body[i:], "</tr>")]
	}
	if r := row(body, "audit"); !strings.Contains(r, "10 years") || !strings.Contains(r, `<td class="num">1</td>`) {
		t.Errorf("audit row: %s", r)
	}
	if r := row(body, "login_records"); !strings.Contains(r, "90 days") || !strings.Contains(r, `<td class="num">2</td>`) {
		t.Errorf("sign-in records row: %s", r)
	}
	if r := row(body, "answers"); !strings.Contains(r, "Sessions before") {
		t.Errorf("answers row: %s", r)
	}
	for _, w := range []string{"No run yet.", "item analysis has no per-question data", "removed from the record", `href="/admin/retention"`} {
		if !strings.Contains(html.UnescapeString(body), w) {
			t.Errorf("the page lacks %q", w)
		}
	}

	if _, err := ts.Server.app.Jobs.RunNow(ctx, "retention"); err != nil {
		t.Fatal(err)
	}
	_, body = getIn(t, browser, ts.URL+"/admin/retention", "en")
	if !strings.Contains(body, "Daily job") || strings.Contains(body, "No run yet.") || !strings.Contains(row(body, "audit"), `<td class="num">0</td>`) {
		t.Errorf("after the run, the page shows no run, or still counts the removed rows")
	}
	_, body = getIn(t, browser, ts.URL+"/admin/retention", "de")
	if !strings.Contains(body, "Täglicher Auftrag") || !strings.Contains(body, "10 Jahre") {
		t.Errorf("the German page lacks its run or period")
	}

	res, body = ts.api(t, ts.token(t, admin), "GET", "/api/v1/retention", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/retention: %d %s", res.StatusCode, body)
	}
	var got struct {
		CertificateNames string `json:"certificate_names"`
		Pending          struct {
			DryRun     bool `json:"dry_run"`
			Categories []struct {
				Category string     `json:"category"`
				Period   *string    `json:"period"`
				Cutoff   *time.Time `json:"cutoff"`
				Rows     int64      `json:"rows"`
			} `json:"categories"`
		} `json:"pending"`
		Runs []struct {
			By         string `json:"by"`
			Rows       int64  `json:"rows"`
			Categories []struct {
				Category string `json:"category"`
				Rows     int64  `json:"rows"`
			} `json:"categories"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.CertificateNames != "erase" || !got.Pending.DryRun || len(got.Pending.Categories) != 5 ||
		got.Pending.Categories[3].Category != "audit" || *got.Pending.Categories[3].Period != "10y" || got.Pending.Categories[3].Cutoff == nil {
		t.Errorf("pending: %s", body)
	}
	if len(got.Runs) != 1 || got.Runs[0].By != "job" || got.Runs[0].Rows != 4 || got.Runs[0].Categories[1].Category != "login_records" || got.Runs[0].Categories[1].Rows != 2 {
		t.Errorf("runs: %s", body)
	}

	for who, c := range others {
		if res, _ := getWith(t, ts.browser(t, c), ts.URL+"/admin/retention"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s opens the retention page: %d", who, res.StatusCode)
		}
		if res, _ := ts.api(t, ts.token(t, c), "GET", "/api/v1/retention", nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s reads the retention API: %d", who, res.StatusCode)
		}
	}
	if res, _ := ts.api(t, "", "GET", "/api/v1/retention", nil); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous API: %d", res.StatusCode)
	}
}
