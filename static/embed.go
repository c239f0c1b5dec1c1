// Package static carries the stylesheet, scripts, fonts and icons in the binary;
// pages load nothing from other hosts.
package static

import "embed"

// FS holds the files served under /static/.
//
//go:embed css js
var FS embed.FS
