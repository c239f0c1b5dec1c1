// Lectern quiz page: autosave that never loses an answer, and a countdown held by
// the server's clock. The page works without this script (plain form posts);
// with it, every change is written to a journal in localStorage first, then sent,
// and unsent answers are retried with backoff, across reloads, until the server
// acknowledges them.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) { return; }
  var attemptId = form.getAttribute("data-attempt");
  // The form's token, read at each send: csrf.js puts the current one there
  // when the server refuses it as stale.
  var csrfInput = form.querySelector('input[name="csrf_token"]');
  var journalKey = "lectern.attempt." + attemptId;
  var syncEl = document.getElementById("sync-status");
  var msg = JSON.parse(document.getElementById("quiz-messages").textContent);
  var journal = loadJournal();
  var lastSeq = 0;
  var retryDelay = 1000;
  var retryTimer = null;
  var inFlight = {};
  var finished = false; // everything settled after the time was up: the page reloads
  // timeIsUp: the countdown reached 0. The page keeps sending what the journal
  // holds (answers given in time are kept by the server as late answers) and
  // reloads only once each is saved, kept as late or refused.
  var timeIsUp = false;
  var submitting = false;
  // netDown: the last request found no network (a phone on venue Wi-Fi without
  // a route still says navigator.onLine).
  var netDown = false;
  var syncMore = document.getElementById("sync-more");
  var timerBar = syncEl.parentNode;
  timerBar.classList.add("fit");
  // The bar's height feeds the page's scroll-padding-top (lectern.css), so a
  // field reached by the keyboard is scrolled clear of it, however tall the bar
  // is now (WCAG 2.4.11).
  if (window.ResizeObserver) {
    new ResizeObserver(function () {
      document.documentElement.style.setProperty("--timer-bar-h", timerBar.offsetHeight + "px");
    }).observe(timerBar);
  }


  function loadJournal() {
    try { return JSON.parse(localStorage.getItem(journalKey)) || {}; } catch (e) { return {}; }
  }
  function saveJournal() {
    try { localStorage.setItem(journalKey, JSON.stringify(journal)); } catch (e) { /* private mode: memory only */ }
  }
  // Sequence numbers grow with the clock, so they also outrank the server's own
  // numbering of plain form posts and survive a reload.
  function nextSeq() {
    var s = Date.now();
    if (s <= lastSeq) { s = lastSeq + 1; }
    lastSeq = s;
    return s;
  }
  function fieldset(q) { return form.querySelector('fieldset[data-question="' + q + '"]'); }
  function setStatus(q, text, cls) {
    var el = document.getElementById("st-" + q);
    if (el) { el.textContent = text; el.className = "save-status " + (cls || ""); }
  }
  function pending() {
    return Object.keys(journal).filter(function (q) { return !journal[q].acked && !journal[q].failed && !journal[q].late; });
  }
  function lateCount() {
    return Object.keys(journal).filter(function (q) { return journal[q].late; }).length;
  }
  function showSync() {
    var n = pending().length;
    var offline = netDown || navigator.onLine === false;
    var text = n === 0 ? (offline ? msg.offlineCopy : msg.allSaved) : (offline ? msg.offlineN : msg.pendingN).replace("{n}", n);
    if (submitting && n > 0) { text = msg.waitSubmit + " " + text; }
    var late = lateCount();
    if (timeIsUp) { text = n > 0 ? msg.timeUpPending.replace("{n}", n) : late > 0 ? msg.timeUpLate.replace("{n}", late) : msg.timeUp; }
    syncEl.textContent = text;
    syncEl.className = "sync " + (n === 0 && !offline ? "ok" : "warn");
    if (timeIsUp && late > 0) { syncEl.className = "sync warn"; }
    fitSync();
  }
  // The sticky bar keeps to one row on a phone, where the deadline's clock time
  // is left out of it (lectern.css): the Details button is there to show it,
  // and the status at full size.
  var timerMeta = timerBar.querySelector(".timer .meta");
  function fitSync() {
    if (!syncMore) { return; }
    var open = syncMore.getAttribute("aria-expanded") === "true";
    syncMore.hidden = !open && (!timerMeta || timerMeta.getClientRects().length > 0);
  }
  if (syncMore) {
    syncMore.addEventListener("click", function () {
      var open = syncMore.getAttribute("aria-expanded") !== "true";
      syncMore.setAttribute("aria-expanded", String(open));
      timerBar.classList.toggle("expanded", open);
      fitSync();
    });
    window.addEventListener("resize", fitSync);
  }

  function inputs(fs) { return fs.querySelectorAll('input[name="q.' + fs.getAttribute("data-question") + '"]'); }
  function answerOf(fs) {
    var type = fs.getAttribute("data-type");
    var els = inputs(fs);
    if (type === "single" || type === "multiple") {
      var picked = [];
      els.forEach(function (i) { if (i.checked) { picked.push(i.value); } });
      return { choices: picked };
    }
    var v = els[0].value;
    if (type === "short") { return { text: v }; }
    v = v.trim().replace(",", ".");
    if (v === "") { return { number: null }; }
    var n = Number(v);
    return isFinite(n) ? { number: n } : null;
  }
  function restore(fs, answer) {
    var els = inputs(fs);
    if (answer.choices) { els.forEach(function (i) { i.checked = answer.choices.indexOf(i.value) >= 0; }); }
    if (answer.text !== undefined) { els[0].value = answer.text; }
    if (answer.number !== undefined) { els[0].value = answer.number === null ? "" : String(answer.number); }
  }

  function changed(fs) {
    var q = fs.getAttribute("data-question");
    var answer = answerOf(fs);
    if (answer === null) { setStatus(q, msg.notNumber, "warn"); return; }
    // at: when it was given, by the server's clock (the countdown's offset),
    // so that one sent after the deadline is kept as a late answer.
    journal[q] = { answer: answer, seq: nextSeq(), acked: false, at: Date.now() + offset };
    saveJournal();
    setStatus(q, msg.saving, "");
    send(q);
  }

  function send(q) {
    var entry = journal[q];
    if (!entry || entry.acked || entry.late || finished) { return; }
    if (inFlight[q]) { inFlight[q].again = true; return; }
    inFlight[q] = { again: false };
    var body = Object.assign({}, entry.answer, { seq: entry.seq });
    if (entry.at) { body.answered_at = new Date(entry.at).toISOString(); }
    var sent = csrfInput.value;
    request("/api/v1/attempts/" + attemptId + "/answers/" + encodeURIComponent(q), {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": sent, "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (res) {
      syncClock(res);
      if (res.ok) {
        return res.json().then(function (saved) {
          retryDelay = 1000;
          var current = journal[q];
          if (!current) { return; }
          if (saved.seq === current.seq && saved.status === "late") {
            // Given in time, arrived after it: kept, waits for the trainer.
            current.late = true;
            saveJournal();
            setStatus(q, msg.late, "warn");
            timeUp();
          } else if (saved.seq === current.seq) {
            current.acked = true;
            saveJournal();
            setStatus(q, msg.saved, "ok");
          } else if (saved.seq > current.seq) {
            // The server holds a newer answer from another device (or a clock
            // ahead of ours). What this page shows is the officer's latest
            // intent: number it above the server's and send it again.
            lastSeq = Math.max(lastSeq, saved.seq);
            current.seq = nextSeq();
            saveJournal();
            inFlight[q].again = true;
          }
        });
      }
      if (res.status === 409) { // refused for good: after the time, or the quiz closed
        journal[q].failed = true;
        saveJournal();
        setStatus(q, msg.tooLate, "bad");
        timeUp();
        return;
      }
      if (res.status === 403 && window.lecternCSRF) {
        // A token gone stale (signed out and in again in another tab, an
        // upgrade): sent again with the current one. Any other 403 is as below.
        return window.lecternCSRF.retryAfter(res, sent).then(function (renewed) {
          if (renewed) { inFlight[q].again = true; return; }
          setStatus(q, msg.signIn, "warn");
          schedule(busyCap);
        });
      }
      if (res.status === 401 || res.status === 403) { setStatus(q, msg.signIn, "warn"); schedule(busyCap); return; }
      if (res.status >= 500 || res.status === 429) { var busy = new Error("server " + res.status); busy.busy = true; throw busy; }
      journal[q].failed = true; // 400/404/422: sending again cannot help
      saveJournal();
      setStatus(q, msg.refused, "bad");
    }).catch(function (err) {
      setStatus(q, msg.offline, "warn");
      schedule(err && err.busy ? busyCap : downCap);
    }).then(function () {
      var again = inFlight[q] && inFlight[q].again;
      delete inFlight[q];
      showSync();
      if (again) { send(q); } // returns at once if the answer is settled meanwhile
      if (timeIsUp) { settle(); }
    });
  }

  // Retries back off: to 30 s while the server is busy (5xx, 429), but only to
  // 4 s while there is no network at all, so that the answers follow within
  // about 5 s of its return even when no "online" event comes (Wi-Fi up, no route).
  var busyCap = 30000, downCap = 4000;
  function schedule(cap) {
    if (retryTimer || finished) { return; }
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, Math.min(retryDelay, cap));
    retryDelay = Math.min(retryDelay * 2, busyCap);
  }
  function flush() {
    var todo = pending();
    if (todo.length === 0 && netDown && !finished) { probe(); }
    todo.forEach(send);
    showSync();
  }

  // request is fetch with a time limit: without a route a request hangs rather
  // than fails, and a hung save would hold its answer back long after the
  // network returns. Any answer from the server means the network is up.
  var firstContact = true, fromCopy = false;
  function request(url, opts) {
    var ctl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = ctl ? setTimeout(function () { ctl.abort(); }, netDown ? downCap : 20000) : null;
    if (ctl) { opts.signal = ctl.signal; }
    return fetch(url, opts).then(function (res) {
      clearTimeout(timer);
      firstContact = false;
      if (netDown) { netDown = false; setTimeout(back, 0); }
      return res;
    }, function (err) {
      clearTimeout(timer);
      // No network at the page's first request: this is the service worker's
      // copy (or the network went right after the page came).
      if (firstContact) { fromCopy = true; firstContact = false; }
      netDown = true;
      throw err;
    });
  }
  // probe asks whether the network is back when no answer is waiting to go.
  function probe() {
    request("/healthz", { cache: "no-store", credentials: "omit" }).catch(function () { schedule(downCap); }).then(showSync);
  }
  // back: the network has returned. Send what waits; a page shown from the
  // service worker's copy is then reloaded from the server.
  function back() {
    clearTimeout(retryTimer);
    retryTimer = null;
    retryDelay = 1000;
    flush();
    if (fromCopy) { reloadWhenSaved(); }
  }
  var reloading = false;
  function reloadWhenSaved() {
    if (reloading) { return; }
    reloading = true;
    Object.keys(typing).forEach(function (q) { // typing not yet journalled
      clearTimeout(typing[q]);
      delete typing[q];
      var fs = fieldset(q);
      if (fs) { changed(fs); }
    });
    var wait = setInterval(function () {
      if (finished || submitting) { clearInterval(wait); return; }
      if (!netDown && pending().length === 0 && Object.keys(inFlight).length === 0) {
        clearInterval(wait);
        window.location.reload();
      }
    }, 300);
  }
  // Try at once, not at the end of the backoff, when there is reason to think
  // the network is back: the browser says so, the phone wakes, the officer taps.
  var lastWake = 0;
  function wake(now) {
    if (finished || (!netDown && pending().length === 0)) { return; }
    if (now !== true && Date.now() - lastWake < 1000) { return; }
    lastWake = Date.now();
    clearTimeout(retryTimer);
    retryTimer = null;
    retryDelay = 1000;
    flush();
  }

  // Every change of an answer is saved at once; typing is saved when it pauses.
  var typing = {};
  form.addEventListener("change", function (e) {
    var fs = e.target.closest("fieldset[data-question]");
    if (fs) { clearTimeout(typing[fs.getAttribute("data-question")]); delete typing[fs.getAttribute("data-question")]; changed(fs); }
  });
  form.addEventListener("input", function (e) {
    var fs = e.target.closest("fieldset[data-question]");
    if (!fs || e.target.type === "radio" || e.target.type === "checkbox") { return; }
    var q = fs.getAttribute("data-question");
    clearTimeout(typing[q]);
    typing[q] = setTimeout(function () { delete typing[q]; changed(fs); }, 600);
  });
  window.addEventListener("online", function () { wake(true); });
  window.addEventListener("offline", showSync);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") { wake(true); } });
  ["pointerdown", "keydown"].forEach(function (ev) { window.addEventListener(ev, wake, { capture: true, passive: true }); });

  // Submitting with questions left blank asks first, on the page (a phone's
  // window.confirm is easy to tap through and hard to test): how many, then
  // Submit or Go back. One question per screen, the page shows only one: the
  // others are blank as the server said (data-unanswered) unless the journal
  // holds a newer answer. The form without script asks on a page of its own.
  var blankBox = document.getElementById("blank-confirm");
  var blankSubmitter = null;
  function isBlank(answer) {
    if (answer.choices) { return answer.choices.length === 0; }
    if (answer.text !== undefined) { return answer.text.trim() === ""; }
    return answer.number === null || answer.number === undefined;
  }
  function blankCount() {
    var blank = {};
    blankBox.getAttribute("data-unanswered").split(" ").forEach(function (q) { if (q) { blank[q] = true; } });
    Object.keys(journal).forEach(function (q) { if (!journal[q].failed) { blank[q] = isBlank(journal[q].answer); } });
    form.querySelectorAll("fieldset[data-question]").forEach(function (fs) {
      var answer = answerOf(fs); // null: not a number, which the server will name
      blank[fs.getAttribute("data-question")] = answer !== null && isBlank(answer);
    });
    return Object.keys(blank).filter(function (q) { return blank[q]; }).length;
  }
  if (blankBox) {
    // Capture: this runs before the submit handler below that waits for the network.
    form.addEventListener("submit", function (e) {
      if (!e.submitter || e.submitter.value !== "submit" || form.elements.confirm) { return; }
      var n = blankCount();
      if (n === 0) { return; }
      e.preventDefault();
      e.stopImmediatePropagation();
      blankSubmitter = e.submitter;
      var text = document.getElementById("blank-confirm-text");
      text.textContent = blankBox.getAttribute("data-text").replace("{n}", n);
      blankBox.hidden = false;
      text.setAttribute("tabindex", "-1");
      text.focus();
    }, true);
    document.getElementById("blank-confirm-yes").addEventListener("click", function () {
      var yes = document.createElement("input");
      yes.type = "hidden";
      yes.name = "confirm";
      yes.value = "1";
      form.appendChild(yes);
      blankBox.hidden = true;
      form.requestSubmit(blankSubmitter);
    });
    document.getElementById("blank-confirm-no").addEventListener("click", function () {
      blankBox.hidden = true;
      var first = Array.prototype.find.call(form.querySelectorAll("fieldset[data-question]"), function (fs) {
        var answer = answerOf(fs);
        return answer !== null && isBlank(answer);
      });
      (first ? first.querySelector("input") : blankSubmitter).focus();
    });
  }

  // Submitting waits until every answer has reached the server.
  form.addEventListener("submit", function (e) {
    if (pending().length === 0) {
      if (e.submitter && e.submitter.value === "submit") { localStorage.removeItem(journalKey); }
      return;
    }
    e.preventDefault();
    submitting = true;
    showSync();
    var submitter = e.submitter;
    flush();
    var wait = setInterval(function () {
      if (pending().length === 0) {
        clearInterval(wait);
        if (submitter && submitter.value === "submit") { localStorage.removeItem(journalKey); }
        form.requestSubmit(submitter);
      }
    }, 500);
  });

  // Start numbering above what the server already holds for this attempt.
  form.querySelectorAll("fieldset[data-seq]").forEach(function (fs) {
    lastSeq = Math.max(lastSeq, Number(fs.getAttribute("data-seq")) || 0);
  });
  // Answers journalled but not acknowledged (a reload while offline) are put
  // back in the form and sent again. So are acknowledged ones newer than the
  // page: the service worker's copy shows the answers of when it was kept.
  Object.keys(journal).forEach(function (q) {
    var fs = fieldset(q);
    var entry = journal[q];
    lastSeq = Math.max(lastSeq, entry.seq);
    if (fs && entry.late) { setStatus(q, msg.late, "warn"); return; }
    if (!fs || entry.failed) { return; }
    if (!entry.acked) { restore(fs, entry.answer); setStatus(q, msg.saving, ""); return; }
    if (entry.seq > (Number(fs.getAttribute("data-seq")) || 0)) { restore(fs, entry.answer); setStatus(q, msg.saved, "ok"); }
  });
  flush();
  if (pending().length === 0) { probe(); } // is this the server's page or the copy?

  // Countdown from the server's clock: the page knows the deadline and the
  // server's time when it was rendered; each response's Date header refines it.
  var timerEl = document.getElementById("timer");
  var valueEl = document.getElementById("timer-value");
  var liveEl = document.getElementById("timer-live");
  var deadline = Date.parse(timerEl.getAttribute("data-deadline"));
  var offset = Date.parse(timerEl.getAttribute("data-server-now")) - Date.now();
  var graceMs = (Number(timerEl.getAttribute("data-grace")) || 0) * 1000;
  var announced = {};
  function syncClock(res) {
    var d = res.headers.get("Date");
    if (d) { var server = Date.parse(d); if (!isNaN(server)) { offset = server + 500 - Date.now(); } }
  }
  function tick() {
    var left = Math.max(0, deadline - (Date.now() + offset));
    var s = Math.floor(left / 1000);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    valueEl.textContent = (h > 0 ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(sec).padStart(2, "0");
    [300, 60].forEach(function (mark) {
      if (s <= mark && s > mark - 5 && !announced[mark]) { announced[mark] = true; liveEl.textContent = msg["left" + mark]; }
    });
    if (left <= 0) { timeUp(); return; }
    setTimeout(tick, 1000 - ((Date.now() + offset) % 1000));
  }
  // The time is up: the answers can no longer change, but the journal is kept
  // and sent until the server has acknowledged, kept as late or refused each
  // answer in it; the page says which. Only then, and once the server has
  // finalised the attempt (after the quiz's grace), does it reload.
  function timeUp() {
    if (timeIsUp) { return; }
    timeIsUp = true;
    form.querySelectorAll("fieldset[data-question]").forEach(function (fs) { fs.disabled = true; });
    flush();
    liveEl.textContent = syncEl.textContent;
    settle();
  }
  var settleTimer = null;
  function settle() {
    showSync();
    if (finished || settleTimer || pending().length > 0 || Object.keys(inFlight).length > 0) { return; }
    liveEl.textContent = syncEl.textContent;
    var wait = Math.max(deadline + graceMs - (Date.now() + offset), 0) + 1000;
    settleTimer = setTimeout(function () {
      // Reload only when the server answers (a reload on a dead network would
      // show the browser's error page) and has ended the attempt or reopened it.
      fetch("/api/v1/attempts/" + attemptId, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } }).then(function (res) {
        if (!res.ok) { throw new Error("server " + res.status); }
        syncClock(res);
        return res.json();
      }).then(function (v) {
        var reopened = v.status === "open" && Date.parse(v.deadline) > Date.now() + offset;
        if (v.status !== "submitted" && !reopened) { throw new Error("not finalised yet"); }
        finished = true;
        if (v.status === "submitted") { try { localStorage.removeItem(journalKey); } catch (e) { /* nothing kept */ } }
        window.location.reload();
      }).catch(function () {
        settleTimer = null;
        setTimeout(settle, 3000);
      });
    }, wait);
  }
  tick();
  showSync();

  // The service worker (static/js/quiz-sw.js, served as /attempts/sw.js) keeps
  // this page and its files for a reload on a dead network. Where there is none
  // (an old browser, a private window refusing it) the page works as before,
  // with the journal alone.
  if ("serviceWorker" in navigator) {
    var here = location.href.split("#")[0];
    var files = Array.prototype.map.call(document.querySelectorAll('script[src^="/static/"], link[href^="/static/"]'), function (e) { return e.src || e.href; });
    navigator.serviceWorker.register("/attempts/sw.js", { scope: "/attempts/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      reg.active.postMessage({ type: "keep", page: here, files: files });
    }).catch(function (err) {
      if (window.console) { console.warn("no offline copy of the quiz page:", err); }
    });
  }
}());
