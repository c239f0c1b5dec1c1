// Package apperr defines the errors the domain packages return: a code a person
// or a client can act on, a message, and field details. It knows nothing of HTTP;
// the web layer maps each code to a status in one place.
//
// Messages are ids of the errors catalogue (internal/i18n/locales/errors.en.json)
// with the values of their {{.Name}} placeholders, never English text: the web
// layer shows them in the reader's language, and Error() — for logs and wrapped
// errors — reads the English catalogue, so each sentence is written once.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies a domain error.
type Code string

const (
	CodeInvalid      Code = "invalid"      // the input breaks a rule; see Details
	CodeNotFound     Code = "not_found"    // missing, or not visible to the caller
	CodeConflict     Code = "conflict"     // clashes with the current state
	CodeUnauthorized Code = "unauthorized" // not signed in, or bad credentials
	CodeForbidden    Code = "forbidden"    // signed in, but the role may not do this
	CodeTooMany      Code = "too_many_requests"
)

// FieldError names one bad field (or CSV row) and what is wrong with it.
type FieldError struct {
	Row   int
	Field string
	Msg
}

// Error is a domain error.
type Error struct {
	Code Code
	Msg
	Details    []FieldError
	RetryAfter time.Duration // for CodeTooMany
}

func (e *Error) Error() string {
	if len(e.Details) > 0 {
		return fmt.Sprintf("%s: %s (%s: %s)", e.Code, e.Msg, e.Details[0].Field, e.Details[0].Msg)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Msg)
}

// WithField adds a field's own message to e, for errors that are not CodeInvalid
// but still point at one field (the second factor's code on a sign-in).
func (e *Error) WithField(field, id string, kv ...any) *Error {
	e.Details = append(e.Details, FieldError{Field: field, Msg: Msg{ID: id, Args: kv}})
	return e
}

// As returns the domain error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool {
	e, ok := As(err)
	return ok && e.Code == code
}

// NotFound says thing is missing: its message is "err.not_found.THING", one whole
// sentence per thing, so that a language whose words agree in gender or case
// with the thing says it right.
func NotFound(thing string) *Error {
	return &Error{Code: CodeNotFound, Msg: Msg{ID: "err.not_found." + thing}}
}

func Conflict(id string, kv ...any) *Error {
	return &Error{Code: CodeConflict, Msg: Msg{ID: id, Args: kv}}
}

func Unauthorized(id string, kv ...any) *Error {
	return &Error{Code: CodeUnauthorized, Msg: Msg{ID: id, Args: kv}}
}

func Forbidden(id string, kv ...any) *Error {
	return &Error{Code: CodeForbidden, Msg: Msg{ID: id, Args: kv}}
}

func TooMany(retryAfter time.Duration, id string, kv ...any) *Error {
	return &Error{Code: CodeTooMany, Msg: Msg{ID: id, Args: kv}, RetryAfter: retryAfter}
}

// Fields collects field errors while validating; Err returns nil if there are none.
type Fields []FieldError

// Add records that field breaks the rule the message id says, with the values
// of the message's placeholders as key/value pairs.
func (f *Fields) Add(field, id string, kv ...any) {
	*f = append(*f, FieldError{Field: field, Msg: Msg{ID: id, Args: kv}})
}

func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Msg: Msg{ID: "err.fields_invalid"}, Details: f}
}

// Invalid is a one-field validation error.
func Invalid(field, id string, kv ...any) *Error {
	var f Fields
	f.Add(field, id, kv...)
	return f.Err().(*Error)
}

// JoinInvalid reports every field problem of several validations at once: the
// field errors of invalid ones are merged; any other error wins as it is.
func JoinInvalid(errs ...error) error {
	var f Fields
	for _, err := range errs {
		if err == nil {
			continue
		}
		e, ok := As(err)
		if !ok || e.Code != CodeInvalid {
			return err
		}
		f = append(f, e.Details...)
	}
	return f.Err()
}
