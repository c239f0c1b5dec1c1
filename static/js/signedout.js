// Loaded by the sign-in page, where nobody is signed in: whatever the last
// person left of a quiz on this (perhaps shared) device goes, except what would
// be lost. Every sign-out lands here (the idle one too), and so does a session
// that simply ended. The service worker's copy of the quiz page goes.
// Of the quiz journals (quiz.js), answers the server acknowledged, kept as late
// answers or refused go; answers it has not acknowledged stay, being the only
// copy: they are sent when their officer next opens the attempt, and no page of
// anyone else shows them.
(function () {
  "use strict";
  if (window.caches) {
    caches.delete("lectern-quiz").catch(function (err) {
      if (window.console) { console.warn("could not empty the quiz page's offline copy:", err); }
    });
  }
  var keys = [];
  try {
    for (var i = 0; i < localStorage.length; i++) { keys.push(localStorage.key(i)); }
  } catch (e) { return; } // no storage: no journals either
  keys.forEach(function (key) {
    if (!key || key.indexOf("lectern.attempt.") !== 0) { return; }
    var journal;
    try { journal = JSON.parse(localStorage.getItem(key)) || {}; } catch (e) { journal = {}; }
    Object.keys(journal).forEach(function (q) {
      if (!journal[q] || journal[q].acked || journal[q].late || journal[q].failed) { delete journal[q]; }
    });
    if (Object.keys(journal).length === 0) { localStorage.removeItem(key); } else { localStorage.setItem(key, JSON.stringify(journal)); }
  });
}());
