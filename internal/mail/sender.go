package mail

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/lectern-platform/lectern/internal/store"
)

// Sender delivers the outbox. Several senders (one per process) may share a
// database: each message is claimed by exactly one of them before it is sent.
type Sender struct {
	db   *store.DB
	smtp *SMTPConfig
	log  *slog.Logger
	// Now is the clock; tests move it forward to reach a retry.
	Now func() time.Time
	// Interval is how often the outbox is polled.
	Interval time.Duration
	// MaxAttempts is how many attempts a message gets before it is marked failed.
	MaxAttempts int
	// Batch is how many due messages one pass takes.
	Batch int
	// Lease is how long a claimed message is left to its sender before another
	// may retry it (a sender that died mid-attempt). It must outlast one attempt.
	Lease time.Duration
	// Metrics, when set, counts each delivery attempt once its outcome is recorded.
	Metrics Metrics
}

// Metrics counts delivery attempts by result: "sent", "retry" or "failed";
// *metrics.Metrics is one.
type Metrics interface {
	EmailAttempt(result string)
}

// NewSender returns a sender through smtp; with smtp nil, Run only says that
// messages stay queued. metrics may be nil (nothing is counted).
func NewSender(db *store.DB, smtp *SMTPConfig, metrics Metrics, log *slog.Logger) *Sender {
	return &Sender{db: db, smtp: smtp, log: log, Metrics: metrics, Now: func() time.Time { return time.Now().UTC() },
		Interval: 5 * time.Second, MaxAttempts: 10, Batch: 50, Lease: 10 * time.Minute}
}

// Backoff is the wait after the n-th failed attempt: 1, 2, 4, … minutes, at most
// an hour.
func Backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	if n > 7 {
		return time.Hour
	}
	return min(time.Minute<<(n-1), time.Hour)
}

// Run sends due messages until ctx ends, finishing the message in hand.
func (s *Sender) Run(ctx context.Context) {
	if s.smtp == nil {
		s.log.Warn("no SMTP server configured (LECTERN_SMTP_URL): e-mails stay queued in the outbox, where admins can read them at /admin/outbox")
		return
	}
	s.log.Info("sending e-mail", "smtp", s.smtp.String())
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		if _, err := s.SendDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("send e-mail", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SendDue makes one pass: every message due now is claimed, sent and recorded.
// It returns how many were sent.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	if s.smtp == nil {
		return 0, nil
	}
	now := s.Now().UTC()
	ids, err := s.db.DueOutbox(ctx, now, s.Batch)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	k := &conn{cfg: s.smtp}
	defer k.close()
	sent := 0
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		ok, err := s.attempt(ctx, k, id, now)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// attempt claims one message and tries to send it. The SMTP exchange and the
// recording of its outcome are not cut short by ctx: a shutdown waits for the
// message in hand rather than leave it to be sent again after its lease.
func (s *Sender) attempt(ctx context.Context, k *conn, id int64, now time.Time) (bool, error) {
	n, err := s.db.ClaimOutbox(ctx, id, now, now.Add(s.Lease))
	if err != nil || n == 0 {
		return false, err // n == 0: another sender has it
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*s.smtp.timeout())
	defer cancel()
	m, err := s.db.OutboxMessage(ctx, id)
	if err != nil {
		return false, err
	}
	msg, err := s.smtp.mime(m, now)
	if err == nil {
		err = k.send(ctx, msg)
	}
	log := s.log.With("outbox_id", m.ID, "kind", m.Kind, "user_id", m.UserID, "attempt", n)
	if err == nil {
		at := s.Now().UTC()
		if err := s.db.FinishOutbox(ctx, id, n, store.OutboxSent, at, "", &at); err != nil {
			return false, err
		}
		s.count("sent")
		log.Info("e-mail sent")
		return true, nil
	}
	status, next := store.OutboxQueued, now.Add(Backoff(n))
	if n >= s.MaxAttempts {
		status = store.OutboxFailed
	}
	if ferr := s.db.FinishOutbox(ctx, id, n, status, next, truncate(err.Error(), 1000), nil); ferr != nil {
		return false, fmt.Errorf("%w (after the send failed: %v)", ferr, err)
	}
	if status == store.OutboxFailed {
		s.count("failed")
		log.Error("e-mail failed for good", "err", err)
	} else {
		s.count("retry")
		log.Warn("e-mail not sent; will retry", "err", err, "next_attempt_at", next)
	}
	return false, nil
}

func (s *Sender) count(result string) {
	if s.Metrics != nil {
		s.Metrics.EmailAttempt(result)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 { // not in the middle of a UTF-8 sequence
		n--
	}
	return s[:n] + "…"
}
