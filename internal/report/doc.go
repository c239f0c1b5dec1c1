// Package report owns the programme reports: officers trained and certified,
// attendance, quiz pass rates, question facility across every session, and the
// standing of certificates — over any date range, country, agency and course.
//
// Every figure is counted by the database (GROUP BY, COUNT, AVG in
// internal/store/reports.go), never by loading rows into Go, so a report over
// years of a programme costs a few indexed queries (BENCHMARKS.md).
//
// Admins see every agency; a coordinator sees their own agency's slice only
// (the filter's agency is forced to theirs, and asking for another agency is
// "not found", as everywhere else); trainers and officers are refused.
package report
