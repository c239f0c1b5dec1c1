// Package mail owns Lectern's e-mail: the outbox every message goes through, the
// templated messages (a plain-text and an HTML part, in the recipient's language),
// and the sender that delivers the outbox through SMTP with retries.
//
// # Nothing is lost
//
// A message is never sent directly. It is written to the outbox table with
// [Enqueue], inside the transaction of the change it reports (an enrolment, a
// cancellation, an issued certificate, an invitation), so the change and its
// e-mail are committed together or not at all. The [Sender] then delivers what is
// due. Without an SMTP server configured, messages stay queued and admins read them
// at /admin/outbox (an invitation link can be copied from there and handed over).
//
// # Writing a message
//
// A [Mailer] renders the typed messages; every method takes the caller's store.Q so
// it runs in the caller's transaction. A nil *Mailer does nothing, so a domain
// service without e-mail (tests, tools) needs no checks:
//
//	m := mail.NewMailer(catalog, "https://lectern.example.org")
//	err := db.Tx(ctx, func(q store.Q) error {
//		// … create the user and the token …
//		return m.Invitation(q, user, link, expiresAt)
//	})
//
// The recipient's language is the one the user chose, else the one observed when
// they activated their account (their browser's first; store.Q.SetUserLanguage),
// else their agency's country's (i18n.CountryLanguage: an officer invited by a
// Brazilian agency reads Portuguese before ever signing in), else the course's
// language for session messages, else the Mailer's default (English):
// i18n.Catalog.LanguageOf with no request, the rule pages use; the best available
// catalogue of internal/i18n is used. Dates, times and countries are written in
// that language, the course title in its translation when the course has one, and
// a session's .ics attachment (a Calendar) is made in it too.
//
// # SMTP URL
//
// LECTERN_SMTP_URL (or `lectern serve --smtp-url`) names the server:
//
//	smtp://USER:PASSWORD@HOST[:PORT]?from=Lectern%20<noreply@example.org>
//	smtps://USER:PASSWORD@HOST[:PORT]?from=noreply@example.org
//
// In detail:
//   - smtp:// connects to port 587 by default and requires STARTTLS before
//     anything else is said; smtps:// connects to port 465 by default with
//     implicit TLS.
//   - USER and PASSWORD are optional; percent-encode reserved characters in them
//     (an "@" in a user name is "%40"). Credentials are only ever sent over TLS;
//     the mechanism is the strongest the server offers (SCRAM, CRAM-MD5, PLAIN,
//     LOGIN), or the one named by auth=plain|login|cram-md5|scram-sha-256.
//   - from= is the sender, with or without a display name (percent-encoded or as
//     is); it defaults to USER when USER is an e-mail address.
//   - tls=opportunistic uses STARTTLS only when offered, and tls=none never: for a
//     relay on localhost or a mail catcher (smtp://localhost:1025?tls=none&from=…).
//
// # Delivery
//
// The sender polls every few seconds for queued messages whose next attempt is
// due, claims each with one guarded UPDATE (so several `lectern serve` processes
// sharing a PostgreSQL database never send the same message twice), and sends it.
// A failed attempt is retried after 1, 2, 4, … minutes, at most an hour apart; after
// MaxAttempts (10: about seven hours) the message is marked failed and stays
// visible with its last error. Every message keeps one Message-ID across retries,
// so a receiving server can drop a duplicate if a process dies between sending and
// recording the result.
package mail
