package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/lectern-platform/lectern/internal/certify"
	"github.com/lectern-platform/lectern/internal/ratelimit"
	"github.com/lectern-platform/lectern/internal/store"
)

const verifyUsage = `usage: lectern verify FILE.pdf [--trust KEY.pem]... [--url URL] [--timeout 10s] [--data DIR]
       lectern verify SERIAL --url URL [--timeout 10s]
Exit status: 0 valid, 1 not valid (altered, forged, untrusted key, revoked, expired,
unknown, or the holder's data erased so the name cannot be confirmed), 2 usage,
3 authentic but --url could not tell whether it was revoked.`

// maxRetryAfter bounds how long verify waits when the server answers 429: it
// retries once after the server's Retry-After, unless that is longer. It
// covers the per-address window that several processes on PostgreSQL share
// (Retry-After is the rest of the window, up to ratelimit.AddressWindow, 12 s)
// with a margin, so a verification refused early in a window waits and is
// checked rather than reported NOT CHECKED.
const maxRetryAfter = ratelimit.AddressWindow + 3*time.Second

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// cmdVerify checks a certificate: a PDF offline (signature over the whole file and
// the signed payload, against trusted keys), or a serial online (--url).
func cmdVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("verify", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var trust listFlag
	flags.Var(&trust, "trust", "public key to trust (PEM, or the JSON of /.well-known/lectern-signing-key); repeatable")
	server := flags.String("url", "", "Lectern server: trust its published key and check revocation online")
	timeout := flags.Duration("timeout", 10*time.Second, "how long to wait for each answer from --url")
	dataDir := dataDirFlag(flags)
	// Go's flag package stops at the first non-flag: accept FILE before or after flags.
	var target string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		target, args = args[0], args[1:]
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if target == "" && flags.NArg() == 1 {
		target = flags.Arg(0)
	} else if target == "" || flags.NArg() > 0 {
		fmt.Fprintln(stderr, verifyUsage)
		return 2
	}
	if *timeout <= 0 {
		fmt.Fprintln(stderr, "lectern verify: --timeout must be positive")
		return 2
	}
	client := &http.Client{Timeout: *timeout}
	if _, err := os.Stat(target); err != nil {
		if looksLikeSerial(target) {
			if *server == "" {
				fmt.Fprintf(stderr, "lectern verify: %s is not a file; to look a serial up, pass --url of the issuing server\n", target)
				return 2
			}
			return verifyOnline(ctx, client, *server, target, stdout, stderr)
		}
		fmt.Fprintln(stderr, "lectern verify:", err)
		return 2
	}
	doc, err := os.ReadFile(target)
	if err != nil {
		fmt.Fprintln(stderr, "lectern verify:", err)
		return 2
	}

	trusted := map[string]ed25519.PublicKey{}
	source := map[string]string{}
	if s, err := certify.LoadKey(*dataDir, os.Getenv("LECTERN_SIGNING_KEY_FILE")); err == nil {
		trusted[s.KeyID], source[s.KeyID] = s.PublicKey(), "this server's key ("+*dataDir+")"
	}
	for _, file := range trust {
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(stderr, "lectern verify:", err)
			return 2
		}
		pub, err := certify.ParsePublicKey(data)
		if err != nil {
			fmt.Fprintf(stderr, "lectern verify: %s: %v\n", file, err)
			return 2
		}
		trusted[certify.KeyID(pub)], source[certify.KeyID(pub)] = pub, file
	}
	if *server != "" {
		pub, err := fetchKey(ctx, client, *server)
		if err != nil {
			fmt.Fprintln(stderr, "lectern verify:", err)
			return 2
		}
		trusted[certify.KeyID(pub)], source[certify.KeyID(pub)] = pub, "published by "+*server
	}

	p, err := certify.VerifyPDF(doc, trusted)
	switch {
	case errors.Is(err, certify.ErrUntrustedKey):
		fmt.Fprintf(stdout, "NOT VERIFIED: %s is signed by key %s, which is not trusted here.\n", target, p.KeyID)
		fmt.Fprintln(stdout, "Trust the issuer's key with --trust KEY.pem or --url https://issuer.example.org.")
		return 1
	case err != nil:
		fmt.Fprintf(stdout, "INVALID: %s: %v\n", target, err)
		return 1
	}
	status, reason, erased := string(store.CertificateValid), "", ""
	if p.ExpiresAt != "" {
		if exp, err := time.Parse(time.RFC3339, p.ExpiresAt); err == nil && !time.Now().Before(exp) {
			status = string(store.CertificateExpired)
		}
	}
	revocation := "not checked offline (add --url of the issuing server to check)"
	unchecked := false // --url asked for the check, and it could not be made
	if *server != "" {
		pub, code, err := lookup(ctx, client, *server, p.Serial)
		switch {
		case err != nil:
			unchecked, revocation = true, "could not be checked: "+err.Error()
		case code == http.StatusNotFound:
			status, revocation = "unknown to "+*server, "the server has no such serial"
		default:
			status, reason, revocation = pub.Status, pub.RevocationReason, "checked with "+*server
			if pub.ErasedAt != nil {
				erased = erasedNote(pub, *server)
			}
		}
	}
	verdict, exit := "VALID", 0
	switch {
	case status == certify.StatusErased:
		// The signature shows the file is as issued, but the issuer no
		// longer holds the name to confirm it belongs to whoever shows it.
		verdict, exit = "NOT CONFIRMED (holder's data erased: name not confirmable)", 1
	case status != string(store.CertificateValid):
		verdict, exit = "NOT VALID ("+status+")", 1
	case unchecked:
		// Revoked certificates are exactly the ones whose holders have a reason
		// to keep the server from answering: no answer is not "valid".
		verdict, exit = "NOT CHECKED", 3
	}
	fmt.Fprintf(stdout, "%s: the signature is intact and the certificate is authentic.\n", verdict)
	printPayload(stdout, p, source[p.KeyID])
	fmt.Fprintf(stdout, "  %-12s %s\n", "Revocation:", revocation)
	if reason != "" {
		fmt.Fprintf(stdout, "  %-12s %s\n", "Reason:", reason)
	}
	if erased != "" {
		fmt.Fprintf(stdout, "  %-12s %s\n", "Erased:", erased)
	}
	if unchecked && exit == 3 {
		fmt.Fprintln(stdout, "Whether it has been revoked is unknown: try again later.")
	}
	return exit
}

func printPayload(w io.Writer, p *certify.Payload, keySource string) {
	expires := p.ExpiresAt
	if expires == "" {
		expires = "no expiry"
	}
	for _, row := range [][2]string{
		{"Serial:", p.Serial}, {"Holder:", p.Holder}, {"Agency:", p.Agency}, {"Course:", p.Course},
		{"Content:", "sha256 " + p.CourseHash}, {"Session:", p.SessionDate + ", " + p.City + " (" + p.Country + ")"},
		{"Issued:", p.IssuedAt}, {"Expires:", expires}, {"Signed by:", "Ed25519 key " + p.KeyID + ", " + keySource},
	} {
		fmt.Fprintf(w, "  %-12s %s\n", row[0], row[1])
	}
}

func looksLikeSerial(s string) bool {
	if len(s) < 16 || len(s) > 32 {
		return false
	}
	for _, r := range strings.ToUpper(s) {
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

func verifyOnline(ctx context.Context, client *http.Client, server, serial string, stdout, stderr io.Writer) int {
	pub, code, err := lookup(ctx, client, server, serial)
	if err != nil {
		fmt.Fprintln(stderr, "lectern verify:", err)
		return 2
	}
	if code == http.StatusNotFound {
		fmt.Fprintf(stdout, "NOT VALID: %s has no certificate %s.\n", server, strings.ToUpper(serial))
		return 1
	}
	verdict, holder := "VALID", pub.HolderName
	switch {
	case pub.Status == certify.StatusErased:
		verdict = "NOT CONFIRMED (holder's data erased: name not confirmable)"
	case pub.Status != string(store.CertificateValid):
		verdict = "NOT VALID (" + pub.Status + ")"
	}
	if pub.ErasedAt != nil {
		holder = "(erased)"
	}
	fmt.Fprintf(stdout, "%s: according to %s\n", verdict, server)
	expires := "no expiry"
	if pub.ExpiresAt != nil {
		expires = pub.ExpiresAt.Format(time.RFC3339)
	}
	for _, row := range [][2]string{{"Serial:", pub.Serial}, {"Holder:", holder}, {"Agency:", pub.Agency},
		{"Course:", pub.CourseTitle}, {"Session:", pub.SessionDate}, {"Issued:", pub.IssuedAt.Format(time.RFC3339)}, {"Expires:", expires}} {
		fmt.Fprintf(stdout, "  %-12s %s\n", row[0], row[1])
	}
	if pub.RevocationReason != "" {
		fmt.Fprintf(stdout, "  %-12s %s\n", "Reason:", pub.RevocationReason)
	}
	if pub.ErasedAt != nil {
		fmt.Fprintf(stdout, "  %-12s %s\n", "Erased:", erasedNote(pub, server))
	}
	if pub.Status != string(store.CertificateValid) {
		return 1
	}
	return 0
}

// erasedNote says what an erased holder's certificate means to a verifier.
func erasedNote(pub *certify.Public, server string) string {
	return fmt.Sprintf("the holder's personal data was erased on %s at their request; the certificate was issued for this course and date, but %s can no longer confirm the name on a copy",
		pub.ErasedAt.UTC().Format("2006-01-02"), server)
}

// lookup asks the server's public verification endpoint about a serial.
func lookup(ctx context.Context, client *http.Client, server, serial string) (*certify.Public, int, error) {
	var pub certify.Public
	code, err := getJSON(ctx, client, strings.TrimRight(server, "/")+"/verify/"+url.PathEscape(strings.ToUpper(serial))+".json", &pub)
	if code == http.StatusNotFound {
		return nil, code, nil
	}
	return &pub, code, err
}

func fetchKey(ctx context.Context, client *http.Client, server string) (ed25519.PublicKey, error) {
	var wk struct {
		PublicKeyPEM string `json:"public_key_pem"`
	}
	if _, err := getJSON(ctx, client, strings.TrimRight(server, "/")+"/.well-known/lectern-signing-key", &wk); err != nil {
		return nil, err
	}
	return certify.ParsePublicKey([]byte(wk.PublicKeyPEM))
}

// getJSON fetches u into out. A 429 (the server limits each address; a room
// behind one NAT verifying at once can reach it) is retried once, after the
// server's Retry-After when that is at most maxRetryAfter.
func getJSON(ctx context.Context, client *http.Client, u string, out any) (int, error) {
	code, wait, err := getJSONOnce(ctx, client, u, out)
	if code != http.StatusTooManyRequests {
		return code, err
	}
	if wait > maxRetryAfter {
		return code, fmt.Errorf("%w (the server asks to wait %s)", err, wait)
	}
	select {
	case <-ctx.Done():
		return code, ctx.Err()
	case <-time.After(wait):
	}
	code, _, err = getJSONOnce(ctx, client, u, out)
	return code, err
}

// getJSONOnce makes one request; for a 429 it also returns how long the
// server asks to wait (1 s when it does not say).
func getJSONOnce(ctx context.Context, client *http.Client, u string, out any) (int, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("bad --url: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusTooManyRequests {
		return res.StatusCode, retryAfter(res.Header.Get("Retry-After")), fmt.Errorf("GET %s: %s", u, res.Status)
	}
	if res.StatusCode != http.StatusOK {
		return res.StatusCode, 0, fmt.Errorf("GET %s: %s", u, res.Status)
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(out); err != nil {
		return res.StatusCode, 0, fmt.Errorf("GET %s: %w", u, err)
	}
	return res.StatusCode, 0, nil
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string) time.Duration {
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0)
	}
	return time.Second
}
