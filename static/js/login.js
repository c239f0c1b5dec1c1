// The sign-in form, sent by script so that a sign-in refused only because the
// server is busy signing a hall in (429 with the page's #login-busy: its
// password was not even checked) is resent by itself once its Retry-After has
// been counted down on screen — the person does not type the password again,
// and the password never has to be kept anywhere but in this page's memory.
// Any other answer (signed in, wrong password, throttled, the second-factor
// step) is what the plain form would have shown. One sign-in at a time: while
// one is being sent or counted down, the buttons are disabled and another
// submit sends nothing. Without this script the form posts as usual, and a
// busy answer says when to try again.
(function () {
  "use strict";
  if (!window.fetch || !window.URLSearchParams || !window.DOMParser || !window.FormData) { return; }
  // Once per document: a page shown by show() below carries this script again.
  if (window.lecternLoginScript) { return; }
  window.lecternLoginScript = true;
  var pending = false;

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || form.getAttribute("action") !== "/login") { return; }
    ev.preventDefault();
    if (pending) { return; }
    pending = true;
    disable(true);
    send(form.action, new URLSearchParams(new FormData(form)));
  });

  function disable(on) {
    document.querySelectorAll('form[action="/login"] button').forEach(function (b) { b.disabled = on; });
  }

  function waitBox() { return document.getElementById("login-wait"); }

  function send(url, body) {
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (res) {
        return res.text().then(function (html) {
          // A token gone stale meanwhile (another tab signed in) is renewed.
          var token = res.headers.get("X-CSRF-Token");
          if (token) { body.set("csrf_token", token); }
          var doc = new DOMParser().parseFromString(html, "text/html");
          var busy = doc.getElementById("login-busy");
          if (res.status === 429 && busy) {
            var seconds = Number(res.headers.get("Retry-After")) || Number(busy.getAttribute("data-retry-after")) || 5;
            countdown(seconds, function () { send(url, body); });
            return;
          }
          if (res.redirected) { location.assign(res.url); return; } // signed in
          show(doc);
        });
      })
      .catch(function () {
        // No answer at all: say so, and let the person send it again.
        pending = false;
        disable(false);
        var box = waitBox();
        if (box) { box.textContent = box.getAttribute("data-offline"); box.hidden = false; }
      });
  }

  // countdown shows "retrying in N s" until the wait is over, then calls then.
  // Up to a fifth more than asked, so a hall told the same wait does not come
  // back in the same instant.
  function countdown(seconds, then) {
    var box = waitBox();
    var end = Date.now() + seconds * 1000 + Math.random() * seconds * 200;
    var shown = -1;
    (function tick() {
      var left = Math.ceil((end - Date.now()) / 1000);
      if (left <= 0) { then(); return; }
      if (box && left !== shown) {
        shown = left;
        box.textContent = box.getAttribute("data-retrying").replace("{n}", left);
        box.hidden = false;
      }
      setTimeout(tick, Math.min(250, end - Date.now()));
    }());
  }

  // show puts the server's answer on screen as the plain form would have.
  function show(doc) {
    pending = false;
    document.title = doc.title;
    document.body.replaceWith(document.adoptNode(doc.body));
    var first = document.querySelector("[autofocus]");
    if (first) { first.focus(); }
  }
}());
