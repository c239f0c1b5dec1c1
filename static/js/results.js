// Live results without reloading the page: every few seconds, fetch this page
// again and swap the parts marked data-live in place, so focus, scroll position
// and a screen reader's place stay put (a meta refresh restarted them all,
// WCAG 2.2.1). A pause button stops it; a closed session's page (no
// #live-status) is final and stops it for good. Without JavaScript the page's
// "Update now" link reloads it.
(function () {
  "use strict";
  var status = document.getElementById("live-status");
  var pause = document.getElementById("live-pause");
  var now = document.getElementById("live-now");
  if (!status || !pause || !window.fetch || !window.DOMParser) return;
  var seconds = parseInt(status.getAttribute("data-seconds"), 10) || 20;
  var liveText = status.textContent;
  var paused = false, timer = 0, busy = false;

  function schedule() {
    clearTimeout(timer);
    if (!paused) timer = setTimeout(update, seconds * 1000);
  }

  // swap replaces each live part whose content changed; an element that has
  // the focus is inside none of them but the controls, which are replaced only
  // when the session closes.
  function swap(doc) {
    var parts = document.querySelectorAll("[data-live]");
    for (var i = 0; i < parts.length; i++) {
      var mine = parts[i], theirs = doc.getElementById(mine.id);
      if (mine.id === "live") continue;
      if (theirs && theirs.innerHTML !== mine.innerHTML) mine.innerHTML = theirs.innerHTML;
    }
  }

  function update() {
    if (busy) return;
    if (document.hidden) { schedule(); return; } // caught up on visibilitychange
    busy = true;
    fetch(location.pathname, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (res) {
        if (!res.ok || new URL(res.url).pathname !== location.pathname) throw new Error("status " + res.status);
        return res.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        swap(doc);
        var live = doc.getElementById("live");
        if (!doc.getElementById("live-status") && live) {
          // Closed since: the final results, and no more updates.
          document.getElementById("live").innerHTML = live.innerHTML;
          clearTimeout(timer);
          paused = true;
          return;
        }
        status.textContent = paused ? status.getAttribute("data-paused") : liveText;
        schedule();
      })
      .catch(function () {
        if (!paused) status.textContent = status.getAttribute("data-failed");
        schedule();
      })
      .then(function () { busy = false; });
  }

  pause.hidden = false;
  pause.addEventListener("click", function () {
    paused = !paused;
    pause.setAttribute("aria-pressed", String(paused));
    status.textContent = paused ? status.getAttribute("data-paused") : liveText;
    if (paused) clearTimeout(timer); else update();
  });
  if (now) {
    now.addEventListener("click", function (ev) {
      ev.preventDefault();
      update();
    });
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !paused) update();
  });
  schedule();
})();
