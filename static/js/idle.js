// Idle logout for shared or borrowed devices: after the configured time without
// any interaction, sign out with the page's own logout form (it carries the CSRF
// token) and land on the sign-in page. The server ends the session too, on the
// next request after the same time; this only makes sure the screen does not keep
// showing what the last person saw.
(function () {
  "use strict";
  var seconds = parseInt(document.body.getAttribute("data-idle-seconds"), 10);
  if (!(seconds > 0)) return;
  var last = Date.now();
  function touch() { last = Date.now(); }
  ["pointerdown", "keydown", "scroll", "touchstart", "input"].forEach(function (ev) {
    window.addEventListener(ev, touch, { passive: true, capture: true });
  });
  // Look four times per allowed idle time, at most every 15 s, so a short
  // timeout (a shared terminal) is kept to within a quarter of itself.
  var every = Math.min(15000, Math.max(250, seconds * 250));
  var leaving = false;
  setInterval(function () {
    if (leaving || Date.now() - last < seconds * 1000) return;
    var form = document.querySelector("form.logout");
    if (!form) { window.location.assign("/login?idle=1"); return; }
    leaving = true;
    var next = document.createElement("input");
    next.type = "hidden"; next.name = "idle"; next.value = "1";
    form.appendChild(next);
    // The form's token may be stale (signed in again in another tab, an
    // upgrade): the current one first (csrf.js), but not waiting more than a
    // few seconds for it, so that the screen is cleared even on a dead network.
    var renewed = window.lecternCSRF ? window.lecternCSRF.renew() : Promise.resolve();
    var patience = new Promise(function (resolve) { setTimeout(resolve, 3000); });
    Promise.race([renewed, patience]).then(function () { form.submit(); });
  }, every);
})();
