// The tablet's offline queue and its cache of units (issue 17, docs/offline.md).
//
// The actions people take on the tablet — a batch from the scanner, a step
// or an erasure on a unit's page, an attendance mark — are written to
// IndexedDB (through idb) with an Idempotency-Key before they are sent. An
// action that gets an answer leaves the queue; one that gets none (offline,
// the network dropped) stays and is sent again, in order and with the same
// key, when the network returns or on "Envoyer maintenant": the server
// answers a copy it has already run with its first answer, so nothing is
// applied twice. The banner in the header counts what waits and shows what
// became of each action.
//
// The units opened or scanned here are kept too (the last 200: code,
// status, description, last events; never a family), so that the scanner
// can show one without the network, marked with the time it was seen.
"use strict";

(() => {
  const MAX_UNITS = 200;
  const MAX_OUTCOMES = 30;
  const DAY = 24 * 3600 * 1000;
  const bar = () => document.getElementById("queue");
  const user = (bar() && bar().dataset.user) || "";
  if (!window.idb || !window.indexedDB) return;

  const dbp = idb.openDB("ordi", 1, {
    upgrade(db) {
      db.createObjectStore("actions", { keyPath: "seq", autoIncrement: true });
      db.createObjectStore("outcomes", { keyPath: "seq", autoIncrement: true });
      db.createObjectStore("units", { keyPath: "code" }).createIndex("seen_at", "seen_at");
    },
  });

  const plural = (n, one, many) => n + " " + (n > 1 ? many : one);
  const fr = (t) => String(t).replace(/ ([:»])/g, "\u00A0$1").replace(/ ([;!?])/g, "\u202F$1").replace(/« /g, "«\u00A0");
  const hhmm = (t) => new Date(t).toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Paris" });
  const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + "-" + Math.random().toString(36).slice(2));

  // Unit codes, checked as the server does (inventory/code.go): Crockford's
  // alphabet, I and L read as 1, O as 0, a Luhn mod 32 check symbol.
  const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  function parseCode(raw) {
    const s = String(raw).toUpperCase().replace(/[\s-]/g, "").replace(/[IL]/g, "1").replace(/O/g, "0");
    if (s.length !== 7) return "";
    let sum = 0, weight = 1;
    for (let i = s.length - 1; i >= 0; i--) {
      const v = ALPHABET.indexOf(s[i]);
      if (v < 0) return "";
      const x = weight * v;
      sum += Math.floor(x / 32) + (x % 32);
      weight = 3 - weight;
    }
    return sum % 32 === 0 ? s : "";
  }

  // --- The queue's store.

  async function pending() {
    const all = await (await dbp).getAll("actions");
    return all.filter((a) => a.user === user);
  }
  async function add(action) {
    action.user = user;
    action.key = action.key || newKey();
    action.created_at = action.created_at || Date.now();
    action.seq = await (await dbp).add("actions", action);
    render();
    return action;
  }
  async function drop(action) {
    await (await dbp).delete("actions", action.seq);
  }
  async function outcome(action, result, message, extra) {
    const db = await dbp;
    await db.add("outcomes", Object.assign({ user, label: action.label, code: action.code, result, message, at: Date.now(), action }, extra || {}));
    const keys = await db.getAllKeys("outcomes");
    for (const k of keys.slice(0, Math.max(0, keys.length - MAX_OUTCOMES))) await db.delete("outcomes", k);
  }
  async function outcomes() {
    return (await (await dbp).getAll("outcomes")).filter((o) => o.user === user).reverse();
  }

  // Another user signed in on this tablet: what the last one left is
  // theirs, and goes (it is never sent under another account).
  async function forgetOthers() {
    if (!user) return;
    const db = await dbp;
    let other = false;
    for (const store of ["actions", "outcomes"]) {
      for (const r of await db.getAll(store)) {
        if (r.user !== user) { other = true; await db.delete(store, r.seq); }
      }
    }
    const owner = await db.get("units", "\u0000owner");
    if (other || (owner && owner.user !== user)) await db.clear("units");
    await db.put("units", { code: "\u0000owner", user, seen_at: 0 });
  }
  async function clearAll() {
    const db = await dbp;
    await Promise.all(["actions", "outcomes", "units"].map((s) => db.clear(s)));
  }

  // --- Sending.

  // attempt sends an action once; it throws when no answer came.
  function attempt(a, live) {
    const headers = { "Idempotency-Key": a.key };
    if (a.type === "json") {
      headers["Content-Type"] = "application/json";
      headers.Accept = "application/json";
    } else {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
    }
    // A page form sent live keeps its redirect for the browser to follow
    // (the next page shows the server's confirmation); a replay follows it
    // here, to see where it leads.
    return fetch(a.url, { method: "POST", headers, body: a.body, credentials: "same-origin", redirect: live && a.type !== "json" ? "manual" : "follow" });
  }

  // reasonOf reads the server's French reason from an answer: the problem
  // document's detail and field messages, or a page's error block.
  async function reasonOf(res) {
    const text = await res.text();
    if ((res.headers.get("Content-Type") || "").includes("json")) {
      try {
        const p = JSON.parse(text);
        const fields = (p.errors || []).map((e) => e.message).filter(Boolean);
        return { message: [p.detail].concat(fields).filter(Boolean).join(" "), data: p };
      } catch (e) { /* not JSON after all */ }
    }
    const doc = new DOMParser().parseFromString(text, "text/html");
    const el = doc.querySelector("main .flash-error") || doc.querySelector("main article.error-page");
    return { message: el ? el.textContent.replace(/\s+/g, " ").trim() : "Refusée (" + res.status + ")." };
  }

  // judge reads an answer: "applied", "refused", "wait" (send again later:
  // the server is busy or a twin is running) or "login" (the session ended:
  // wait for this user's next sign-in).
  async function judge(a, res) {
    if (res.type === "opaqueredirect") return { state: "applied" };
    const path = new URL(res.url || location.href, location.href).pathname;
    if (res.status === 401 || (res.redirected && path === "/login")) return { state: "login" };
    if (res.status >= 500 || res.status === 429) return { state: "wait" };
    if (res.ok) {
      if (a.type !== "json") return { state: "applied" };
      const data = await res.json();
      return { state: "applied", data };
    }
    const r = await reasonOf(res);
    if (res.status === 409 && /^Requête identique en cours/.test(r.message)) return { state: "wait" };
    return Object.assign({ state: "refused", status: res.status }, r);
  }

  // record writes what became of a replayed action, for the banner.
  async function record(a, j) {
    if (j.state === "refused") {
      const extra = { status: j.status };
      if (j.data && j.data.confirm) extra.confirm = true;
      await outcome(a, "refused", j.message, extra);
      return;
    }
    if (a.kind === "batch" && j.data) {
      const items = j.data.items || [];
      const refused = items.filter((i) => i.result !== "ok" && i.result !== "already");
      // A unit whose status changed since it was scanned is a conflict:
      // it can be sent again on its new status.
      const seen = (JSON.parse(a.body).seen) || {};
      const conflicts = refused.filter((i) => i.code && seen[i.code] && i.status && seen[i.code] !== i.status);
      const msg = j.data.applied + " sur " + j.data.total + " " + (j.data.applied > 1 ? "unités ont changé" : "unité a changé") + " de statut.";
      await outcome(a, refused.length ? "partial" : "applied", msg, {
        refused: refused.map((i) => ({ code: i.code || i.input, message: i.message, status: i.status, conflict: conflicts.includes(i) })),
      });
      items.filter((i) => i.code && i.status).forEach((i) => remember(i));
      return;
    }
    await outcome(a, "applied", "");
  }

  let running = false;
  const inflight = new Set(); // keys of actions a page is sending live
  let retryTimer;
  // replay sends what waits, in order, one at a time, across tabs (a Web
  // Lock); it stops at the first action that gets no answer, or that must
  // wait, and tries again later.
  async function replay(opts) {
    if (!user || running) return;
    running = true;
    try {
      const go = async () => {
        // Until nothing waits: actions queued meanwhile go too.
        for (let list = await pending(); list.length; list = await pending()) for (const a of list) {
          // Being sent by the page that made it: that page will say.
          if (inflight.has(a.key)) return;
          if (!opts || !opts.old) {
            if (Date.now() - a.created_at > DAY) {
              await setState("Une action de plus de 24 h attend : vérifiez, puis « Envoyer maintenant ».");
              return;
            }
          }
          let res, j;
          try {
            res = await attempt(a, false);
            j = await judge(a, res);
          } catch (e) {
            later();
            return;
          }
          if (j.state === "wait") { later(); return; }
          if (j.state === "login") { await setState("Session terminée : les actions attendent votre reconnexion."); return; }
          await drop(a);
          await record(a, j);
          render();
        }
      };
      if (navigator.locks) await navigator.locks.request("ordi-queue", go);
      else await go();
    } finally {
      running = false;
      render();
    }
  }
  function later() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => replay(), 15000);
  }

  // submit is how a page sends an action: queued first, then sent at once
  // when the network is there. It answers { queued: true } when the action
  // waits, or { res } with the server's answer (the action then left the
  // queue: the page shows the answer as it always did).
  async function submit(action) {
    await add(action);
    if (!navigator.onLine) return { queued: true, offline: true };
    let res;
    inflight.add(action.key);
    try {
      res = await attempt(action, true);
    } catch (e) {
      later();
      return { queued: true };
    } finally {
      inflight.delete(action.key);
    }
    const j = await judge(action, res.clone());
    if (j.state === "wait" || (j.state === "login" && action.type === "json")) {
      later();
      return { queued: true, login: j.state === "login" };
    }
    await drop(action);
    render();
    replay();
    return { res };
  }

  // --- The banner.

  let stateText = "";
  async function setState(t) { stateText = t; await render(); }

  // render redraws the banner, at most every 100 ms: a replay of many
  // actions would otherwise redraw the whole list after each one.
  let drawing = null;
  function render() {
    if (!drawing) drawing = new Promise((r) => setTimeout(r, 100)).then(() => { drawing = null; return draw(); });
    return drawing;
  }

  async function draw() {
    const el = bar();
    if (!el || !user) return;
    const waiting = await pending();
    const done = await outcomes();
    el.classList.toggle("hidden", waiting.length === 0 && done.length === 0);
    el.classList.toggle("queue-waiting", waiting.length > 0);
    el.querySelector(".queue-count").textContent = waiting.length
      ? plural(waiting.length, "action en attente", "actions en attente")
      : "Aucune action en attente";
    el.querySelector(".queue-send").classList.toggle("hidden", waiting.length === 0);
    el.querySelector(".queue-clear").classList.toggle("hidden", done.length === 0);
    el.querySelector(".queue-state").textContent = fr(stateText || (waiting.length && !navigator.onLine ? "Hors ligne : elles partiront au retour du réseau." : ""));
    const list = el.querySelector(".queue-list");
    list.replaceChildren(...waiting.map(waitingRow), ...done.map(outcomeRow));
  }

  function waitingRow(a) {
    const li = document.createElement("li");
    li.className = "queue-item queue-pending";
    li.dataset.key = a.key;
    li.append(badge("badge-grey", "En attente"), " " + a.label);
    if (Date.now() - a.created_at > DAY) {
      li.append(note(" — faite il y a plus de 24 h : vérifiez l'unité avant d'envoyer."));
    }
    return li;
  }

  function outcomeRow(o) {
    const li = document.createElement("li");
    li.className = "queue-item queue-" + o.result;
    li.dataset.key = o.action.key;
    const tone = o.result === "applied" ? "badge-green" : "badge-orange";
    const word = o.result === "applied" ? "Appliquée" : o.result === "partial" ? "En partie refusée" : "Refusée";
    li.append(badge(tone, word), " " + o.label + " (" + hhmm(o.at) + ")");
    if (o.message) li.append(note(" — " + fr(o.message)));
    if (o.code) li.append(" ", link("/u/" + o.code, "Voir l'unité"));
    if (o.result === "refused" && o.status === 409 && o.action.kind === "form") {
      li.append(" ", button("Réappliquer sur la version actuelle", () => reapplyForm(o)));
    }
    if (o.result === "refused" && o.confirm) {
      li.append(" ", button("Confirmer et appliquer", () => reapplyBatch(o, JSON.parse(o.action.body).codes, true)));
    }
    if (o.refused && o.refused.length) {
      const ul = document.createElement("ul");
      o.refused.forEach((r) => {
        const item = document.createElement("li");
        item.append(link("/u/" + r.code, r.code), " : " + fr(r.message));
        ul.append(item);
      });
      li.append(ul);
      const conflicts = o.refused.filter((r) => r.conflict).map((r) => r.code);
      if (conflicts.length) {
        li.append(button("Réappliquer sur leur statut actuel (" + conflicts.length + ")", () => reapplyBatch(o, conflicts, false)));
      }
    }
    return li;
  }

  const badge = (tone, text) => Object.assign(document.createElement("span"), { className: "badge " + tone, textContent: text });
  const note = (text) => Object.assign(document.createElement("span"), { className: "queue-note", textContent: text });
  const link = (href, text) => Object.assign(document.createElement("a"), { href, textContent: text });
  function button(text, onclick) {
    const b = Object.assign(document.createElement("button"), { type: "button", className: "secondary queue-reapply", textContent: text });
    b.addEventListener("click", async () => { b.disabled = true; await onclick(); });
    return b;
  }

  // Re-applying after a refusal is a new decision: a new key, on the
  // unit's version (or status) now.
  async function forgetOutcome(o) { await (await dbp).delete("outcomes", o.seq); }
  async function reapplyForm(o) {
    let unit;
    try {
      const res = await fetch("/api/v1/units/" + o.code, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!res.ok) throw new Error("status " + res.status);
      unit = await res.json();
    } catch (e) {
      await setState("Réseau indisponible : réessayez au retour du réseau.");
      return;
    }
    const body = new URLSearchParams(o.action.body);
    body.set("version", String(unit.version));
    await forgetOutcome(o);
    await add({ kind: o.action.kind, type: o.action.type, url: o.action.url, label: o.action.label, code: o.code, body: body.toString() });
    replay();
  }
  async function reapplyBatch(o, codes, confirm) {
    const body = JSON.parse(o.action.body);
    const now = {};
    (o.refused || []).forEach((r) => { if (r.status) now[r.code] = r.status; });
    body.codes = codes;
    body.seen = {};
    codes.forEach((c) => { if (now[c]) body.seen[c] = now[c]; else if (o.confirm && JSON.parse(o.action.body).seen[c]) body.seen[c] = JSON.parse(o.action.body).seen[c]; });
    body.confirm = confirm || !!body.confirm;
    await forgetOutcome(o);
    await add({ kind: "batch", type: "json", url: o.action.url, label: batchLabel(body), body: JSON.stringify(body) });
    replay();
  }
  function batchLabel(body) {
    const to = document.querySelector('#scan-to option[value="' + body.to + '"]');
    return plural(body.codes.length, "unité", "unités") + " : " + (to ? to.textContent.trim() : body.to);
  }

  // --- The cache of units seen.

  // remember keeps what is known of a unit (a scan's answer, a unit page),
  // merged with what was kept before.
  async function remember(u) {
    if (!user || !u || !u.code) return;
    const db = await dbp;
    const old = (await db.get("units", u.code)) || {};
    const keep = { code: u.code, seen_at: Date.now() };
    for (const f of ["title", "kind_label", "status", "status_label", "status_tone", "version", "spec", "events"]) {
      keep[f] = u[f] !== undefined ? u[f] : old[f];
    }
    await db.put("units", keep);
    const n = await db.count("units");
    if (n > MAX_UNITS + 1) {
      let cursor = await db.transaction("units", "readwrite").store.index("seen_at").openCursor();
      let extra = n - MAX_UNITS - 1;
      while (cursor && extra > 0) {
        if (cursor.value.code !== "\u0000owner") { await cursor.delete(); extra--; }
        cursor = await cursor.continue();
      }
    }
  }
  async function findUnit(code) {
    const c = parseCode(code);
    return c ? (await (await dbp).get("units", c)) || null : null;
  }

  // --- Page forms: a unit's steps and erasures (form[data-queue]).

  document.addEventListener("submit", async (ev) => {
    const form = ev.target;
    if (ev.defaultPrevented || !form.matches || !form.matches("form[data-queue]")) return;
    ev.preventDefault();
    const body = new URLSearchParams(new FormData(form, ev.submitter));
    const action = { kind: "form", type: "form", url: form.getAttribute("action"), label: form.dataset.queue, code: form.dataset.queueCode, body: body.toString() };
    const r = await submit(action);
    if (r.res) {
      await showAnswer(r.res, form);
      return;
    }
    // Waiting: the page says so, and what is decided next on this page
    // will be checked against the unit as this action leaves it.
    document.querySelectorAll("main input[name=version]").forEach((i) => { i.value = String(Number(i.value) + 1); });
    const msg = document.createElement("p");
    msg.className = "flash flash-warn queued-notice";
    msg.setAttribute("role", "status");
    msg.textContent = fr((r.login ? "Session terminée" : "Hors ligne") + " : « " + action.label + " » est en attente. Elle sera envoyée au retour du réseau (voir le bandeau en haut).");
    document.querySelector("main").prepend(msg);
    form.querySelectorAll("button").forEach((b) => { b.disabled = false; b.removeAttribute("aria-busy"); });
    const details = form.closest("details");
    if (details) details.open = false;
    window.scrollTo(0, 0);
  });

  // showAnswer shows the server's answer to a page form sent live, as the
  // browser would have: a redirect is followed; a page (a refusal with the
  // form to correct) replaces this one.
  async function showAnswer(res, form) {
    if (res.type === "opaqueredirect") {
      location.assign(form.dataset.queueDone || location.href);
      return;
    }
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    doc.querySelectorAll("script").forEach((s) => s.remove());
    // The head (styles, scripts, icon) is the same on every page: the
    // title, the root's attributes and the body are the answer's.
    document.title = doc.title;
    const root = document.documentElement;
    [...root.attributes].forEach((a) => root.removeAttribute(a.name));
    [...doc.documentElement.attributes].forEach((a) => root.setAttribute(a.name, a.value));
    document.body.replaceWith(document.adoptNode(doc.body));
    if (window.htmx) htmx.process(document.body);
    render();
    window.scrollTo(0, 0);
  }

  // --- Attendance marks (htmx forms of the course sheet).

  document.addEventListener("htmx:configRequest", (ev) => {
    const form = ev.detail.elt;
    if (!form.matches || !form.matches("form[data-queue]")) return;
    const action = { kind: "attendance", type: "form", url: form.getAttribute("action"), label: form.dataset.queue, key: newKey(),
      body: new URLSearchParams(new FormData(form)).toString() };
    form._queued = action;
    if (!navigator.onLine) {
      ev.preventDefault();
      markQueued(form, action);
      return;
    }
    ev.detail.headers["Idempotency-Key"] = action.key;
  });
  document.addEventListener("htmx:sendError", (ev) => {
    const form = ev.detail.elt;
    if (form && form._queued) markQueued(form, form._queued);
  });

  // markQueued queues a mark and shows it on its cell, waiting; the next
  // tap on the cell queues the opposite mark.
  async function markQueued(form, action) {
    delete form._queued;
    await add(action);
    const present = new URLSearchParams(action.body).get("present") === "true";
    const btn = form.querySelector("button");
    btn.classList.remove("present", "absent", "unset");
    btn.classList.add(present ? "present" : "absent", "queued");
    btn.textContent = (present ? "Présent" : "Absent") + " (en attente)";
    btn.disabled = false;
    btn.removeAttribute("aria-busy");
    form.querySelector("input[name=present]").value = present ? "false" : "true";
    form.dataset.queue = form.dataset.queue.replace(/: \S+$/, ": " + (present ? "absent" : "présent"));
    later();
  }

  // --- Signing out, and who is signed in.

  document.addEventListener("submit", async (ev) => {
    const form = ev.target;
    if (ev.defaultPrevented || form.getAttribute("action") !== "/logout") return;
    ev.preventDefault();
    const n = (await pending()).length;
    if (n && !window.confirm(fr(plural(n, "action n'a pas encore été envoyée", "actions n'ont pas encore été envoyées") +
      " : en vous déconnectant, vous les supprimez de cette tablette. Se déconnecter quand même ?"))) {
      form.querySelectorAll("button").forEach((b) => { b.disabled = false; b.removeAttribute("aria-busy"); });
      return;
    }
    await clearAll();
    form.submit();
  });

  document.addEventListener("click", (ev) => {
    if (ev.target.closest(".queue-send")) {
      stateText = "";
      pending().then((all) => {
        const old = all.filter((a) => Date.now() - a.created_at > DAY);
        if (old.length && !window.confirm(fr(plural(old.length, "action a", "actions ont") + " plus de 24 h : le serveur ne peut plus reconnaître un envoi déjà fait. Envoyer quand même ?"))) return;
        replay({ old: true });
      });
    } else if (ev.target.closest(".queue-clear")) {
      dbp.then(async (db) => {
        for (const o of await outcomes()) await db.delete("outcomes", o.seq);
        render();
      });
    }
  });

  window.addEventListener("online", () => { stateText = ""; replay(); });
  window.addEventListener("offline", () => render());

  // A unit page keeps its unit for reading offline.
  function keepUnitPage() {
    const el = document.getElementById("unit-cache");
    if (el) remember(JSON.parse(el.dataset.unit));
  }

  window.ordiQueue = { submit, add, pending, replay, remember, findUnit, parseCode, render, batchLabel, hhmm };

  (async () => {
    if (!user) return;
    await forgetOthers();
    keepUnitPage();
    await render();
    if (navigator.onLine) replay();
  })();
})();
