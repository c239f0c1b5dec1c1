package apperr

import (
	"fmt"
	"strings"

	"github.com/lectern-platform/lectern/internal/i18n"
)

// Msg is one message of the errors catalogue: its id and the values of its
// {{.Name}} placeholders as key/value pairs ("Count", 3), the way
// i18n.Localizer.T takes them. A value that is Localized — itself a Msg (a
// problem found inside another, such as a paper sheet's answer), or
// i18n.Characters (scripts' names) — is worded with it in the reader's language.
type Msg struct {
	ID   string
	Args []any
}

// Localized is a message argument worded in the reader's language when its
// message is, rather than printed as it is: the domain passes what it knows
// (a message id, a script's code), the web layer's localizer words it.
type Localized interface {
	In(l *i18n.Localizer) string
}

// In is the message in l's language.
func (m Msg) In(l *i18n.Localizer) string {
	if l == nil {
		return m.ID
	}
	kv := make([]any, len(m.Args))
	for i, a := range m.Args {
		if inner, ok := a.(Localized); ok {
			a = inner.In(l)
		}
		kv[i] = a
	}
	return l.T(m.ID, kv...)
}

// String is the message in English, the source language: what logs and
// Error() read. Without a catalogue it is the id and its arguments.
func (m Msg) String() string {
	if en := i18n.English(); en != nil {
		return m.In(en)
	}
	var b strings.Builder
	b.WriteString(m.ID)
	for i := 0; i+1 < len(m.Args); i += 2 {
		fmt.Fprintf(&b, " %v=%v", m.Args[i], m.Args[i+1])
	}
	return b.String()
}

// ArgMap is the arguments by name, for clients that localise the message
// themselves (the API's "args"). A nested message appears whole, as
// {"id": …, "args": {…}} ("args" left out when it has none), so a client can
// word it with its own values as the server did.
func (m Msg) ArgMap() map[string]any {
	if len(m.Args) < 2 {
		return nil
	}
	out := make(map[string]any, len(m.Args)/2)
	for i := 0; i+1 < len(m.Args); i += 2 {
		v := m.Args[i+1]
		if inner, ok := v.(Msg); ok {
			nested := map[string]any{"id": inner.ID}
			if args := inner.ArgMap(); args != nil {
				nested["args"] = args
			}
			v = nested
		}
		out[fmt.Sprint(m.Args[i])] = v
	}
	return out
}

// Message is the message id with its key/value arguments, for errors that are
// not domain errors but still speak to a person (the web layer's refusals of a
// malformed request).
func Message(id string, kv ...any) Msg { return Msg{ID: id, Args: kv} }
