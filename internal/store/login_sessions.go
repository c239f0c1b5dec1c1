package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// LoginKind is the client a login session signs in: a browser (cookie) or an
// API client (bearer token).
type LoginKind string

const (
	LoginBrowser LoginKind = "browser"
	LoginAPI     LoginKind = "api"
)

// LoginSession is a signed-in browser or API client. Only the hash of its token
// is stored, so a copy of the database cannot be used to sign in.
type LoginSession struct {
	TokenHash  string `gorm:"primaryKey"`
	UserID     int64
	User       *User
	Kind       LoginKind
	ClientIP   string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	// Kept: the person said the device is their own, so the idle timeout
	// (meant for shared and borrowed devices) does not end it before
	// ExpiresAt (auth.Credentials.Keep).
	Kept bool
}

func (db *DB) CreateLoginSession(ctx context.Context, s *LoginSession) error {
	if err := db.write(ctx, func(g *gorm.DB) error { return g.Create(s).Error }); err != nil {
		return fmt.Errorf("create login session: %w", translate(err))
	}
	return nil
}

// LoginSession returns an unexpired session with its user.
func (db *DB) LoginSession(ctx context.Context, tokenHash string, now time.Time) (*LoginSession, error) {
	var s LoginSession
	err := db.R.WithContext(ctx).Preload("User").Where("token_hash = ? AND expires_at > ?", tokenHash, now).Take(&s).Error
	if err != nil {
		return nil, fmt.Errorf("load login session: %w", translate(err))
	}
	return &s, nil
}

// TouchLoginSession records a session's latest activity (for idle logout).
func (db *DB) TouchLoginSession(ctx context.Context, tokenHash string, at time.Time) error {
	if err := db.write(ctx, func(g *gorm.DB) error {
		return g.Model(&LoginSession{}).Where("token_hash = ?", tokenHash).Update("last_seen_at", at).Error
	}); err != nil {
		return fmt.Errorf("touch login session: %w", err)
	}
	return nil
}

// DeleteLoginSession revokes one session (logout).
func (db *DB) DeleteLoginSession(ctx context.Context, tokenHash string) error {
	if err := db.write(ctx, func(g *gorm.DB) error { return g.Where("token_hash = ?", tokenHash).Delete(&LoginSession{}).Error }); err != nil {
		return fmt.Errorf("delete login session: %w", err)
	}
	return nil
}

// DeleteLoginSessions signs a user out everywhere (after a password reset).
func (q Q) DeleteLoginSessions(userID int64) error {
	if err := q.g.Where("user_id = ?", userID).Delete(&LoginSession{}).Error; err != nil {
		return fmt.Errorf("sign out user %d: %w", userID, err)
	}
	return nil
}
