package auth

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/lectern-platform/lectern/internal/testfixture"
)

// TestEnsureAdmin_ProcessesStartingAtOnce_PostgreSQL: three processes (three
// services, each its own pool) starting together on a new database all find
// no admin; exactly one creates it and none fails (a failure stops `lectern
// serve`, as it did the second of three processes started at once).
func TestEnsureAdmin_ProcessesStartingAtOnce_PostgreSQL(t *testing.T) {
	dsn := testfixture.PostgresDSN(t)
	testfixture.Open(t, dsn) // migrate once, as the first process would
	ctx := context.Background()
	var services []*Service
	for range 3 {
		services = append(services, NewService(testfixture.Open(t, dsn), slog.New(slog.DiscardHandler), Options{}))
	}
	var wg sync.WaitGroup
	created := make([]*User, len(services))
	errs := make([]error, len(services))
	ready := make(chan struct{})
	for i, s := range services {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			created[i], _, errs[i] = s.EnsureAdmin(ctx, "admin@lectern.example", "a long enough admin password")
		}()
	}
	close(ready)
	wg.Wait()
	n := 0
	for i := range services {
		if errs[i] != nil {
			t.Errorf("process %d: %v", i+1, errs[i])
		}
		if created[i] != nil {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d processes say they created the admin, want 1", n)
	}
	if c, err := services[0].db.CountUsers(ctx, string(RoleAdmin)); err != nil || c != 1 {
		t.Errorf("admins in the database: %d (%v), want 1", c, err)
	}
}
