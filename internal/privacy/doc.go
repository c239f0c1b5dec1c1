// Package privacy owns what Lectern does with people's personal data as the
// programme's privacy policy configures it: who the controller is, how long
// each kind of record is kept (the retention periods the daily retention job
// enforces and the privacy notice states), and whether a certificate keeps
// the name printed on it once its holder is erased.
//
// The policy is one value (Policy), read once at start from a YAML file
// (Load) or the embedded defaults (Default), and passed through app.Options
// to the services that need it, so the notice a reader sees and the deletions
// the job makes can never disagree. The export of a person's data (export.go)
// and their erasure (erase.go) live here too: all three answer the same
// question — what is kept about a person, and for how long.
package privacy
