package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/static"
)

// routes is the one table of every URL Lectern answers. Who may do what is
// decided by auth.Authorize inside the domain services (and, for pages that only
// read the course library, in the handler); requireActor only turns anonymous API
// calls away early with a 401.
func (s *Server) routes() {
	e := s.echo
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(compress(), s.logRequests, s.recoverPanics, securityHeaders, s.serverDate, middleware.BodyLimit("1M"), s.authenticate, s.csrf)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metricsEndpoint) // 404 unless LECTERN_METRICS_TOKEN is set; then bearer of it only
	e.GET("/.well-known/lectern-signing-key", s.signingKey)
	assets := echo.WrapHandler(http.StripPrefix("/static/", staticFiles(static.FS)))
	e.GET("/static/*", assets)
	e.HEAD("/static/*", assets)
	e.GET("/attempts/sw.js", quizServiceWorker) // the quiz page's offline copy; scope /attempts/

	// Browser pages.
	e.GET("/login", s.loginPage)
	e.POST("/login", s.loginSubmit)
	e.POST("/login/code", s.loginCodeSubmit, perAddressLimit()) // carries a pending sign-in's one-time token
	e.POST("/logout", s.logoutSubmit)
	e.GET("/account/security", s.securityPage)
	e.POST("/account/security/start", s.securityStart)
	e.POST("/account/security/confirm", s.securityConfirm)
	e.POST("/account/security/disable", s.securityDisable)
	e.GET("/privacy", s.privacyPage)
	// Links that carry a one-time token: throttled per client address, so the
	// 80-bit tokens cannot be searched.
	onboard := e.Group("", perAddressLimit())
	onboard.GET("/activate", s.activateCodePage)
	onboard.POST("/activate", s.activateCodeSubmit)
	onboard.GET("/activate/:token", s.activatePage)
	onboard.POST("/activate/:token", s.activateSubmit)
	onboard.GET("/reset", s.resetRequestPage)
	onboard.POST("/reset", s.resetRequestSubmit)
	onboard.GET("/reset/:token", s.resetPage)
	onboard.POST("/reset/:token", s.resetSubmit)
	e.GET("/", s.dashboard)
	e.GET("/courses", s.listCourses)
	e.GET("/courses/:course", s.showCourse)
	e.GET("/courses/:course/assets/*", s.courseAsset)
	e.GET("/courses/:course/:module", s.showModule)
	e.GET("/admin/agencies", s.agenciesPage)
	e.POST("/admin/agencies", s.agenciesSubmit)
	e.GET("/admin/users", s.usersPage)
	e.POST("/admin/users", s.usersSubmit)
	e.GET("/agency/officers", s.officersPage)
	e.POST("/agency/officers", s.officersSubmit)
	e.GET("/admin/audit", s.auditPage)
	e.GET("/admin/outbox", s.outboxPage)
	e.GET("/sessions", s.sessionsPage)
	e.GET("/sessions/new", s.newSessionPage)
	e.POST("/sessions/new", s.newSessionSubmit)
	e.GET("/sessions/:id", s.sessionPage) // also /sessions/{id}.ics
	e.POST("/sessions/:id/enrol", s.enrolSubmit)
	e.POST("/sessions/:id/unenrol", s.unenrolSubmit)
	e.POST("/sessions/:id/cancel", s.cancelSubmit)
	e.POST("/sessions/:id/close", s.closeSubmit)
	e.POST("/sessions/:id/certificates/:serial/revoke", s.revokeSubmit)
	e.POST("/sessions/:id/slips", s.slipsPDF)
	e.GET("/sessions/:id/roster", s.rosterPage)
	e.POST("/sessions/:id/roster", s.rosterSubmit)
	e.GET("/sessions/:id/attendance", s.attendancePage)
	e.POST("/sessions/:id/attendance/:user_id", s.attendanceSubmit)
	e.GET("/sessions/:id/checkin", s.checkinPage)
	e.POST("/sessions/:id/checkin", s.checkinSubmit)
	e.GET("/sessions/:id/projector", s.projectorPage)
	e.GET("/sessions/:id/checkin-qr.png", s.checkinQR)
	e.GET("/calendar/:token", s.calendarFeed)
	e.POST("/calendar/rotate", s.rotateCalendarSubmit)
	verify := e.Group("/verify", perAddressLimit()) // a room scanning its certificates at once fits in the burst
	verify.GET("/:serial", s.verifyPage)            // also /verify/{serial}.json
	e.GET("/sessions/:id/quizzes", s.quizzesPage)
	e.GET("/sessions/:id/audit", s.sessionAuditPage)
	e.POST("/sessions/:id/quizzes/:quiz/start", s.startQuizSubmit)
	e.POST("/sessions/:id/quizzes/:quiz/open", s.openQuizSubmit)
	e.POST("/sessions/:id/quizzes/:quiz/close", s.closeQuizSubmit)
	e.GET("/sessions/:id/quizzes/:quiz/regrade", s.regradePage)
	e.POST("/sessions/:id/quizzes/:quiz/regrade", s.regradeSubmit)
	e.GET("/sessions/:id/quizzes/:quiz/officers", s.quizOfficersPage)
	e.POST("/sessions/:id/quizzes/:quiz/officers/:user/grant", s.grantAttemptsSubmit)
	e.POST("/sessions/:id/quizzes/:quiz/attempts/:attempt/extend", s.extendAttemptSubmit)
	e.POST("/sessions/:id/quizzes/:quiz/attempts/:attempt/reopen", s.reopenAttemptSubmit)
	e.POST("/sessions/:id/quizzes/:quiz/attempts/:attempt/accept-late", s.acceptLateSubmit)
	e.GET("/sessions/:id/quizzes/:quiz/paper/:user", s.paperPage)
	e.POST("/sessions/:id/quizzes/:quiz/paper/:user", s.paperSubmit)
	e.GET("/sessions/:id/results", s.resultsPage)
	e.GET("/attempts/:id", s.attemptPage)
	e.POST("/attempts/:id", s.attemptSubmit)

	// JSON API.
	api := e.Group("/api/v1")
	api.POST("/auth/login", s.apiLogin)
	v1 := api.Group("", requireActor)
	v1.POST("/auth/logout", s.apiLogout)
	v1.GET("/auth/csrf", s.apiCSRFToken)
	v1.GET("/me", s.apiMe)
	v1.POST("/agencies", s.apiCreateAgency)
	v1.GET("/agencies", s.apiListAgencies)
	v1.GET("/agencies/:id", s.apiGetAgency)
	v1.POST("/users", s.apiCreateUser)
	v1.GET("/users", s.apiListUsers)
	v1.GET("/users/:id", s.apiGetUser)
	v1.POST("/sessions", s.apiCreateSession)
	v1.GET("/sessions", s.apiListSessions)
	v1.GET("/sessions/:id", s.apiGetSession)
	v1.PATCH("/sessions/:id", s.apiUpdateSession)
	v1.POST("/sessions/:id/cancel", s.apiCancelSession)
	v1.POST("/sessions/:id/enrollments", s.apiEnroll)
	v1.GET("/sessions/:id/enrollments", s.apiListEnrollments)
	v1.PATCH("/sessions/:id/enrollments/:user_id", s.apiUpdateEnrollment)
	v1.DELETE("/sessions/:id/enrollments/:user_id", s.apiUnenroll)
	v1.GET("/sessions/:id/attendance", s.apiListAttendance)
	v1.PUT("/sessions/:id/attendance/:user_id", s.apiMarkAttendance)
	v1.GET("/sessions/:id/checkin-code", s.apiCheckinCode)
	v1.POST("/sessions/:id/checkin", s.apiCheckin)
	v1.GET("/audit", s.apiAudit)
	v1.GET("/outbox", s.apiListOutbox)
	v1.POST("/sessions/:id/roster", s.apiImportRoster)
	v1.GET("/me/calendar", s.apiMyCalendar)
	v1.POST("/me/calendar/rotate", s.apiRotateCalendar)
	v1.GET("/sessions/:id/quizzes", s.apiListQuizzes)
	v1.POST("/sessions/:id/quizzes/:quiz/attempts", s.apiStartAttempt)
	v1.POST("/sessions/:id/quizzes/:quiz/open", s.apiOpenQuiz)
	v1.POST("/sessions/:id/quizzes/:quiz/close", s.apiCloseQuiz)
	v1.POST("/sessions/:id/quizzes/:quiz/exceptions", s.apiGrantAttempts)
	v1.POST("/sessions/:id/quizzes/:quiz/regrade", s.apiRegrade)
	v1.POST("/sessions/:id/quizzes/:quiz/paper", s.apiEnterPaper)
	v1.GET("/sessions/:id/quizzes/:quiz/paper.pdf", s.paperQuizPDF)
	v1.POST("/attempts/:id/extend", s.apiExtendAttempt)
	v1.POST("/attempts/:id/reopen", s.apiReopenAttempt)
	v1.POST("/attempts/:id/late-answers/accept", s.apiAcceptLateAnswers)
	v1.GET("/sessions/:id/quizzes/:quiz/analysis", s.apiAnalysis)
	v1.GET("/sessions/:id/results.csv", s.apiResultsCSV)
	v1.GET("/attempts/:id", s.apiGetAttempt)
	v1.PUT("/attempts/:id/answers/:question", s.apiSaveAnswer)
	v1.POST("/attempts/:id/submit", s.apiSubmitAttempt)
	v1.POST("/users/:id/invite", s.apiInvite)
	v1.DELETE("/users/:id/totp", s.apiDisableTOTP)
	v1.POST("/sessions/:id/slips", s.slipsPDF)
	v1.POST("/sessions/:id/close", s.apiCloseSession)
	v1.GET("/sessions/:id/certificates.zip", s.apiCertificatesZIP)
	v1.GET("/certificates", s.apiListCertificates)
	v1.GET("/certificates/:serial", s.apiGetCertificate)
	v1.POST("/certificates/:serial/revoke", s.apiRevokeCertificate)
	api.Any("/*", func(c echo.Context) error { return echo.NewHTTPError(http.StatusNotFound) })
}

func requireActor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if actor(c) == nil {
			return auth.Authorize(nil, auth.ActCourseRead)
		}
		return next(c)
	}
}
