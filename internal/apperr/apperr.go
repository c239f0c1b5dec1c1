// Package apperr defines the errors the domain packages return: a code a person
// or a client can act on, a message, and field details. It knows nothing of HTTP;
// the web layer maps each code to a status in one place.
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
	Row     int    `json:"row,omitempty"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a domain error.
type Error struct {
	Code       Code
	Message    string
	Details    []FieldError
	RetryAfter time.Duration // for CodeTooMany
}

func (e *Error) Error() string {
	if len(e.Details) > 0 {
		return fmt.Sprintf("%s: %s (%s: %s)", e.Code, e.Message, e.Details[0].Field, e.Details[0].Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
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

func NotFound(what string) *Error { return &Error{Code: CodeNotFound, Message: what + " not found"} }

func Conflict(msg string) *Error { return &Error{Code: CodeConflict, Message: msg} }

func Unauthorized(msg string) *Error { return &Error{Code: CodeUnauthorized, Message: msg} }

func Forbidden(msg string) *Error { return &Error{Code: CodeForbidden, Message: msg} }

func TooMany(msg string, retryAfter time.Duration) *Error {
	return &Error{Code: CodeTooMany, Message: msg, RetryAfter: retryAfter}
}

// Fields collects field errors while validating; Err returns nil if there are none.
type Fields []FieldError

func (f *Fields) Add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Message: "some fields are not valid", Details: f}
}

// Invalid is a one-field validation error.
func Invalid(field, format string, args ...any) *Error {
	var f Fields
	f.Add(field, format, args...)
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
