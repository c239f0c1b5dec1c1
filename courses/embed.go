// Package courses carries the shipped courses in the binary, so that
// `lectern serve` has something to teach with zero configuration.
package courses

import "embed"

// FS holds one folder per course.
//
//go:embed */*
var FS embed.FS
