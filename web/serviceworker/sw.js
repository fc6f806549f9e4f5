// Ordi's service worker (docs/offline.md): it keeps the static files and the
// scanner page, so that the tablet's app opens without the network. The
// server fills in VERSION and ASSETS (web/pwa.go); a new release has a new
// VERSION, which installs a new worker and drops the old cache.
"use strict";

const VERSION = "{{VERSION}}";
const ASSETS = {{ASSETS}};
const SHELL = "/scan";
const CACHE = "ordi-" + VERSION;

self.addEventListener("install", (ev) => {
  ev.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(ASSETS);
    await keepShell(cache);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (ev) => {
  ev.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith("ordi-") && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

// keepShell stores the scanner page as the signed-in user sees it; a page
// that sent us to the login (no session) is not kept, and drops the one kept.
async function keepShell(cache, res) {
  try {
    res = res || await fetch(SHELL, { credentials: "same-origin" });
  } catch (err) {
    return; // offline: keep what we have
  }
  if (res.ok && !res.redirected) {
    await cache.put(SHELL, res);
  } else if (res.redirected) {
    await cache.delete(SHELL);
  }
}

self.addEventListener("fetch", (ev) => {
  const req = ev.request;
  // Writes always go to the network (the offline queue is the page's).
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    ev.respondWith(fromCache(req));
  } else if (req.mode === "navigate") {
    ev.respondWith(navigate(req, url));
  }
});

// Static files have content-hashed names: a kept copy is always right.
async function fromCache(req) {
  const hit = await caches.match(req);
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok) {
    const cache = await caches.open(CACHE);
    await cache.put(req, res.clone());
  }
  return res;
}

// Pages come from the network; without it, the scanner page from the cache,
// any other page a French notice.
async function navigate(req, url) {
  try {
    const res = await fetch(req);
    if (url.pathname === SHELL) {
      await keepShell(await caches.open(CACHE), res.clone());
    } else if (url.pathname === "/login") {
      // Signed out, or the session ended: the kept scanner page showed
      // who was signed in, and goes.
      await (await caches.open(CACHE)).delete(SHELL);
    }
    return res;
  } catch (err) {
    const hit = url.pathname === SHELL && await caches.match(SHELL);
    if (hit) return hit;
    return offlinePage();
  }
}

function offlinePage() {
  const css = ASSETS.filter((a) => a.endsWith(".css"))
    .map((a) => '<link rel="stylesheet" href="' + a + '">').join("");
  const html = '<!doctype html><html lang="fr" data-theme="light"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Hors ligne · Ordi</title>' + css +
    '</head><body><main class="container"><h1>Hors ligne</h1>' +
    "<p>Cette page n'est pas disponible sans réseau. Le scanner reste utilisable.</p>" +
    '<p><a href="' + SHELL + '" role="button">Ouvrir le scanner</a></p></main></body></html>';
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}
