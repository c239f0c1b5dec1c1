package certify

import (
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/store"
)

func TestStatus(t *testing.T) {
	now := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	day := 24 * time.Hour
	for _, tc := range []struct {
		name    string
		stored  store.CertificateStatus
		expires *time.Time
		want    string
	}{
		{"no expiry", store.CertificateValid, nil, "valid"},
		{"far from expiry", store.CertificateValid, at(91 * day), "valid"},
		{"just outside the window", store.CertificateValid, at(ExpiringWindow + time.Second), "valid"},
		{"at the window's start", store.CertificateValid, at(ExpiringWindow), "expiring"},
		{"30 days out", store.CertificateValid, at(30 * day), "expiring"},
		{"one second before expiry", store.CertificateValid, at(time.Second), "expiring"},
		{"at expiry", store.CertificateValid, at(0), "expired"},
		{"past expiry", store.CertificateValid, at(-day), "expired"},
		{"already judged expired", store.CertificateExpired, at(-day), "expired"},
		{"revoked within the window", store.CertificateRevoked, at(10 * day), "revoked"},
		{"revoked past expiry", store.CertificateRevoked, at(-day), "revoked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Status(tc.stored, tc.expires, now); got != tc.want {
				t.Errorf("Status(%s, %v) = %q, want %q", tc.stored, tc.expires, got, tc.want)
			}
		})
	}
}
