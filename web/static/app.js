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
