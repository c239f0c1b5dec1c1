package web

import (
	"compress/gzip"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// compressMinLength is the smallest body worth gzipping: below it the header,
// the trailer and the CPU cost more than they save (an autosave's answer is
// about 100 bytes; a page or the stylesheet are kilobytes).
const compressMinLength = 1024

// compress gzips what a browser on venue Wi-Fi gains from: pages, CSS, JS, SVG,
// JSON, CSV, calendars, error pages. Plain gzip: brotli would save another few
// hundred bytes of the stylesheet, which browsers fetch once per version, for a
// dependency and more CPU per page. BestSpeed: its writer resets almost for
// free, where the default level clears 640 KB of tables on every request, also
// the small ones it then sends plain (BENCHMARKS.md); the stylesheet is 9.8 KB
// instead of 7.6 KB.
func compress() echo.MiddlewareFunc {
	return middleware.GzipWithConfig(middleware.GzipConfig{
		Skipper:   skipCompression,
		Level:     gzip.BestSpeed,
		MinLength: compressMinLength,
	})
}

// uncompressedRoutes answer PDFs under a path without an extension, compress
// by themselves (the metrics), or always answer less than compressMinLength:
// autosave, the hottest route, then skips the middleware's pooled writer too.
var uncompressedRoutes = map[string]bool{
	"/api/v1/attempts/:id/answers/:question": true,
	"/api/v1/sessions/:id/slips":             true,
	"/sessions/:id/slips":                    true,
	"/metrics":                               true,
}

// compressedExtensions name formats compressed already: static files, course
// assets, certificates (.pdf), the paper quiz, the check-in QR code, and the
// certificates ZIP — which also streams for minutes with a sliding write
// deadline, so it must reach the connection as written.
var compressedExtensions = map[string]bool{
	".pdf": true, ".zip": true, ".gz": true, ".png": true, ".jpg": true, ".jpeg": true,
	".gif": true, ".webp": true, ".woff": true, ".woff2": true, ".ico": true,
}

// skipCompression decides before the handler runs, by route and file name. It
// also leaves alone HEAD (it has no body to compress, and keeps its
// Content-Length) and range requests, whose byte ranges count the plain file.
func skipCompression(c echo.Context) bool {
	r := c.Request()
	if r.Method == http.MethodHead || r.Header.Get("Range") != "" {
		return true
	}
	return uncompressedRoutes[c.Path()] || compressedExtensions[strings.ToLower(path.Ext(r.URL.Path))]
}
