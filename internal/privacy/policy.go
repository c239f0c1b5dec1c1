package privacy

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	netmail "net/mail"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/lectern-platform/lectern/internal/course"
)

// NameRule says what an issued certificate keeps of its holder's name once
// the holder is erased.
type NameRule string

const (
	// KeepPrintedName keeps the name as printed on the issued certificate, so
	// a verifier can still match it against the person showing it.
	KeepPrintedName NameRule = "keep"
	// ErasePrintedName replaces it with "erased": the certificate still
	// verifies (serial, course, date, result) but no longer by name. The
	// default, as data minimisation asks.
	ErasePrintedName NameRule = "erase"
)

// Controller is who is responsible for the personal data (GDPR Art. 4(7))
// and how people reach them; every field is optional in the file, and the
// privacy notice says so where one is missing.
type Controller struct {
	Name     string
	Address  string // postal address, may span lines
	Email    string
	DPOEmail string // the data protection officer's address, if one is appointed
}

// Never is a retention period that keeps the records for good ("never" in
// the file): the job deletes none of that category.
var Never = course.Validity{}

// Policy is the programme's privacy policy. Retention periods are calendar
// periods ("2y", "90d", "18mo", as a course's valid_for); a zero period
// (Never) keeps that category for good.
type Policy struct {
	Controller Controller
	// Answers: quiz answers (and late answers) of sessions whose date is older
	// than this. The attempt and its score stay, so results and certificates
	// stay true.
	Answers course.Validity
	// LoginRecords: ended or expired sign-in sessions, failed sign-ins and
	// failed check-ins older than this.
	LoginRecords course.Validity
	// SentEmails: outbox messages sent or given up on longer ago than this,
	// with their attachments.
	SentEmails course.Validity
	// Audit: audit log entries older than this.
	Audit course.Validity
	// ExpiredTokens: one-time links (invitations, password resets) expired
	// longer ago than this; until then an old link says "expired" rather
	// than "unknown".
	ExpiredTokens course.Validity
	// CertificateNames is what an erased holder's certificates keep of the
	// printed name.
	CertificateNames NameRule
}

//go:embed default.yaml
var defaultYAML []byte

// Default is the policy without a configuration file: answers 2 years after
// the session, login records 90 days, sent e-mails 30 days, audit 10 years,
// expired links 30 days, printed names erased with their holder.
func Default() Policy {
	p, err := parse("default.yaml", defaultYAML, Policy{})
	if err != nil {
		panic(fmt.Sprintf("privacy: the embedded default policy is invalid: %v", err))
	}
	return p
}

// Load reads a policy file over the defaults: a key the file leaves out keeps
// its default. An unknown key, a bad period, a bad e-mail address or a bad
// certificate_names rule is an error naming the file and line.
func Load(path string) (Policy, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return Policy{}, fmt.Errorf("read privacy policy: %w", err)
	}
	return parse(path, src, Default())
}

// Parse reads a policy from src (named name in errors) over the defaults.
func Parse(name string, src []byte) (Policy, error) { return parse(name, src, Default()) }

// Cutoff is the moment before which a category's records go when the job
// runs at now: now moved back by the period, in UTC. ok is false for a
// period of Never.
func Cutoff(period course.Validity, now time.Time) (cutoff time.Time, ok bool) {
	if period.IsZero() {
		return time.Time{}, false
	}
	v := period
	return now.UTC().AddDate(-v.Years, -v.Months, -v.Days), true
}

// field is one leaf of the file: its key and how it is set.
type field struct {
	key string
	set func(p *Policy, value string) error
}

func text(dst func(p *Policy) *string) func(*Policy, string) error {
	return func(p *Policy, v string) error { *dst(p) = strings.TrimSpace(v); return nil }
}

func email(dst func(p *Policy) *string) func(*Policy, string) error {
	return func(p *Policy, v string) error {
		v = strings.TrimSpace(v)
		if v != "" {
			if a, err := netmail.ParseAddress(v); err != nil || a.Address != v {
				return fmt.Errorf("%q is not an e-mail address (write the bare address, e.g. privacy@example.org)", v)
			}
		}
		*dst(p) = v
		return nil
	}
}

func period(dst func(p *Policy) *course.Validity) func(*Policy, string) error {
	return func(p *Policy, v string) error {
		v = strings.TrimSpace(v)
		if v == "never" {
			*dst(p) = Never
			return nil
		}
		d, err := course.ParseValidity(v)
		if err != nil && strings.Contains(err.Error(), "too long") {
			return err
		}
		if err != nil {
			return fmt.Errorf("bad period %q: use units y, mo, d (e.g. 2y, 18mo, 90d), or never", v)
		}
		*dst(p) = d
		return nil
	}
}

// sections is the file's shape: the top-level keys, and the leaves under
// each mapping. A top-level key with no leaves is a scalar itself.
var sections = []struct {
	key    string
	leaves []field
	scalar func(p *Policy, value string) error
}{
	{key: "controller", leaves: []field{
		{"name", text(func(p *Policy) *string { return &p.Controller.Name })},
		{"address", text(func(p *Policy) *string { return &p.Controller.Address })},
		{"email", email(func(p *Policy) *string { return &p.Controller.Email })},
		{"dpo_email", email(func(p *Policy) *string { return &p.Controller.DPOEmail })},
	}},
	{key: "retention", leaves: []field{
		{"answers", period(func(p *Policy) *course.Validity { return &p.Answers })},
		{"login_records", period(func(p *Policy) *course.Validity { return &p.LoginRecords })},
		{"sent_emails", period(func(p *Policy) *course.Validity { return &p.SentEmails })},
		{"audit", period(func(p *Policy) *course.Validity { return &p.Audit })},
		{"expired_tokens", period(func(p *Policy) *course.Validity { return &p.ExpiredTokens })},
	}},
	{key: "certificate_names", scalar: func(p *Policy, v string) error {
		switch r := NameRule(strings.TrimSpace(v)); r {
		case KeepPrintedName, ErasePrintedName:
			p.CertificateNames = r
			return nil
		}
		return fmt.Errorf("certificate_names is %q; use %q (verifiers still see the printed name) or %q (replaced by \"erased\")", v, KeepPrintedName, ErasePrintedName)
	}},
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parse applies src over base. Every problem is reported as "name:line:
// message", as course lint does, so an operator goes straight to the line.
func parse(name string, src []byte, base Policy) (Policy, error) {
	p := base
	at := func(n *yaml.Node, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", name, n.Line, fmt.Sprintf(format, args...))
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(src)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return p, nil // an empty file: the defaults
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return Policy{}, fmt.Errorf("%s:%d: not valid YAML: %s", name, line, m[2])
		}
		return Policy{}, fmt.Errorf("%s: not valid YAML: %s", name, msg)
	}
	if len(doc.Content) == 0 {
		return p, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return Policy{}, at(root, "the policy must be a mapping of keys (controller, retention, certificate_names)")
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			return Policy{}, at(k, "%s is given twice", k.Value)
		}
		seen[k.Value] = true
		found := false
		for _, s := range sections {
			if s.key != k.Value {
				continue
			}
			found = true
			if s.scalar != nil {
				if v.Kind != yaml.ScalarNode {
					return Policy{}, at(v, "%s must be a single value", k.Value)
				}
				if err := s.scalar(&p, v.Value); err != nil {
					return Policy{}, at(v, "%v", err)
				}
				continue
			}
			if err := parseSection(&p, k.Value, v, s.leaves, at); err != nil {
				return Policy{}, err
			}
		}
		if !found {
			return Policy{}, at(k, "unknown key %q (known: %s)", k.Value, knownKeys(nil))
		}
	}
	return p, nil
}

func parseSection(p *Policy, section string, v *yaml.Node, leaves []field, at func(*yaml.Node, string, ...any) error) error {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil // "retention:" with nothing under it keeps the defaults
	}
	if v.Kind != yaml.MappingNode {
		return at(v, "%s must be a mapping of keys (%s)", section, knownKeys(leaves))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		lk, lv := v.Content[i], v.Content[i+1]
		if seen[lk.Value] {
			return at(lk, "%s.%s is given twice", section, lk.Value)
		}
		seen[lk.Value] = true
		var f *field
		for j := range leaves {
			if leaves[j].key == lk.Value {
				f = &leaves[j]
			}
		}
		if f == nil {
			return at(lk, "unknown key %q under %s (known: %s)", lk.Value, section, knownKeys(leaves))
		}
		if lv.Kind != yaml.ScalarNode {
			return at(lv, "%s.%s must be a single value", section, lk.Value)
		}
		value := lv.Value
		if lv.Tag == "!!null" {
			value = ""
		}
		if err := f.set(p, value); err != nil {
			return at(lv, "%s.%s: %v", section, lk.Value, err)
		}
	}
	return nil
}

// knownKeys lists the leaves' keys, or the top-level keys for nil.
func knownKeys(leaves []field) string {
	var keys []string
	if leaves == nil {
		for _, s := range sections {
			keys = append(keys, s.key)
		}
	}
	for _, f := range leaves {
		keys = append(keys, f.key)
	}
	return strings.Join(keys, ", ")
}
