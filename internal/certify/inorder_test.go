package certify

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The ZIP's renders run in parallel but come out in order, never more than the
// window at once.
func TestInOrder_OrderAndWindow(t *testing.T) {
	const n, window = 200, 3
	var running, most atomic.Int32
	var got []int
	err := inOrder(t.Context(), n, window, func(i int) ([]byte, error) {
		now := running.Add(1)
		defer running.Add(-1)
		for {
			m := most.Load()
			if now <= m || most.CompareAndSwap(m, now) {
				break
			}
		}
		time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
		return []byte(fmt.Sprint(i)), nil
	}, func(i int, doc []byte) error {
		if string(doc) != fmt.Sprint(i) {
			t.Errorf("write(%d) was handed render %q", i, doc)
		}
		got = append(got, i)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d written, want %d", len(got), n)
	}
	for i, g := range got {
		if g != i {
			t.Fatalf("written out of order: %v", got[:i+1])
		}
	}
	if m := most.Load(); m > window {
		t.Errorf("%d renders at once, window %d", m, window)
	}
	if m := most.Load(); m < 2 {
		t.Errorf("at most %d render at once: not parallel", m)
	}
}

// A render that fails stops the ZIP with its error; those before it are
// written, none after it, and no render is left running.
func TestInOrder_RenderErrorIsReported(t *testing.T) {
	boom := errors.New("render 37 failed")
	var written []int
	var started atomic.Int32
	var mu sync.Mutex
	live := 0
	err := inOrder(t.Context(), 1000, 3, func(i int) ([]byte, error) {
		started.Add(1)
		mu.Lock()
		live++
		mu.Unlock()
		defer func() { mu.Lock(); live--; mu.Unlock() }()
		if i == 37 {
			return nil, boom
		}
		return nil, nil
	}, func(i int, _ []byte) error {
		written = append(written, i)
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if len(written) != 37 || written[36] != 36 {
		t.Errorf("written %d (last %v), want 0…36", len(written), written[len(written)-1:])
	}
	if s := started.Load(); s > 37+3 {
		t.Errorf("%d renders started, the window is 3 past the failure", s)
	}
	mu.Lock()
	defer mu.Unlock()
	if live != 0 {
		t.Errorf("%d renders still running after inOrder returned", live)
	}
}

// A client that leaves (ctx cancelled) stops the renders: few start after it.
func TestInOrder_CancelStopsRenders(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var started atomic.Int32
	err := inOrder(ctx, 1000, 3, func(i int) ([]byte, error) {
		started.Add(1)
		time.Sleep(100 * time.Microsecond)
		return nil, nil
	}, func(i int, _ []byte) error {
		if i == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if s := started.Load(); s > 11+3 {
		t.Errorf("%d renders started after the client left at 11 (window 3)", s)
	}
}

// A write that fails (the connection broke) is returned and stops renders.
func TestInOrder_WriteErrorStops(t *testing.T) {
	broken := errors.New("broken pipe")
	var started atomic.Int32
	err := inOrder(t.Context(), 1000, 3, func(i int) ([]byte, error) {
		started.Add(1)
		return nil, nil
	}, func(i int, _ []byte) error {
		if i == 5 {
			return broken
		}
		return nil
	})
	if !errors.Is(err, broken) {
		t.Fatalf("err = %v, want %v", err, broken)
	}
	if s := started.Load(); s > 6+3 {
		t.Errorf("%d renders started, the write failed at 6 (window 3)", s)
	}
}
