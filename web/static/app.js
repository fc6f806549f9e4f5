// Ordi's small browser helpers. No inline scripts: the CSP forbids them.
"use strict";

// Buttons with data-confirm ask before submitting their form.
document.addEventListener("submit", (ev) => {
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
  setTimeout(() => form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; b.setAttribute("aria-busy", "true"); }), 0);
});
