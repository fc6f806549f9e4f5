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
