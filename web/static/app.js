// Ordi's small browser helpers. No inline scripts: the CSP forbids them.
"use strict";

// Buttons with data-confirm ask before submitting their form.
document.addEventListener("submit", (ev) => {
  // A page's own check refused the form: no question to ask.
  if (ev.defaultPrevented) return;
  const btn = ev.submitter;
  const msg = (btn && btn.dataset.confirm) || ev.target.dataset.confirm;
  if (msg && !window.confirm(msg)) {
    ev.preventDefault();
  }
});

// A form being submitted disables its buttons so a double tap on a tablet
// cannot send it twice.
document.addEventListener("submit", (ev) => {
  if (ev.defaultPrevented) return;
  const form = ev.target;
  // A form opening its answer in another tab leaves this page usable.
  if (form.target === "_blank") return;
  setTimeout(() => form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; b.setAttribute("aria-busy", "true"); }), 0);
});

// Blocks marked data-show-when="select-id=value" show only while that select
// has that value (the new-donor fields of the donation form).
function syncShowWhen() {
  document.querySelectorAll("[data-show-when]").forEach((el) => {
    const [id, value] = el.dataset.showWhen.split("=");
    const select = document.getElementById(id);
    if (select) el.classList.toggle("hidden", select.value !== value);
  });
}
document.addEventListener("change", syncShowWhen);
document.addEventListener("DOMContentLoaded", syncShowWhen);

// A "check all" button checks every checkbox of the given name in its form,
// an "uncheck all" one unchecks them.
document.addEventListener("click", (ev) => {
  const btn = ev.target.closest("[data-check-all], [data-uncheck-all]");
  if (!btn) return;
  const check = "checkAll" in btn.dataset;
  const name = check ? btn.dataset.checkAll : btn.dataset.uncheckAll;
  btn.form.querySelectorAll(`input[type=checkbox][name="${name}"]`).forEach((b) => { b.checked = check; });
});

// A print form opens its PDF in a new tab; once sent for printing, reload
// the queue so printed units leave it.
document.addEventListener("submit", (ev) => {
  if (ev.target.id === "print-form" && ev.submitter && ev.submitter.name === "print") {
    setTimeout(() => window.location.reload(), 1500);
  }
});

// Label print forms (print queue, unit page, scan batch): the "labels
// already used" input follows the chosen paper. Its maximum is the option's
// data-skip-max (all but one label of a sheet); on a roll it is 0 and the
// input hides, since nothing can be skipped there.
(() => {
  function follow(select) {
    const skip = select.form && select.form.elements.namedItem("skip");
    const opt = select.selectedOptions[0];
    if (!skip || !opt || opt.dataset.skipMax === undefined) return;
    const max = Number(opt.dataset.skipMax);
    skip.max = String(max);
    if (max === 0) skip.value = "0";
    const wrap = skip.closest("label");
    if (wrap) wrap.classList.toggle("hidden", max === 0);
  }
  const selects = () => document.querySelectorAll("select[name=template]");
  document.addEventListener("change", (ev) => {
    if (ev.target.matches && ev.target.matches("select[name=template]")) follow(ev.target);
  });
  const init = () => selects().forEach(follow);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

// The add-unit form carries the last unit's description over within one
// kind only: choosing another kind empties what was carried (a screen must
// not get a laptop's weight and grade).
document.addEventListener("change", (ev) => {
  const form = ev.target.form;
  if (!form || !form.dataset.carriedKind || ev.target.name !== "kind" || ev.target.value === form.dataset.carriedKind) return;
  ["brand", "model", "cpu", "ram_gb", "storage_gb", "screen_inches", "weight_kg", "os", "grade"].forEach((n) => {
    if (form.elements[n]) form.elements[n].value = "";
  });
  if (form.elements.storage_kind) form.elements.storage_kind.value = form.dataset.blankStorage;
  delete form.dataset.carriedKind;
  const note = document.getElementById("unit-carried");
  if (note) note.remove();
});

// Session expiry. On a page with a form, a warning shows shortly before the
// idle timeout ends the session (body data-idle-seconds); "Rester connecté"
// asks the server, which renews it. Typing in a form renews it too, at most
// once a minute: somebody is there.
(() => {
  const idle = Number(document.body.dataset.idleSeconds || 0);
  const warning = document.getElementById("session-warning");
  const hasForm = () => document.querySelector('main form[method=post]:not([action="/logout"])') !== null;
  if (!idle || !warning || !hasForm()) return;
  const lead = Math.min(120, idle / 4) * 1000;
  let last = Date.now();
  let timer;
  const left = warning.querySelector(".session-left");
  function arm() {
    clearTimeout(timer);
    warning.classList.add("hidden");
    timer = setTimeout(show, idle * 1000 - lead);
  }
  function show() {
    const secs = Math.max(0, Math.round((idle * 1000 - (Date.now() - last)) / 1000));
    left.textContent = secs >= 90 ? `dans ${Math.round(secs / 60)} minutes` : `dans ${secs} seconde${secs > 1 ? "s" : ""}`;
    warning.classList.remove("hidden");
  }
  function renew() {
    last = Date.now();
    arm();
    return fetch("/api/v1/me", { credentials: "same-origin", headers: { Accept: "application/json" } });
  }
  warning.querySelector(".session-stay").addEventListener("click", renew);
  document.addEventListener("input", () => { if (Date.now() - last > 60000) renew(); });
  document.addEventListener("htmx:afterRequest", () => { last = Date.now(); arm(); });
  arm();
})();

// A form sent after the session ended comes back filled in once its author
// is signed in again (#pending-form, written by the server): the fields are
// put back into the form posting to the same address, to be checked and
// sent again.
(() => {
  function restore() {
    const kept = document.getElementById("pending-form");
    if (!kept) return;
    const form = [...document.querySelectorAll("form")].find((f) => f.getAttribute("action") === kept.dataset.action);
    if (!form) return;
    const fields = new URLSearchParams(kept.dataset.fields);
    const used = new Map();
    for (const [name, value] of fields) {
      const els = [...form.elements].filter((e) => e.name === name);
      if (!els.length) continue;
      const kind = els[0].type;
      if (kind === "checkbox" || kind === "radio") {
        const all = fields.getAll(name);
        els.forEach((e) => { e.checked = all.includes(e.value); });
      } else if (kind === "select-multiple") {
        const all = fields.getAll(name);
        [...els[0].options].forEach((o) => { o.selected = all.includes(o.value); });
      } else {
        const i = used.get(name) || 0;
        used.set(name, i + 1);
        if (els[i]) els[i].value = value;
      }
    }
    form.classList.add("restored");
    form.dispatchEvent(new Event("change", { bubbles: true }));
    const first = form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", restore);
  else restore();
})();

// A [data-print] button prints the page (the family's copy of its data).
document.addEventListener("click", (ev) => {
  if (ev.target.closest("[data-print]")) window.print();
});

// The installable app: the service worker keeps the static files and the
// scanner page for when the network drops (docs/offline.md).
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch(() => {});
}
