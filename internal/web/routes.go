package web

import (
	"net/http"
	"path"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/lectern-platform/lectern/internal/auth"
	"github.com/lectern-platform/lectern/static"
)

// routes is the one table of every URL Lectern answers.
//
// Layout and names: each URL resource has one file (sessions.go for /sessions and
// /api/v1/sessions, enrollments.go, attendance.go, …; a large resource is split by
// sub-resource, as session_form.go, attempt_submit.go) holding its page and its
// API handlers. A handler is named resource + verb: List, Show, New (an empty
// form), Create, Update, Delete, or the domain's own verb (sessionClose,
// attemptExtend). A browser page or form gets the bare name (sessionShow,
// enrollmentCreate); its JSON twin adds API (sessionShowAPI,
// enrollmentCreateAPI). A handler serving both (slipsPrint) has no suffix.
//
// Who may do what is decided by auth.Authorize inside the domain services (and,
// for pages that only read the course library, in the handler); requireActor
// only turns anonymous API calls away early with a 401.
func (s *Server) routes() {
	e := s.echo
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(compress(), s.logRequests, s.recoverPanics, securityHeaders, s.serverDate, middleware.BodyLimit("1M"), s.authenticate, s.csrf)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metricsEndpoint) // 404 unless LECTERN_METRICS_TOKEN is set; then bearer of it only
	e.GET("/.well-known/lectern-signing-key", s.signingKey)
	// Open Badges: the issuer's DID document (did:web) and the revocation
	// status lists, fetched by any verifier.
	e.GET("/.well-known/did.json", s.issuerDocument)
	e.GET("/did.json", s.issuerDocument) // did:web of a base URL with a path, the prefix stripped by the proxy
	e.GET("/credentials/status/:n", s.statusListShow)
	assets := echo.WrapHandler(http.StripPrefix("/static/", staticFiles(static.FS)))
	e.GET("/static/*", assets)
	e.HEAD("/static/*", assets)
	e.GET("/attempts/sw.js", quizServiceWorker) // the quiz page's offline copy; scope /attempts/

	// Browser pages.
	e.GET("/login", s.loginShow)
	e.POST("/login", s.loginCreate)
	e.POST("/login/code", s.loginCodeCheck, s.perAddressLimit("login-code")) // carries a pending sign-in's one-time token
	e.POST("/logout", s.loginDelete)
	e.GET("/account", s.accountShow)
	e.GET("/me/data.zip", s.dataExport, s.notCrossSite)
	e.GET("/users/:id/data.zip", s.userDataExport, s.notCrossSite) // admins
	e.GET("/account/security", s.securityShow)
	e.POST("/account/security/start", s.securityStart)
	e.POST("/account/security/confirm", s.securityConfirm)
	e.POST("/account/security/disable", s.securityDisable)
	e.GET("/privacy", s.privacyShow)
	e.POST("/language", s.languageChoose)
	// Links that carry a one-time token: throttled per client address, so the
	// 80-bit tokens cannot be searched.
	onboard := e.Group("", s.perAddressLimit("onboard"))
	onboard.GET("/activate", s.activationCodeShow)
	onboard.POST("/activate", s.activationCodeCheck)
	onboard.GET("/activate/:token", s.activationShow)
	onboard.POST("/activate/:token", s.activationComplete)
	onboard.GET("/reset", s.resetRequestShow)
	onboard.POST("/reset", s.resetRequestCreate)
	onboard.GET("/reset/:token", s.resetShow)
	onboard.POST("/reset/:token", s.resetComplete)
	e.GET("/", s.dashboardShow)
	e.GET("/courses", s.courseList)
	e.GET("/courses/:course", s.courseShow)
	e.GET("/courses/:course/assets/*", s.courseAssetShow)
	e.GET("/courses/:course/:module", s.moduleShow)
	e.GET("/admin/agencies", s.agencyList)
	e.POST("/admin/agencies", s.agencyCreate)
	e.GET("/admin/users", s.userList)
	e.POST("/admin/users", s.userCreate)
	e.GET("/users/:id/erase", s.userEraseShow)
	e.POST("/users/:id/erase", s.userErase)
	e.GET("/agencies/:id/record", s.agencyRecordShow)
	e.GET("/agencies/:id/certificates.zip", s.agencyCertificateExport)
	e.GET("/agency/officers", s.officerList)
	e.POST("/agency/officers", s.officerCreate)
	e.GET("/admin/audit", s.auditList)
	e.GET("/admin/outbox", s.outboxList)
	e.GET("/admin/retention", s.retentionShow)
	e.GET("/reports", s.reportsPage)
	e.GET("/reports/:file", s.reportExport) // {name}.csv, {name}.xlsx
	e.GET("/sessions", s.sessionList)
	e.GET("/sessions/new", s.sessionNew)
	e.POST("/sessions/new", s.sessionCreate)
	e.GET("/sessions/:id", s.sessionShow) // also /sessions/{id}.ics
	e.POST("/sessions/:id/enroll", s.enrollmentCreate)
	e.POST("/sessions/:id/unenroll", s.enrollmentDelete)
	e.GET("/sessions/:id/recertification", s.recertificationShow)
	e.POST("/sessions/:id/recertification", s.recertificationCreate)
	e.POST("/sessions/:id/enrol", movedTo("enroll")) // the spelling shipped before issue 20
	e.POST("/sessions/:id/unenrol", movedTo("unenroll"))
	e.POST("/sessions/:id/cancel", s.sessionCancel)
	e.POST("/sessions/:id/close", s.sessionClose)
	e.POST("/sessions/:id/certificates/:serial/revoke", s.certificateRevoke)
	e.POST("/sessions/:id/slips", s.slipsPrint)
	e.GET("/sessions/:id/roster", s.rosterShow)
	e.POST("/sessions/:id/roster", s.rosterImport)
	e.GET("/sessions/:id/attendance", s.attendanceList)
	e.POST("/sessions/:id/attendance/:user_id", s.attendanceMark)
	e.GET("/sessions/:id/checkin", s.checkinShow)
	e.POST("/sessions/:id/checkin", s.checkinCreate)
	e.GET("/sessions/:id/projector", s.projectorShow)
	e.GET("/sessions/:id/checkin-qr.png", s.checkinQRShow)
	e.GET("/calendar/:token", s.calendarFeedShow)
	e.POST("/calendar/rotate", s.calendarRotate)
	// A room scanning its certificates at once fits in the burst; checking a
	// credential, on the page or through the API, counts in the same allowance.
	verifyLimit := s.perAddressLimit("verify")
	verify := e.Group("/verify", verifyLimit)
	verify.GET("/:serial", s.verifyShow)       // also /verify/{serial}.json
	verify.POST("/:serial", s.credentialCheck) // a credential pasted or uploaded
	e.GET("/sessions/:id/quizzes", s.quizList)
	e.GET("/sessions/:id/audit", s.sessionAuditList)
	e.POST("/sessions/:id/quizzes/:quiz/start", s.quizStart)
	e.POST("/sessions/:id/quizzes/:quiz/open", s.quizOpen)
	e.POST("/sessions/:id/quizzes/:quiz/close", s.quizClose)
	e.GET("/sessions/:id/quizzes/:quiz/regrade", s.regradeShow)
	e.POST("/sessions/:id/quizzes/:quiz/regrade", s.regradeRun)
	e.GET("/sessions/:id/quizzes/:quiz/officers", s.quizOfficerList)
	e.POST("/sessions/:id/quizzes/:quiz/officers/:user/grant", s.attemptsGrant)
	e.POST("/sessions/:id/quizzes/:quiz/attempts/:attempt/extend", s.attemptExtend)
	e.POST("/sessions/:id/quizzes/:quiz/attempts/:attempt/reopen", s.attemptReopen)
	e.POST("/sessions/:id/quizzes/:quiz/attempts/:attempt/accept-late", s.attemptAcceptLate)
	e.GET("/sessions/:id/quizzes/:quiz/paper/:user", s.paperShow)
	e.POST("/sessions/:id/quizzes/:quiz/paper/:user", s.paperEnter)
	e.GET("/sessions/:id/results", s.resultsShow)
	e.GET("/attempts/:id", s.attemptShow)
	e.POST("/attempts/:id", s.attemptUpdate)

	// JSON API.
	api := e.Group("/api/v1")
	api.POST("/auth/login", s.loginCreateAPI)
	api.POST("/verify/credential", s.credentialCheckAPI, verifyLimit) // public, like /verify
	v1 := api.Group("", requireActor)
	v1.POST("/auth/logout", s.loginDeleteAPI)
	v1.GET("/auth/csrf", s.csrfTokenShowAPI)
	v1.GET("/me", s.meShowAPI)
	v1.PUT("/me/language", s.languageUpdateAPI)
	v1.GET("/me/data.zip", s.dataExport, s.notCrossSite)
	v1.POST("/agencies", s.agencyCreateAPI)
	v1.GET("/agencies", s.agencyListAPI)
	v1.GET("/agencies/:id", s.agencyShowAPI)
	v1.GET("/agencies/:id/record", s.agencyRecordShowAPI)
	v1.GET("/agencies/:id/record.csv", s.agencyRecordExportAPI)
	v1.GET("/agencies/:id/record.xlsx", s.agencyRecordExportAPI)
	v1.GET("/agencies/:id/certificates.zip", s.agencyCertificateExport)
	v1.POST("/users", s.userCreateAPI)
	v1.GET("/users", s.userListAPI)
	v1.GET("/users/:id", s.userShowAPI)
	v1.GET("/users/:id/data.zip", s.userDataExport, s.notCrossSite)
	v1.POST("/sessions", s.sessionCreateAPI)
	v1.GET("/sessions", s.sessionListAPI)
	v1.GET("/sessions/:id", s.sessionShowAPI)
	v1.PATCH("/sessions/:id", s.sessionUpdateAPI)
	v1.POST("/sessions/:id/cancel", s.sessionCancelAPI)
	v1.POST("/sessions/:id/enrollments", s.enrollmentCreateAPI)
	v1.GET("/sessions/:id/enrollments", s.enrollmentListAPI)
	v1.GET("/sessions/:id/recertification", s.recertificationShowAPI)
	v1.POST("/sessions/:id/recertification", s.recertificationCreateAPI)
	v1.PATCH("/sessions/:id/enrollments/:user_id", s.enrollmentUpdateAPI)
	v1.DELETE("/sessions/:id/enrollments/:user_id", s.enrollmentDeleteAPI)
	v1.GET("/sessions/:id/attendance", s.attendanceListAPI)
	v1.PUT("/sessions/:id/attendance/:user_id", s.attendanceMarkAPI)
	v1.GET("/sessions/:id/checkin-code", s.checkinCodeShowAPI)
	v1.POST("/sessions/:id/checkin", s.checkinCreateAPI)
	v1.GET("/audit", s.auditListAPI)
	v1.GET("/outbox", s.outboxListAPI)
	v1.GET("/retention", s.retentionShowAPI)
	v1.POST("/sessions/:id/roster", s.rosterImportAPI)
	v1.GET("/me/calendar", s.calendarShowAPI)
	v1.POST("/me/calendar/rotate", s.calendarRotateAPI)
	v1.GET("/sessions/:id/quizzes", s.quizListAPI)
	v1.POST("/sessions/:id/quizzes/:quiz/attempts", s.quizStartAPI)
	v1.POST("/sessions/:id/quizzes/:quiz/open", s.quizOpenAPI)
	v1.POST("/sessions/:id/quizzes/:quiz/close", s.quizCloseAPI)
	v1.POST("/sessions/:id/quizzes/:quiz/exceptions", s.attemptsGrantAPI)
	v1.POST("/sessions/:id/quizzes/:quiz/regrade", s.regradeRunAPI)
	v1.POST("/sessions/:id/quizzes/:quiz/paper", s.paperEnterAPI)
	v1.GET("/sessions/:id/quizzes/:quiz/paper.pdf", s.paperPrintAPI)
	v1.POST("/attempts/:id/extend", s.attemptExtendAPI)
	v1.POST("/attempts/:id/reopen", s.attemptReopenAPI)
	v1.POST("/attempts/:id/late-answers/accept", s.attemptAcceptLateAPI)
	v1.GET("/sessions/:id/quizzes/:quiz/analysis", s.analysisShowAPI)
	v1.GET("/sessions/:id/results.csv", s.resultsExportAPI)
	v1.GET("/attempts/:id", s.attemptShowAPI)
	v1.PUT("/attempts/:id/answers/:question", s.answerSaveAPI)
	v1.POST("/attempts/:id/submit", s.attemptSubmitAPI)
	v1.POST("/users/:id/invite", s.userInviteAPI)
	v1.DELETE("/users/:id/totp", s.userTOTPDisableAPI)
	v1.POST("/users/:id/erase", s.userEraseAPI)
	v1.POST("/sessions/:id/slips", s.slipsPrint)
	v1.POST("/sessions/:id/close", s.sessionCloseAPI)
	v1.GET("/sessions/:id/certificates.zip", s.certificateExportAPI)
	v1.GET("/certificates", s.certificateListAPI)
	v1.GET("/certificates/:serial", s.certificateShowAPI)
	v1.GET("/certificates/:serial/credential", s.credentialShowAPI)
	v1.POST("/certificates/:serial/revoke", s.certificateRevokeAPI)
	v1.GET("/reports/trained", s.reportTrainedAPI)
	v1.GET("/reports/certified", s.reportCertifiedAPI)
	v1.GET("/reports/attendance", s.reportAttendanceAPI)
	v1.GET("/reports/quizzes", s.reportQuizzesAPI)
	v1.GET("/reports/questions", s.reportQuestionsAPI)
	v1.GET("/reports/certificates", s.reportCertificatesAPI)
	api.Any("/*", func(c echo.Context) error { return echo.NewHTTPError(http.StatusNotFound) })
}

// movedTo answers a URL whose last segment was renamed with a 308 to the new
// name: unlike 301, a 308 keeps the method and the body, so a form rendered
// before the rename (a tab left open, a saved page) still posts where it should.
func movedTo(segment string) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := *c.Request().URL
		u.Path = path.Join(path.Dir(u.Path), segment)
		u.RawPath = ""
		return c.Redirect(http.StatusPermanentRedirect, u.RequestURI())
	}
}

func requireActor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if actor(c) == nil {
			return auth.Authorize(nil, auth.ActCourseRead)
		}
		return next(c)
	}
}
