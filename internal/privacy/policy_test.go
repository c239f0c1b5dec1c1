package privacy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/course"
)

func TestDefault(t *testing.T) {
	p := Default()
	want := map[string]course.Validity{
		"answers":        {Years: 2},
		"login_records":  {Days: 90},
		"sent_emails":    {Days: 30},
		"audit":          {Years: 10},
		"expired_tokens": {Days: 30},
	}
	got := map[string]course.Validity{
		"answers": p.Answers, "login_records": p.LoginRecords, "sent_emails": p.SentEmails,
		"audit": p.Audit, "expired_tokens": p.ExpiredTokens,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
	if p.CertificateNames != ErasePrintedName {
		t.Errorf("certificate_names = %q, want erase (data minimisation)", p.CertificateNames)
	}
	if p.Controller != (Controller{}) {
		t.Errorf("default controller = %+v, want none", p.Controller)
	}
}

func writePolicy(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "privacy.yaml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoad(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		p, err := Load(writePolicy(t, `controller:
  name: Programme Office
  address: |
    1 Rue de la Loi
    1000 Brussels
  email: privacy@example.org
  dpo_email: dpo@example.org
retention:
  answers: 18mo
  audit: never
certificate_names: keep
`))
		if err != nil {
			t.Fatal(err)
		}
		if p.Controller.Name != "Programme Office" || p.Controller.Address != "1 Rue de la Loi\n1000 Brussels" ||
			p.Controller.Email != "privacy@example.org" || p.Controller.DPOEmail != "dpo@example.org" {
			t.Errorf("controller = %+v", p.Controller)
		}
		if p.Answers != (course.Validity{Months: 18}) {
			t.Errorf("answers = %v, want 18mo", p.Answers)
		}
		if p.Audit != Never {
			t.Errorf("audit = %v, want never", p.Audit)
		}
		if p.LoginRecords != Default().LoginRecords || p.SentEmails != Default().SentEmails {
			t.Errorf("keys left out did not keep their defaults: %+v", p)
		}
		if p.CertificateNames != KeepPrintedName {
			t.Errorf("certificate_names = %q", p.CertificateNames)
		}
	})
	t.Run("Empty file keeps the defaults", func(t *testing.T) {
		p, err := Load(writePolicy(t, "# nothing yet\n"))
		if err != nil {
			t.Fatal(err)
		}
		if p != Default() {
			t.Errorf("got %+v, want the defaults", p)
		}
	})
	bad := []struct{ name, src, want string }{
		{"Bad YAML", "retention:\n  answers: 2y\n bad: [\n", ":2: not valid YAML: did not find expected key"},
		{"Unknown top-level key", "controller:\n  name: X\nretension:\n  answers: 2y\n", `:3: unknown key "retension" (known: controller, retention, certificate_names)`},
		{"Unknown key under retention", "retention:\n  answers: 2y\n  logins: 90d\n", `:3: unknown key "logins" under retention (known: answers, login_records, sent_emails, audit, expired_tokens)`},
		{"Bad period", "retention:\n  answers: 2y\n  sent_emails: 30 days\n", `:3: retention.sent_emails: bad period "30 days"`},
		{"Empty period", "retention:\n  audit:\n", `:2: retention.audit: bad period ""`},
		{"Period too long", "retention:\n  audit: 500y\n", `:2: retention.audit: validity "500y" is too long`},
		{"Bad rule", "certificate_names: hide\n", `:1: certificate_names is "hide"; use "keep"`},
		{"Bad e-mail", "controller:\n  email: Privacy Office <privacy@example.org>\n", `:2: controller.email: "Privacy Office <privacy@example.org>" is not an e-mail address`},
		{"Duplicate key", "retention:\n  answers: 2y\n  answers: 3y\n", `:3: retention.answers is given twice`},
		{"Not a mapping", "- answers\n", `:1: the policy must be a mapping`},
		{"Section not a mapping", "retention: 2y\n", `:1: retention must be a mapping of keys`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			path := writePolicy(t, tc.src)
			_, err := Load(path)
			if err == nil {
				t.Fatalf("no error for %q", tc.src)
			}
			if !strings.HasPrefix(err.Error(), path+":") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q, want it to start with the file and contain %q", err, tc.want)
			}
		})
	}
	t.Run("Missing file", func(t *testing.T) {
		if _, err := Load(filepath.Join(t.TempDir(), "none.yaml")); err == nil || !strings.Contains(err.Error(), "read privacy policy") {
			t.Errorf("error = %v", err)
		}
	})
}

func TestCutoff(t *testing.T) {
	now := time.Date(2026, 3, 31, 10, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	if c, ok := Cutoff(course.Validity{Months: 1}, now); !ok || !c.Equal(time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("1mo before %v = %v (ok %v)", now, c, ok)
	}
	if c, ok := Cutoff(course.Validity{Days: 90}, now); !ok || !c.Equal(now.AddDate(0, 0, -90)) {
		t.Errorf("90d before %v = %v", now, c)
	}
	if _, ok := Cutoff(Never, now); ok {
		t.Error("never has a cut-off")
	}
}
