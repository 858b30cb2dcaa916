/* Kerne answer page: progress kept only in this browser, until the receipt.
 *
 * - Answers are saved in localStorage under a key made from a hash of the page's path
 *   (the token itself is never stored) and restored when the page is opened again.
 * - Submitting remembers that key in sessionStorage; the receipt (or an "already
 *   answered" page) removes the saved answers. A re-shown form (errors) keeps them.
 * - A progress indicator counts the answered questions; comments show characters used.
 * The page works without this script: it is a plain form.
 */
(function () {
  "use strict";
  var PENDING = "kerne-svar-sendt";
  var MAX_AGE_MS = 45 * 24 * 3600 * 1000;

  function hash(text) { // cyrb53: a short, stable, non-reversible key (not for security)
    var h1 = 0xdeadbeef, h2 = 0x41c6ce57;
    for (var i = 0; i < text.length; i++) {
      var ch = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
  }

  function storageKey() { return "kerne-svar:" + hash(location.pathname); }

  function safe(fn) { try { return fn(); } catch (e) { return null; } }

  function clearSaved(key) {
    safe(function () { localStorage.removeItem(key); });
  }

  // Receipt or "already answered": forget what was kept for the submitted page.
  if (document.querySelector(".receipt, [data-answer-done]")) {
    var pending = safe(function () { return sessionStorage.getItem(PENDING); });
    if (pending) clearSaved(pending);
    if (document.querySelector("[data-answer-done]")) clearSaved(storageKey());
    safe(function () { sessionStorage.removeItem(PENDING); });
    return;
  }

  var form = document.querySelector("form[data-answer-form]");
  if (!form) return;
  var key = storageKey();
  safe(function () { sessionStorage.removeItem(PENDING); });

  function fields() {
    return Array.prototype.slice.call(form.querySelectorAll("input[type=radio][name^='q-'], textarea[name^='c-']"));
  }

  function collect() {
    var data = {};
    fields().forEach(function (el) {
      if (el.type === "radio") { if (el.checked) data[el.name] = el.value; }
      else if (el.value) data[el.name] = el.value;
    });
    return data;
  }

  function save() {
    var payload = JSON.stringify({ saved: Date.now(), values: collect() });
    safe(function () { localStorage.setItem(key, payload); });
  }

  function restore() {
    var raw = safe(function () { return localStorage.getItem(key); });
    var stored = raw && safe(function () { return JSON.parse(raw); });
    if (!stored || !stored.values) return;
    if (Date.now() - (stored.saved || 0) > MAX_AGE_MS) { clearSaved(key); return; }
    var values = stored.values;
    var answeredGroups = {};
    fields().forEach(function (el) { if (el.type === "radio" && el.checked) answeredGroups[el.name] = true; });
    fields().forEach(function (el) {
      if (!(el.name in values)) return;
      if (el.type === "radio") {
        if (!answeredGroups[el.name] && el.value === values[el.name]) el.checked = true;
      } else if (!el.value) {
        el.value = values[el.name];
      }
    });
  }

  var items = Array.prototype.slice.call(form.querySelectorAll("[data-item]"));
  var bar = form.querySelector("progress");
  var text = form.querySelector("[data-progress-text]");
  var template = form.getAttribute("data-progress-template") || "%(answered)s / %(total)s";

  function updateProgress() {
    var answered = items.filter(function (fs) { return fs.querySelector("input:checked"); }).length;
    if (bar) bar.value = answered;
    var label = template.replace("%(answered)s", answered).replace("%(total)s", items.length);
    if (text && text.textContent !== label) text.textContent = label;
  }

  function updateCount(area) {
    var hint = form.querySelector("[data-count-for='" + area.name + "']");
    if (!hint) return;
    var limit = parseInt(area.getAttribute("maxlength"), 10) || 0;
    var tpl = hint.getAttribute("data-count-template");
    if (tpl) hint.textContent = tpl.replace("%(used)s", area.value.length).replace("%(limit)s", limit);
  }

  // A question or comment marked in red after a submission is cleared once it is put right:
  // a question when it gets an answer, a comment when it is within its limit again. The error
  // summary at the top stays as it was (it says what the last submission lacked).
  function clearError(box, field) {
    if (!box || !box.classList.contains("has-error")) return;
    box.classList.remove("has-error");
    box.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var message = form.querySelector("[id='" + field + "-error']");
    if (message) message.hidden = true;
    [box].concat(Array.prototype.slice.call(box.querySelectorAll("[aria-describedby]"))).forEach(function (el) {
      var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
        return id && id !== field + "-error";
      });
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
      else el.removeAttribute("aria-describedby");
    });
  }

  function settle(el) {
    if (!el || !el.name) return;
    if (el.type === "radio" && el.checked) clearError(el.closest("[data-item]"), el.name);
    if (el.matches && el.matches("textarea[data-comment]")) {
      var limit = parseInt(el.getAttribute("maxlength"), 10) || 0;
      if (!limit || el.value.length <= limit) clearError(el.closest(".answer-comment"), el.name);
    }
  }

  restore();
  fields().forEach(settle);
  updateProgress();
  form.querySelectorAll("textarea[data-comment]").forEach(updateCount);

  form.addEventListener("change", function (event) { settle(event.target); save(); updateProgress(); });
  form.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea")) {
      updateCount(event.target);
      settle(event.target);
      save();
    }
  });

  var sending = false;
  form.addEventListener("submit", function (event) {
    if (sending) { event.preventDefault(); return; } // a double click sends once
    sending = true;
    save();
    safe(function () { sessionStorage.setItem(PENDING, key); });
    window.setTimeout(function () { sending = false; }, 8000);
  });

  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();
