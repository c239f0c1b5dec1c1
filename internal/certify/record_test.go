package certify

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestMarkDue pins who is due for recertification in a course, and which of
// their certificates says so.
func TestMarkDue(t *testing.T) {
	// entry is "course date status" (dates order them).
	// status "expiring erased" is an expiring one whose holder was erased.
	type entry struct{ course, date, status string }
	cases := []struct {
		name    string
		certs   []entry
		wantDue []string // "course date" of the certificates marked due
	}{
		{"none", nil, nil},
		{"valid", []entry{{"c", "2026-01-01", "valid"}}, nil},
		{"expiring", []entry{{"c", "2024-01-20", "expiring"}}, []string{"c 2024-01-20"}},
		{"expired", []entry{{"c", "2022-01-20", "expired"}}, []string{"c 2022-01-20"}},
		{"renewed", []entry{{"c", "2022-01-20", "expired"}, {"c", "2025-01-20", "valid"}}, nil},
		{"renewed, the new one expiring too", []entry{{"c", "2021-01-20", "expired"}, {"c", "2024-01-20", "expiring"}}, []string{"c 2024-01-20"}},
		{"an older one without expiry still valid", []entry{{"c", "2020-01-20", "valid"}, {"c", "2024-01-20", "expiring"}}, nil},
		{"revoked alone", []entry{{"c", "2026-01-01", "revoked"}}, nil},
		{"revoked after an expired one", []entry{{"c", "2022-01-20", "expired"}, {"c", "2026-01-01", "revoked"}}, []string{"c 2022-01-20"}},
		{"erased holder", []entry{{"c", "2024-01-20", "expiring erased"}}, nil},
		{"two courses", []entry{{"a", "2022-01-20", "expired"}, {"b", "2026-01-20", "valid"}, {"b", "2023-01-20", "expired"}}, []string{"a 2022-01-20"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := &RecordOfficer{}
			for _, e := range c.certs {
				status, erased := strings.CutSuffix(e.status, " erased")
				c := Certificate{CourseID: e.course, SessionDate: e.date, Status: status}
				if erased {
					at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
					c.ErasedAt = &at
				}
				o.Certificates = append(o.Certificates, RecordEntry{Certificate: c})
			}
			markDue(o)
			var got []string
			for i, e := range o.Certificates {
				if i > 0 && e.SessionDate > o.Certificates[i-1].SessionDate {
					t.Errorf("not newest first: %s after %s", e.SessionDate, o.Certificates[i-1].SessionDate)
				}
				if e.Due {
					got = append(got, e.CourseID+" "+e.SessionDate)
				}
			}
			if !slices.Equal(got, c.wantDue) || o.Due != (len(c.wantDue) > 0) {
				t.Errorf("due %q (officer %v), want %q", got, o.Due, c.wantDue)
			}
		})
	}
}

func TestRecordFilter_Keeps(t *testing.T) {
	e := RecordEntry{Certificate: Certificate{CourseID: "crypto-crime", Status: StatusExpiring}, Due: true}
	for _, c := range []struct {
		f    RecordFilter
		want bool
	}{
		{RecordFilter{}, true},
		{RecordFilter{Course: "crypto-crime"}, true},
		{RecordFilter{Course: "aml"}, false},
		{RecordFilter{Status: StatusExpiring}, true},
		{RecordFilter{Status: "valid"}, false},
		{RecordFilter{Status: StatusDue}, true},
		{RecordFilter{Course: "aml", Status: StatusDue}, false},
	} {
		if got := c.f.keeps(e); got != c.want {
			t.Errorf("%+v keeps %v, want %v", c.f, got, c.want)
		}
	}
}

// An agency's ZIP names each file by holder, course, date and serial.
func TestFileName_CourseAndDate(t *testing.T) {
	c := &Certificate{Serial: "ABC", HolderName: "דניאל כהן", LatinName: "Daniel Cohen", CourseID: "crypto-crime", SessionDate: "2026-12-03"}
	if got, want := fileName(c, "", "", c.CourseID, c.SessionDate), "Cohen_Daniel_crypto-crime_2026-12-03_ABC.pdf"; got != want {
		t.Errorf("file name %q, want %q", got, want)
	}
	if got, want := FileName(c, "", ""), "Cohen_Daniel_ABC.pdf"; got != want {
		t.Errorf("a session ZIP's file name %q, want %q", got, want)
	}
}
