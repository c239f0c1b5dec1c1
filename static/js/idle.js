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
  setInterval(function () {
    if (Date.now() - last < seconds * 1000) return;
    var form = document.querySelector("form.logout");
    if (!form) { window.location.assign("/login?idle=1"); return; }
    var next = document.createElement("input");
    next.type = "hidden"; next.name = "idle"; next.value = "1";
    form.appendChild(next);
    form.submit();
  }, every);
})();
