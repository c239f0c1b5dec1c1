package app

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/lectern-platform/lectern/internal/testfixture"
)

// TestPrerender_FirstZIPAfterACloseRendersNothing: closing a day hands its
// certificates to the pre-render (serve runs Prerender), which renders and
// caches them in the background after the close commits; the coordinator's
// first ZIP then renders none of them. Without the pre-render the wait below
// times out (nothing rendered) and the ZIP renders all of them.
func TestPrerender_FirstZIPAfterACloseRendersNothing(t *testing.T) {
	ctx := context.Background()
	a, _, library := certifyingApp(t, testfixture.SQLite(t))
	const n = 5
	admin, s, _ := dayToClose(t, a, library, n, 0)

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); a.Certs.Prerender(runCtx) }()
	t.Cleanup(func() { stop(); <-done })

	issued, err := a.Certs.CloseSession(ctx, admin, s.ID)
	if err != nil || issued != n {
		t.Fatalf("close: %d issued, %v; want %d", issued, err, n)
	}
	const wait = 60 * time.Second
	deadline := time.Now().Add(wait)
	for a.Certs.Rendered() < n || countCached(t, a) < n {
		if time.Now().After(deadline) {
			t.Fatalf("after %s %d of %d certificates pre-rendered, %d cached", wait, a.Certs.Rendered(), n, countCached(t, a))
		}
		time.Sleep(20 * time.Millisecond)
	}
	before := a.Certs.Rendered()
	ex, err := a.Certs.PrepareExport(ctx, admin, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Certs.WriteZIP(ctx, io.Discard, ex, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := a.Certs.Rendered() - before; got != 0 {
		t.Errorf("the first ZIP after the close rendered %d of %d certificates, want 0 (pre-rendered)", got, n)
	}
}

func countCached(t *testing.T, a *App) int64 {
	t.Helper()
	var n int64
	if err := a.db.R.Raw("SELECT COUNT(*) FROM certificate_pdfs").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
