// The signature pad of the handover page: the family signs with a finger
// (or a mouse); the drawing is sent as a PNG with the form.
"use strict";

(() => {
  const canvas = document.getElementById("signature-pad");
  if (!canvas) return;
  const form = document.getElementById("handover-form");
  const hidden = document.getElementById("signature-png");
  const paper = document.getElementById("paper");
  const ctx = canvas.getContext("2d");
  ctx.lineWidth = 3;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = "#111";
  let drawing = false;
  let strokes = 0;

  function point(ev) {
    const r = canvas.getBoundingClientRect();
    return [(ev.clientX - r.left) * canvas.width / r.width, (ev.clientY - r.top) * canvas.height / r.height];
  }
  canvas.addEventListener("pointerdown", (ev) => {
    ev.preventDefault();
    canvas.setPointerCapture(ev.pointerId);
    drawing = true;
    strokes++;
    const [x, y] = point(ev);
    ctx.beginPath();
    ctx.moveTo(x, y);
  });
  canvas.addEventListener("pointermove", (ev) => {
    if (!drawing) return;
    const [x, y] = point(ev);
    ctx.lineTo(x, y);
    ctx.stroke();
  });
  const stop = () => { drawing = false; };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);

  document.getElementById("signature-clear").addEventListener("click", () => {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    strokes = 0;
  });
  paper.addEventListener("change", () => canvas.classList.toggle("disabled", paper.checked));

  // Checked before the confirmation dialog (app.js skips it for a submit
  // already refused): no dialog for a form that cannot pass.
  const missing = document.getElementById("signature-missing");
  form.addEventListener("submit", (ev) => {
    if (!paper.checked && strokes === 0) {
      ev.preventDefault();
      missing.classList.remove("hidden");
      canvas.scrollIntoView({ block: "center" });
      return;
    }
    missing.classList.add("hidden");
    hidden.value = !paper.checked && strokes > 0 ? canvas.toDataURL("image/png") : "";
  });
})();
