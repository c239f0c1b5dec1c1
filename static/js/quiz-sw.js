// Lectern's offline copy of the quiz page. Served as /attempts/sw.js, it
// controls the attempt pages only. It keeps one thing: the officer's current
// open attempt page (each screen of it, by URL) and the versioned /static files
// that page uses, so that a reload on dead venue Wi-Fi shows the quiz again
// (quiz.js then puts the journal's answers back and says it is offline).
//
// What it never keeps: any other page, any API answer, a finished attempt's
// results, another attempt. The page is network-first (online, the officer
// always gets the server's page); the copy is only the fallback. Sign-out empties
// the cache (Clear-Site-Data from the server, and the sign-in page again).
"use strict";

var CACHE = "lectern-quiz";
var PAGE = /^\/attempts\/(\d+)$/;
// On "Wi-Fi up, no route" a request hangs instead of failing: after this long,
// the copy is shown, and the network's answer still replaces the copy if it comes.
var PAGE_TIMEOUT = 4000;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });

function attemptOf(url) {
  var m = PAGE.exec(new URL(url).pathname);
  return m ? m[1] : null;
}
function isVersionedStatic(url) {
  var u = new URL(url);
  return u.origin === self.location.origin && u.pathname.indexOf("/static/") === 0 && u.searchParams.has("v");
}

// keepPage stores an attempt page if it is an open attempt's (it carries the
// quiz form), dropping every other attempt's pages; anything else (a result
// page, a sign-in page after a redirect, an error) drops the copies instead.
function keepPage(url, res) {
  var id = attemptOf(url);
  return caches.open(CACHE).then(function (cache) {
    var open = res.ok && !res.redirected && attemptOf(res.url) === id;
    var body = open ? res.clone().text() : Promise.resolve("");
    return body.then(function (html) {
      open = open && html.indexOf('id="quiz-form"') >= 0;
      return cache.keys().then(function (keys) {
        return Promise.all(keys.filter(function (k) {
          var other = attemptOf(k.url);
          return other !== null && (other !== id || !open);
        }).map(function (k) { return cache.delete(k); }));
      }).then(function () {
        if (open) { return cache.put(url, res); }
      });
    });
  });
}

// page: the network first; its copy when the network fails or hangs.
function page(req) {
  var fromNet = fetch(req).then(function (res) {
    keepPage(req.url, res.clone()).catch(function () { /* no copy: the next load tries again */ });
    return res;
  });
  var fallback = function () {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(req.url).then(function (hit) {
        return hit || cache.match(req.url, { ignoreSearch: true });
      });
    });
  };
  return new Promise(function (resolve, reject) {
    var done = false;
    var timer = setTimeout(function () {
      fallback().then(function (hit) { if (hit && !done) { done = true; resolve(hit); } });
    }, PAGE_TIMEOUT);
    fromNet.then(function (res) {
      clearTimeout(timer);
      if (!done) { done = true; resolve(res); }
    }, function (err) {
      clearTimeout(timer);
      fallback().then(function (hit) {
        if (done) { return; }
        done = true;
        if (hit) { resolve(hit); } else { reject(err); }
      });
    });
  });
}

// asset: versioned files never change under one URL, so the copy is as good as
// the network's.
function asset(req) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(req.url).then(function (hit) {
      return hit || fetch(req).then(function (res) {
        if (res.ok) { cache.put(req.url, res.clone()); }
        return res;
      });
    });
  });
}

self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") { return; }
  if (req.mode === "navigate" && attemptOf(req.url)) { e.respondWith(page(req)); return; }
  if (isVersionedStatic(req.url)) { e.respondWith(asset(req)); }
});

// The page loaded before this worker controlled it (the first visit) tells it
// which page and files it uses; the worker fetches and keeps them, and drops the
// static files of older versions.
self.addEventListener("message", function (e) {
  var data = e.data || {};
  if (data.type !== "keep" || !attemptOf(data.page)) { return; }
  var files = (data.files || []).filter(isVersionedStatic);
  e.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return isVersionedStatic(k.url) && files.indexOf(k.url) < 0;
      }).map(function (k) { return cache.delete(k); }));
    }).then(function () {
      return Promise.all(files.map(function (f) {
        return cache.match(f).then(function (hit) {
          if (hit) { return; }
          return fetch(f).then(function (res) { if (res.ok) { return cache.put(f, res); } });
        });
      }));
    }).then(function () {
      return cache.match(data.page).then(function (hit) {
        if (hit) { return; }
        return fetch(data.page, { credentials: "same-origin" }).then(function (res) { return keepPage(data.page, res); });
      });
    });
  }).then(function () {
    if (e.source) { e.source.postMessage({ type: "kept", page: data.page }); }
  }).catch(function () { /* offline: kept next time */ }));
});
