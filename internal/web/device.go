package web

import (
	"github.com/labstack/echo/v4"

	"github.com/lectern-platform/lectern/internal/auth"
)

// deviceCookie marks a browser that signed in to an account before: it keeps
// signing in while strangers' wrong passwords have the account throttled
// (auth/device.go). It outlives sign-out on purpose.
const deviceCookie = "lectern_device"

func deviceOf(c echo.Context) string {
	if ck, err := c.Cookie(deviceCookie); err == nil {
		return ck.Value
	}
	return ""
}

// rememberDevice gives the browser that just signed in as u its device cookie.
func (s *Server) rememberDevice(c echo.Context, u *auth.User) error {
	v, err := s.accounts.NewDevice(u)
	if err != nil || v == "" {
		return err
	}
	s.setCookie(c, deviceCookie, v, auth.DeviceLifetime)
	return nil
}
