package auth

import (
	"context"
	"encoding/json"
	"fmt"

	"golang.org/x/text/language"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/store"
)

// SetLanguage saves the language the actor chose to read pages and e-mails in,
// replacing the one recorded when they activated their account. lang is one
// the caller offers (web checks it against the catalogues); auth only refuses
// what is not a language tag at all. The change is audited with the language
// it replaced; choosing the same one again changes nothing.
func (s *Service) SetLanguage(ctx context.Context, a *Actor, lang string) error {
	if a == nil {
		return apperr.Unauthorized("err.auth.sign_in_first")
	}
	if _, err := language.Parse(lang); err != nil || len(lang) > 35 {
		return apperr.Invalid("language", "err.language.unknown", "Language", lang)
	}
	now := s.now()
	err := s.db.Tx(ctx, func(q store.Q) error {
		before, err := q.UserLanguage(a.UserID)
		if err != nil || before == lang {
			return err
		}
		if err := q.ChooseUserLanguage(a.UserID, lang); err != nil {
			return err
		}
		was, err := json.Marshal(map[string]string{"language": before})
		if err != nil {
			return err
		}
		is, err := json.Marshal(map[string]string{"language": lang})
		if err != nil {
			return err
		}
		return q.Audit(&store.AuditEvent{At: now, ActorID: &a.UserID, Action: "user.language", UserID: &a.UserID, Before: string(was), After: string(is)})
	})
	if err != nil {
		return fmt.Errorf("set user %d language: %w", a.UserID, err)
	}
	// The next request reads the actor, with its language, afresh.
	s.forgetUser(a.UserID)
	return nil
}
