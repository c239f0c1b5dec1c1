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
  var csrf = form.querySelector('input[name="csrf_token"]').value;
  var journalKey = "lectern.attempt." + attemptId;
  var syncEl = document.getElementById("sync-status");
  var msg = JSON.parse(document.getElementById("quiz-messages").textContent);
  var journal = loadJournal();
  var lastSeq = 0;
  var retryDelay = 1000;
  var retryTimer = null;
  var inFlight = {};
  var finished = false;
  var submitting = false;

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
    return Object.keys(journal).filter(function (q) { return !journal[q].acked && !journal[q].failed; });
  }
  function showSync() {
    var n = pending().length;
    var text = n === 0 ? msg.allSaved : (navigator.onLine === false ? msg.offlineN : msg.pendingN).replace("{n}", n);
    if (submitting && n > 0) { text = msg.waitSubmit + " " + text; }
    syncEl.textContent = text;
    syncEl.className = "sync " + (n === 0 ? "ok" : "warn");
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
    journal[q] = { answer: answer, seq: nextSeq(), acked: false };
    saveJournal();
    setStatus(q, msg.saving, "");
    send(q);
  }

  function send(q) {
    var entry = journal[q];
    if (!entry || entry.acked || finished) { return; }
    if (inFlight[q]) { inFlight[q].again = true; return; }
    inFlight[q] = { again: false };
    var body = Object.assign({}, entry.answer, { seq: entry.seq });
    fetch("/api/v1/attempts/" + attemptId + "/answers/" + encodeURIComponent(q), {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (res) {
      syncClock(res);
      if (res.ok) {
        return res.json().then(function (saved) {
          retryDelay = 1000;
          var current = journal[q];
          if (!current) { return; }
          if (saved.seq === current.seq) {
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
      if (res.status === 409) { timeUp(); return; }
      if (res.status === 401 || res.status === 403) { setStatus(q, msg.signIn, "warn"); schedule(); return; }
      if (res.status >= 500 || res.status === 429) { throw new Error("server " + res.status); }
      journal[q].failed = true; // 400/404/422: sending again cannot help
      saveJournal();
      setStatus(q, msg.refused, "bad");
    }).catch(function () {
      setStatus(q, msg.offline, "warn");
      schedule();
    }).then(function () {
      var again = inFlight[q] && inFlight[q].again;
      delete inFlight[q];
      showSync();
      if (again) { send(q); }
    });
  }

  function schedule() {
    if (retryTimer || finished) { return; }
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }
  function flush() { pending().forEach(send); showSync(); }

  // Every change of an answer is saved at once; typing is saved when it pauses.
  var typing = {};
  form.addEventListener("change", function (e) {
    var fs = e.target.closest("fieldset[data-question]");
    if (fs) { clearTimeout(typing[fs.getAttribute("data-question")]); changed(fs); }
  });
  form.addEventListener("input", function (e) {
    var fs = e.target.closest("fieldset[data-question]");
    if (!fs || e.target.type === "radio" || e.target.type === "checkbox") { return; }
    var q = fs.getAttribute("data-question");
    clearTimeout(typing[q]);
    typing[q] = setTimeout(function () { changed(fs); }, 600);
  });
  window.addEventListener("online", function () {
    clearTimeout(retryTimer); // the network is back: do not wait out the backoff
    retryTimer = null;
    retryDelay = 1000;
    flush();
  });
  window.addEventListener("offline", showSync);

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
  // back in the form and sent again.
  Object.keys(journal).forEach(function (q) {
    var fs = fieldset(q);
    var entry = journal[q];
    lastSeq = Math.max(lastSeq, entry.seq);
    if (fs && !entry.acked && !entry.failed) { restore(fs, entry.answer); setStatus(q, msg.saving, ""); }
  });
  flush();

  // Countdown from the server's clock: the page knows the deadline and the
  // server's time when it was rendered; each response's Date header refines it.
  var timerEl = document.getElementById("timer");
  var valueEl = document.getElementById("timer-value");
  var liveEl = document.getElementById("timer-live");
  var deadline = Date.parse(timerEl.getAttribute("data-deadline"));
  var offset = Date.parse(timerEl.getAttribute("data-server-now")) - Date.now();
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
  function timeUp() {
    if (finished) { return; }
    finished = true;
    liveEl.textContent = msg.timeUp;
    syncEl.textContent = msg.timeUp;
    try { localStorage.removeItem(journalKey); } catch (e) { /* nothing kept */ }
    setTimeout(function () { window.location.reload(); }, 1500);
  }
  tick();
  showSync();
}());
