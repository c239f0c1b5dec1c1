// Package templates carries the html/template pages in the binary.
package templates

import "embed"

// FS holds every page and partial.
//
//go:embed *.html
var FS embed.FS
