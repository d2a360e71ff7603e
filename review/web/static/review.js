// Keyboard shortcuts on the indicator page. No inline script anywhere (the CSP forbids it).
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  function go(url) { if (url) { window.location.assign(url); } }
  function submit(id) {
    var f = document.getElementById(id);
    if (f) { var b = f.querySelector("button[type=submit]"); if (b && !b.disabled) { f.requestSubmit(b); } }
  }
  function focus(selector) {
    var el = document.querySelector(selector);
    if (el) { el.focus(); el.scrollIntoView({ block: "center" }); }
  }
  document.addEventListener("keydown", function (ev) {
    var body = document.body;
    if (!body.classList.contains("item-page") || ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) { return; }
    switch (ev.key) {
      case "c": submit("form-confirm"); break;
      case "j": go(body.dataset.next); break;
      case "k": go(body.dataset.prev); break;
      case "u": go(body.dataset.sheet); break;
      case "a": focus("#form-adjust input[name=score]"); break;
      case "r": focus("form.reject input[name=reason]"); break;
      case "o": focus("#form-onsite input[name=reason]"); break;
      default: return;
    }
    ev.preventDefault();
  });
  // a decision is sent once: a second click while the first is on its way would be a conflict with oneself
  document.addEventListener("submit", function (ev) {
    var f = ev.target;
    if ((f.getAttribute("method") || "get").toLowerCase() !== "post") { return; }
    if (f.dataset.sent) { ev.preventDefault(); return; }
    f.dataset.sent = "1";
  });
  document.documentElement.dataset.keys = "on";  // the shortcuts are live (tests wait for this)
})();
