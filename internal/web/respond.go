package web

import (
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"
)

// jsonOrError is how an API handler ends after its one domain call: the
// answer as JSON with status, or the call's error for handleError to map.
func jsonOrError(c echo.Context, status int, out any, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(status, out)
}

// createdOrOK is the status of a create that may find its thing already
// there (an enrollment, a started attempt): 201 when made now, else 200.
func createdOrOK(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// setAttachment names a download; non-ASCII names are encoded (RFC 6266/2231).
func setAttachment(c echo.Context, name string) {
	c.Response().Header().Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name}))
}
