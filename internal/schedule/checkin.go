package schedule

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/internal/store"
)

// Check-in codes: six digits derived from the session's secret and the current
// 30-second slot (like TOTP), so every server process agrees without storing codes.
// The previous slot's code is still accepted, for officers typing as it changes.
const (
	// CodeRotation is how long one code is shown; the projector reloads as often.
	CodeRotation     = 30 * time.Second
	checkinEarly     = 60 * time.Minute // the room opens an hour before the start
	lateAfter        = 15 * time.Minute
	maxCheckinErrors = 10
	checkinErrWindow = 10 * time.Minute
)

// CheckinCode is what the projector shows.
type CheckinCode struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
}

func codeFor(secret []byte, slot int64) string {
	mac := hmac.New(sha256.New, secret)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(slot))
	mac.Write([]byte("lectern-checkin"))
	mac.Write(b[:])
	sum := mac.Sum(nil)
	return fmt.Sprintf("%06d", binary.BigEndian.Uint32(sum[:4])%1_000_000)
}

func slotOf(t time.Time) int64 { return t.Unix() / int64(CodeRotation/time.Second) }

// CurrentCode returns the session's code now (its trainers and admins).
func (s *Service) CurrentCode(ctx context.Context, a *auth.Actor, sessionID int64) (*CheckinCode, error) {
	ts, err := Managed(s.db.Read(ctx), a, sessionID, false)
	if err != nil {
		return nil, err
	}
	if ts.Status.Ended() {
		return nil, ErrEnded(ts.Status)
	}
	slot := slotOf(s.Now())
	return &CheckinCode{Code: codeFor(ts.CheckinSecret, slot), ExpiresAt: time.Unix((slot+1)*int64(CodeRotation/time.Second), 0).UTC()}, nil
}

// CheckIn marks an enrolled officer present (or late, after start + 15 min) when
// the code from the room's screen is right and the room is open.
func (s *Service) CheckIn(ctx context.Context, a *auth.Actor, sessionID int64, code string) (*AttendanceRow, error) {
	now := s.Now()
	var out *AttendanceRow
	var wrongCode bool
	err := s.db.Tx(ctx, func(q store.Q) error {
		ts, err := Access{}.Session(q, a, sessionID, auth.ActCheckin, true)
		if err != nil {
			return err
		}
		e, err := q.Enrollment(sessionID, a.UserID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && e.Status != store.Enrolled) {
			return apperr.NotFound("session_enrolment")
		} else if err != nil {
			return err
		}
		failures, err := q.CheckinFailures(sessionID, a.UserID, now.Add(-checkinErrWindow))
		if err != nil {
			return err
		}
		if failures >= maxCheckinErrors {
			return apperr.TooMany(checkinErrWindow, "err.checkin.too_many")
		}
		if ts.Status.Ended() {
			return ErrEnded(ts.Status)
		}
		if now.Before(ts.StartsAt.Add(-checkinEarly)) || !now.Before(ts.EndsAt) {
			return apperr.Conflict("err.checkin.window")
		}
		code = strings.TrimSpace(strings.ReplaceAll(code, " ", ""))
		slot := slotOf(now)
		if !hmac.Equal([]byte(code), []byte(codeFor(ts.CheckinSecret, slot))) && !hmac.Equal([]byte(code), []byte(codeFor(ts.CheckinSecret, slot-1))) {
			wrongCode = true
			return apperr.Invalid("code", "err.checkin.code_wrong")
		}
		status := store.Present
		if now.After(ts.StartsAt.Add(lateAfter)) {
			status = store.Late
		}
		if old, err := q.Attendance(sessionID, a.UserID); err == nil && old.Status.Attended() {
			out = attendanceRow(e, old) // already checked in: keep the first time
			return nil
		}
		out, err = s.mark(q, a, sessionID, e, status, store.ByCheckin)
		return err
	})
	if wrongCode {
		// Recorded outside the refused transaction, which rolled back.
		if rerr := s.db.Tx(ctx, func(q store.Q) error { return q.RecordCheckinFailure(sessionID, a.UserID, now) }); rerr != nil {
			return nil, rerr
		}
	}
	return out, err
}
