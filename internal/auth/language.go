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
// replacing the one recorded when they activated their account; from then on
// it beats the browser's cookie and Accept-Language (i18n.Catalog.LanguageOf).
// lang is one the caller offers (web checks it against the catalogues); auth
// only refuses what is not a language tag at all. The change is audited with
// the language it replaced; choosing the same one again changes nothing.
func (s *Service) SetLanguage(ctx context.Context, a *Actor, lang string) error {
	if a == nil {
		return apperr.Unauthorized("err.auth.sign_in_first")
	}
	return s.chooseLanguage(ctx, a.UserID, lang, true)
}

// AdoptLanguage makes lang, chosen in the sign-in page's selector before the
// user signed in (the cookie), their account's choice, unless they have made
// one already: a choice made on the account elsewhere is not overridden by
// whatever this browser's cookie holds. Audited as SetLanguage.
func (s *Service) AdoptLanguage(ctx context.Context, userID int64, lang string) error {
	return s.chooseLanguage(ctx, userID, lang, false)
}

func (s *Service) chooseLanguage(ctx context.Context, userID int64, lang string, replace bool) error {
	if _, err := language.Parse(lang); err != nil || len(lang) > 35 {
		return apperr.Invalid("language", "err.language.unknown", "Language", lang)
	}
	now := s.now()
	changed := false
	err := s.db.Tx(ctx, func(q store.Q) error {
		before, chosen, err := q.UserLanguage(userID)
		if err != nil || (chosen && (before == lang || !replace)) {
			return err
		}
		if err := q.ChooseUserLanguage(userID, lang); err != nil {
			return err
		}
		changed = true
		was, err := json.Marshal(map[string]string{"language": before})
		if err != nil {
			return err
		}
		is, err := json.Marshal(map[string]string{"language": lang})
		if err != nil {
			return err
		}
		return q.Audit(&store.AuditEvent{At: now, ActorID: &userID, Action: "user.language", UserID: &userID, Before: string(was), After: string(is)})
	})
	if err != nil {
		return fmt.Errorf("set user %d language: %w", userID, err)
	}
	if changed {
		// The next request reads the actor, with its language, afresh.
		s.ForgetUser(userID)
	}
	return nil
}
