// The scan page: read labels with the camera (the browser's BarcodeDetector,
// or the barcode-detector ponyfill with zxing-wasm served by Ordi), typed
// codes or a keyboard-wedge scanner; open one unit, or collect a batch and
// apply one action to all of it.
"use strict";

(() => {
  const root = document.getElementById("scan");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  // French spacing, as the server puts it on its pages: the messages shown
  // here come from the API and are written with plain spaces.
  const fr = (t) => String(t).replace(/ ([:»])/g, "\u00A0$1").replace(/ ([;!?])/g, "\u202F$1").replace(/« /g, "«\u00A0");
  const input = $("scan-input");
  const list = $("scan-list");
  const batch = new Map(); // canonical code → item, the units the action applies to
  // Every known unit scanned, accepted or not: a new target status judges
  // them all again.
  const scanned = new Set();

  const mode = () => document.querySelector("input[name=mode]:checked").value;

  // Short beeps: high for OK, low for a problem.
  let audio;
  function beep(ok) {
    try {
      audio = audio || new AudioContext();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = ok ? 880 : 220;
      gain.gain.value = 0.15;
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + (ok ? 0.12 : 0.35));
    } catch (e) { /* no sound: the list still says it */ }
  }

  // A label's QR holds a URL ending in /u/CODE; a typed code is the code.
  function codeOf(text) {
    const t = text.trim();
    const m = t.match(/\/u\/([^/?#\s]+)/i);
    return m ? m[1] : t;
  }

  async function call(codes, dryRun, confirm) {
    const body = { action: mode(), codes, dry_run: dryRun };
    if (body.action === "print") {
      body.template = $("scan-template").value;
      body.skip = Number($("scan-skip").value || 0);
    }
    if (body.action === "transition") {
      body.to = $("scan-to").value;
      if (body.to === "recycled") {
        body.outlet = $("scan-outlet-name").value;
        body.outlet_reference = $("scan-outlet-ref").value;
      }
      // The status each unit had when scanned: one that changed since (moved
      // by someone else) is refused rather than moved on a stale view.
      if (!dryRun) {
        body.seen = {};
        codes.forEach((c) => { const item = batch.get(c); if (item && item.status) body.seen[c] = item.status; });
        body.confirm = !!confirm;
      }
    }
    let res;
    if (!dryRun && window.ordiQueue) {
      // A move goes through the offline queue: kept until it has an answer.
      const r = await ordiQueue.submit({ kind: "batch", type: "json", url: "/api/v1/units/batch", label: ordiQueue.batchLabel(body), body: JSON.stringify(body) });
      if (r.queued) {
        const err = new Error(r.login ? "Session terminée" : "Hors ligne");
        err.queued = r;
        throw err;
      }
      res = r.res;
    } else {
      if (!navigator.onLine) throw offline();
      try {
        res = await fetch("/api/v1/units/batch", {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
        });
      } catch (e) {
        throw offline();
      }
    }
    const data = await res.json();
    if (!res.ok) {
      const fields = (data.errors || []).map((e) => e.message).filter(Boolean);
      const err = new Error(fields.length ? fields.join(" ") : (data.detail || "Erreur"));
      err.confirm = data.confirm; // backward or irreversible moves to confirm
      throw err;
    }
    return data;
  }

  function offline() {
    const err = new Error("Hors ligne");
    err.offline = true;
    return err;
  }

  // Offline, a scan is judged from what this tablet has seen: a unit kept
  // in its cache shows its status then, marked with the time it was seen;
  // a well-formed code never seen here is taken, to be checked by the
  // server when the batch is sent; a code whose check symbol is wrong is
  // unknown, network or not.
  async function offlineItem(raw) {
    const code = window.ordiQueue ? ordiQueue.parseCode(raw) : "";
    if (!code) return { input: raw, result: "unknown", message: "Code inconnu" };
    const u = await ordiQueue.findUnit(code);
    if (!u) return { input: raw, code, result: "offline", message: "Inconnue hors ligne : pas encore vue sur cette tablette, vérifiée à l'envoi" };
    return { input: raw, code, title: u.title, status: u.status, status_label: u.status_label, status_tone: u.status_tone,
      result: "offline", message: "Hors ligne — vu à " + ordiQueue.hhmm(u.seen_at) + ", peut avoir changé", unit: u };
  }

  // offlineCard shows a unit kept in the cache, without the network.
  function offlineCard(u) {
    const card = $("scan-offline");
    card.replaceChildren();
    const head = document.createElement("p");
    head.className = "flash flash-warn";
    head.textContent = fr("Hors ligne — vu à " + ordiQueue.hhmm(u.seen_at) + " : ces informations peuvent avoir changé depuis.");
    const code = Object.assign(document.createElement("p"), { className: "code big-code", textContent: u.code });
    const title = Object.assign(document.createElement("h2"), { textContent: u.title || "" });
    card.append(head, code, title, statusBadge(u));
    if (u.spec) {
      const dl = document.createElement("dl");
      dl.className = "specs";
      u.spec.forEach(([k, v]) => dl.append(Object.assign(document.createElement("dt"), { textContent: k }), Object.assign(document.createElement("dd"), { textContent: v })));
      card.append(dl);
    }
    if (u.events && u.events.length) {
      card.append(Object.assign(document.createElement("h3"), { textContent: "Derniers événements" }));
      const ol = document.createElement("ol");
      ol.className = "timeline";
      u.events.forEach((e) => ol.append(Object.assign(document.createElement("li"), { textContent: e.label + " · " + e.at })));
      card.append(ol);
    }
    card.classList.remove("hidden");
  }

  const labels = { ok: "OK", dup: "Déjà scannée", unknown: "Code inconnu", refused: "Refusé", already: "Déjà fait", offline: "Hors ligne" };
  const tones = { ok: "badge-green", dup: "badge-grey", unknown: "badge-orange", refused: "badge-orange", already: "badge-grey", offline: "badge-grey" };
  function statusBadge(item) {
    const b = document.createElement("span");
    b.className = "badge badge-" + (item.status_tone || "grey");
    b.textContent = item.status_label || item.status;
    return b;
  }
  // row draws one scanned code: what the scan said, the code, the unit and
  // its current status, and the warning of a backward or irreversible move.
  function row(item, kind, message) {
    const li = document.createElement("li");
    li.className = "scan-item scan-" + kind;
    li.dataset.code = item.code || "";
    const badge = document.createElement("span");
    badge.className = "badge " + tones[kind];
    badge.textContent = labels[kind];
    const code = document.createElement("strong");
    code.className = "code";
    code.textContent = item.code || item.input;
    const text = document.createElement("span");
    text.textContent = " " + (item.title || "") + " ";
    li.append(badge, " ", code, text);
    if (item.status) li.append(statusBadge(item));
    if (message && kind !== "ok" && kind !== "dup") {
      const m = document.createElement("span");
      m.className = "scan-message";
      m.textContent = " — " + fr(message);
      li.append(m);
    }
    if (kind === "ok" && item.warning) {
      const w = document.createElement("p");
      w.className = "scan-caution";
      w.textContent = "⚠ " + fr(item.warning);
      li.append(w);
    }
    return li;
  }
  function show(item, kind, message) {
    list.prepend(row(item, kind, message));
    $("scan-batch").classList.remove("hidden");
    $("scan-confirm").classList.add("hidden");
    counts();
  }

  // The count of the batch and the apply button's words.
  function counts() {
    const ok = batch.size;
    const s = ok > 1 ? "s" : "";
    $("scan-count").textContent = "(" + ok + " à traiter)";
    $("scan-apply").textContent = mode() === "print" ? "Imprimer " + ok + " étiquette" + s : "Appliquer à " + ok + " unité" + s;
    $("scan-apply").disabled = ok === 0;
  }

  // recheck asks again about every unit of the batch (the target status
  // changed: what is backward or refused changes with it) and redraws it.
  async function recheck() {
    const codes = [...scanned];
    if (codes.length === 0 || mode() !== "transition") return;
    let r;
    try { r = await call(codes, true); } catch (e) { return; }
    batch.clear();
    list.replaceChildren();
    r.items.forEach((item) => {
      if (item.result === "ok") batch.set(item.code, item);
      list.prepend(row(item, item.result, item.message)); // newest first, as scanned
    });
    $("scan-confirm").classList.add("hidden");
    counts();
  }

  async function handle(text) {
    const raw = codeOf(text);
    if (!raw) return;
    $("scan-offline").classList.add("hidden");
    if (mode() === "open") {
      try {
        const r = await call([raw], true);
        const item = r.items[0];
        if (item.result === "unknown") { beep(false); show(item, "unknown"); return; }
        beep(true);
        if (window.ordiQueue) await ordiQueue.remember(item);
        window.location.href = "/u/" + item.code;
      } catch (e) {
        if (!e.offline) { beep(false); show({ input: raw }, "refused", e.message); return; }
        const item = await offlineItem(raw);
        if (item.unit) { beep(true); offlineCard(item.unit); return; }
        beep(false);
        show(item, item.result === "unknown" ? "unknown" : "offline", item.result === "unknown" ? "" : "Inconnue hors ligne : cette unité n'a pas encore été vue sur cette tablette ; réessayez avec le réseau");
      }
      return;
    }
    let item;
    try {
      item = (await call([raw], true)).items[0];
      if (item.code && item.status && window.ordiQueue) ordiQueue.remember(item);
    } catch (e) {
      if (!e.offline) { beep(false); show({ input: raw }, "refused", e.message); return; }
      item = await offlineItem(raw);
      if (item.result === "offline") {
        if (item.code && scanned.has(item.code)) { beep(false); show(item, "dup"); return; }
        if (mode() === "print") {
          beep(false);
          show(item, "offline", "Impression impossible hors ligne");
          return;
        }
        scanned.add(item.code);
        batch.set(item.code, item);
        beep(true);
        show(item, "offline", item.message);
        return;
      }
    }
    if (item.code && scanned.has(item.code)) { beep(false); show(item, "dup"); return; }
    if (item.code) scanned.add(item.code);
    if (item.result === "ok") {
      batch.set(item.code, item);
      beep(true);
      show(item, "ok");
    } else if (item.result === "already") {
      beep(false);
      show(item, "already", item.message);
    } else {
      beep(false);
      show(item, item.result, item.message);
    }
  }

  $("scan-typed").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = input.value;
    input.value = "";
    handle(v);
    input.focus();
  });

  document.querySelectorAll("input[name=mode]").forEach((r) => r.addEventListener("change", () => {
    batch.clear();
    scanned.clear();
    list.replaceChildren();
    $("scan-batch").classList.add("hidden");
    $("scan-result").classList.add("hidden");
    $("scan-confirm").classList.add("hidden");
    $("scan-paper").classList.toggle("hidden", mode() !== "print");
  }));
  $("scan-paper").classList.toggle("hidden", mode() !== "print");
  const to = $("scan-to");
  if (to) to.addEventListener("change", () => {
    $("scan-outlet").classList.toggle("hidden", to.value !== "recycled");
    recheck();
  });

  $("scan-clear").addEventListener("click", () => {
    batch.clear();
    scanned.clear();
    list.replaceChildren();
    $("scan-batch").classList.add("hidden");
    $("scan-confirm").classList.add("hidden");
  });

  // report shows "N sur M …" and, under it, each refused code with why.
  function report(text, items) {
    const result = $("scan-result");
    const refused = items.filter((i) => i.result !== "ok" && i.result !== "already");
    result.className = "flash " + (refused.length ? "flash-error" : "flash-ok");
    result.replaceChildren(document.createTextNode(text));
    if (refused.length) {
      const ul = document.createElement("ul");
      refused.forEach((i) => {
        const li = document.createElement("li");
        li.textContent = (i.code || i.input) + "\u00A0: " + fr(i.message);
        ul.append(li);
      });
      result.append(ul);
    }
  }

  // printBatch asks the server which codes it will print on the chosen
  // paper, then sends those to /labels/print, whose PDF opens in a tab.
  // The tab is opened at the tap: a tab opened after waiting for the server
  // could be blocked as a pop-up.
  async function printBatch(codes) {
    const result = $("scan-result");
    const skip = $("scan-skip");
    if (!skip.reportValidity()) return;
    const tab = window.open("", "ordi-etiquettes");
    let r;
    try {
      r = await call(codes, true);
    } catch (e) {
      if (tab) tab.close();
      result.className = "flash flash-error";
      result.textContent = fr(e.message);
      return;
    }
    const ok = r.items.filter((i) => i.result === "ok").map((i) => i.code);
    if (ok.length) {
      const form = $("scan-print");
      form.querySelectorAll("input[name=codes]").forEach((i) => i.remove());
      ok.forEach((c) => {
        const i = document.createElement("input");
        i.type = "hidden"; i.name = "codes"; i.value = c;
        form.append(i);
      });
      form.target = tab ? "ordi-etiquettes" : "_blank";
      form.submit();
    } else if (tab) {
      tab.close();
    }
    const s = ok.length > 1 ? "s" : "";
    report(ok.length + " étiquette" + s + " sur " + r.total + " envoyée" + s + " à l'impression" + (ok.length ? " (nouvel onglet)." : "."), r.items);
    batch.clear();
    scanned.clear();
    counts();
  }

  // apply sends the batch; a batch with backward or irreversible moves comes
  // back refused (nothing changed) naming them, and waits for "Confirmer".
  async function apply(confirm) {
    const codes = [...batch.keys()];
    if (codes.length === 0) return;
    const result = $("scan-result");
    const panel = $("scan-confirm");
    panel.classList.add("hidden");
    try {
      const r = await call(codes, false, confirm);
      const n = r.applied;
      if (window.ordiQueue) r.items.filter((i) => i.code && i.status).forEach((i) => ordiQueue.remember(i));
      report(n + " unité" + (n > 1 ? "s" : "") + " sur " + r.total + " " + (n > 1 ? "ont changé" : "a changé") + " de statut.", r.items);
      // What each unit became, in place of the scanned list.
      list.replaceChildren(...r.items.map((i) => row(i, i.result === "ok" ? "done" : i.result, i.message)));
      batch.clear();
      scanned.clear();
      counts();
      $("scan-count").textContent = "";
    } catch (e) {
      if (e.queued) {
        const n = codes.length;
        result.className = "flash flash-warn";
        result.textContent = fr((e.queued.login ? "Session terminée" : "Hors ligne") + " : " + n + " unité" + (n > 1 ? "s" : "") +
          " en attente. Le lot sera envoyé au retour du réseau (voir le bandeau en haut).");
        batch.clear();
        scanned.clear();
        list.replaceChildren();
        counts();
        return;
      }
      if (e.confirm && e.confirm.length) {
        $("scan-confirm-text").textContent = fr(e.message);
        panel.classList.remove("hidden");
        $("scan-confirm-yes").focus();
        return;
      }
      result.className = "flash flash-error";
      result.textContent = fr(e.message);
    }
  }
  labels.done = "Fait"; tones.done = "badge-green";

  $("scan-apply").addEventListener("click", () => {
    if (mode() === "print") {
      printBatch([...batch.keys()]);
      return;
    }
    apply(false);
  });
  $("scan-confirm-yes").addEventListener("click", () => apply(true));
  $("scan-confirm-no").addEventListener("click", () => $("scan-confirm").classList.add("hidden"));

  // Camera scanning.
  let lastValue = "", lastAt = 0;
  $("scan-camera").addEventListener("click", async () => {
    const msg = $("scan-camera-msg");
    const video = $("scan-video");
    let Detector = window.BarcodeDetector;
    if (!Detector && window.BarcodeDetectionAPI) {
      const wasm = root.dataset.wasm;
      window.BarcodeDetectionAPI.setZXingModuleOverrides({ locateFile: (path, prefix) => (path.endsWith(".wasm") ? wasm : prefix + path) });
      Detector = window.BarcodeDetectionAPI.BarcodeDetector;
    }
    if (!Detector || !navigator.mediaDevices) {
      msg.textContent = fr("Ce navigateur ne sait pas lire les QR codes : tapez les codes imprimés sous le QR, ou utilisez l'appareil photo de la tablette, qui ouvre directement la fiche.");
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (e) {
      msg.textContent = "La caméra n'est pas accessible. Autorisez-la pour ce site dans les réglages du navigateur (icône de cadenas à côté de l'adresse), puis réessayez. En attendant, tapez les codes.";
      return;
    }
    video.srcObject = stream;
    video.classList.remove("hidden");
    await video.play();
    msg.textContent = fr("Visez une étiquette : le code est lu tout seul.");
    const detector = new Detector({ formats: ["qr_code"] });
    const tick = async () => {
      try {
        const found = await detector.detect(video);
        for (const b of found) {
          const now = Date.now();
          // The camera sees the same label many times a second: read it once.
          if (b.rawValue === lastValue && now - lastAt < 3000) continue;
          lastValue = b.rawValue; lastAt = now;
          handle(b.rawValue);
        }
      } catch (e) { /* a frame that could not be read */ }
      setTimeout(tick, 250);
    };
    tick();
  });
})();
