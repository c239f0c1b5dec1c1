// Lectern's CSRF token for the scripts of a signed-in page. The page's forms
// carry the token of the sign-in it was rendered under; after a sign-out and
// sign-in in another tab, or an upgrade, the server refuses it (403 with the
// error code "csrf"). Scripts that post ask here whether a 403 was that, and
// get the current token once: from the refusal's own X-CSRF-Token header, else
// from GET /api/v1/auth/csrf. It goes into every form of the page, so that the
// plain form posts (submit, sign-out) work again too.
(function () {
  "use strict";
  var renewing = null;
  function inputs() { return document.querySelectorAll('input[name="csrf_token"]'); }
  function current() { var i = inputs()[0]; return i ? i.value : ""; }
  function use(token) {
    if (token) { inputs().forEach(function (i) { i.value = token; }); }
    return token || null;
  }
  // renew resolves to the current token (null when there is none: signed out,
  // or no network); res, a response of this site, may already carry it.
  function renew(res) {
    var given = res && res.headers.get("X-CSRF-Token");
    if (given) { return Promise.resolve(use(given)); }
    if (!renewing) {
      renewing = fetch("/api/v1/auth/csrf", { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : {}; })
        .then(function (body) { return use(body.csrf_token); }, function () { return null; })
        .then(function (token) { renewing = null; return token; });
    }
    return renewing;
  }
  // retryAfter resolves true when res (a 403 to a request sent with token sent)
  // is the CSRF refusal and the page now holds another token to send it with;
  // false for any other refusal (a sign-in that ended, a role), which a new
  // token would not change.
  function retryAfter(res, sent) {
    return res.clone().json().then(function (body) {
      if (!body || !body.error || body.error.code !== "csrf") { return false; }
      if (current() !== sent) { return true; } // renewed since it was sent
      return renew(res).then(function (token) { return token !== null && token !== sent; });
    }, function () { return false; });
  }
  window.lecternCSRF = { current: current, renew: renew, retryAfter: retryAfter };
}());
