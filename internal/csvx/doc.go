// Package csvx reads the CSV files people upload (rosters exported from Excel,
// LibreOffice or Google Sheets in many locales) and writes CSV exports that
// spreadsheets open as UTF-8 text and never as formulas. Every import and export in
// Lectern goes through it, so the encoding, delimiter and injection rules are the
// same everywhere.
package csvx
