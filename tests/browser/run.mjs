#!/usr/bin/env node
// run.mjs - souk's storefront in a real browser: headless Chromium (Debian's
// /usr/bin/chromium) driven by playwright-core.
//
//   cd tests/browser && npm ci            # once: playwright-core, pinned
//   node tests/browser/run.mjs --binary build/san/souk --backend sqlite
//   SOUK_TEST_DATABASE_URL=postgresql://... \
//     node tests/browser/run.mjs --binary build/san/souk --backend postgres
//
// Starts `souk serve --migrate` itself on a free loopback port (a private copy
// of the binary, a temporary data directory; on PostgreSQL a schema of its own
// in the test database, dropped afterwards), builds a small catalog through
// the admin API, then walks a shopper's path: home, a collection from the
// nav, a vendor filter, a price sort, a product, its variant picker with
// JavaScript on and off, the header search and the keyboard. Each page is also
// checked for alt texts, heading order, JavaScript errors and failed
// requests. Screenshots go to tests/artifacts/browser/BACKEND/.
//
// Prints "ok   NAME" or "FAIL NAME" and the reason per check, then exactly one
// line "browser-BACKEND: N passed, N failed"; exits 1 on any failure. The
// browser is always closed and the server always stopped with SIGTERM (and
// must exit 0 without a sanitizer report); an overall deadline kills both.
//
// Options: --timeout SECONDS (overall, default 120), --keep (keep the
// temporary directory and print where it is), --templates DIR and --static
// DIR (default: the repository's templates/ and static/; to try a theme).

import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");
const CHROMIUM = "/usr/bin/chromium";
// As the machine notes say: without the background-networking flags Chromium
// keeps trying (and failing) to reach Google's hosts. Playwright adds
// --headless itself and gives every launch a fresh, empty user data dir.
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const DESKTOP = { width: 1280, height: 900 };
const MOBILE = { width: 390, height: 844 };
const ADMIN_TOKEN = "browser-test-admin-token-" + randomBytes(16).toString("hex");

// ------------------------------------------------------------ arguments

function parseArgs(argv) {
  const a = {
    binary: null,
    backend: null,
    timeout: 120,
    keep: false,
    templates: path.join(REPO, "templates"),
    static: path.join(REPO, "static"),
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`${k} needs a value`);
      return argv[++i];
    };
    if (k === "--binary") a.binary = next();
    else if (k === "--backend") a.backend = next();
    else if (k === "--timeout") a.timeout = Number(next());
    else if (k === "--keep") a.keep = true;
    else if (k === "--templates") a.templates = path.resolve(next());
    else if (k === "--static") a.static = path.resolve(next());
    else usage(`unknown argument ${k}`);
  }
  if (!a.binary || !["sqlite", "postgres"].includes(a.backend)) usage("--binary and --backend are required");
  if (!(a.timeout > 0)) usage("--timeout must be a number of seconds");
  return a;
}

function usage(msg) {
  process.stderr.write(`run.mjs: ${msg}\nusage: node tests/browser/run.mjs --binary PATH --backend sqlite|postgres [--timeout S] [--keep] [--templates DIR] [--static DIR]\n`);
  process.exit(2);
}

const args = parseArgs(process.argv.slice(2));
const LABEL = `browser-${args.backend}`;
const ARTIFACTS = path.join(REPO, "tests", "artifacts", "browser", args.backend);

// ------------------------------------------------------------ reporting

// What cleanup needs: the server, the browser, the temporary directory, the
// PostgreSQL schema, the deadline timer; dead once the deadline has passed.
const state = { server: null, browser: null, tmp: null, pg: null, timer: null, dead: false };

let passed = 0;
let failed = 0;
let finished = false;

function report(ok, name, detail) {
  // After the deadline, what the walk still reports is noise of the kill.
  if (finished || state.dead) return;
  if (ok) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}`);
    for (const line of String(detail || "").trimEnd().split("\n")) console.log(`    ${line}`);
  }
}

class Failure extends Error {}

function ok(cond, msg) {
  if (!cond) throw new Failure(msg);
}

function eq(got, want, what) {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  if (g !== w) throw new Failure(`${what}: got ${g}, want ${w}`);
}

// One check: runs fn, reports it; returns whether it passed.
async function check(name, fn) {
  try {
    await fn();
    report(true, name);
    return true;
  } catch (e) {
    const msg = e instanceof Failure ? e.message : (e && e.stack ? e.stack.split("\n").slice(0, 6).join("\n") : String(e));
    report(false, name, msg);
    return false;
  }
}

// ------------------------------------------------------------ cleanup


function removeTmp() {
  if (state.tmp && !args.keep) fs.rmSync(state.tmp, { recursive: true, force: true });
  else if (state.tmp) console.log(`# kept ${state.tmp}`);
  state.tmp = null;
}

function dropSchema() {
  if (!state.pg) return;
  const { psql, url, schema } = state.pg;
  state.pg = null;
  const r = spawnSync(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", `DROP SCHEMA IF EXISTS ${schema} CASCADE`], {
    encoding: "utf8",
    timeout: 20000,
  });
  if (r.status !== 0) console.log(`# could not drop schema ${schema}: ${(r.stderr || r.error || "").toString().trim()}`);
}

function finish(code) {
  if (finished) return;
  console.log(`${LABEL}: ${passed} passed, ${failed} failed`);
  finished = true;
  process.exit(code);
}

// The overall deadline: whatever is running, kill the server (Playwright
// kills the browser it launched when this process exits) and report.
function onDeadline() {
  report(false, "overall deadline", `the run did not finish within ${args.timeout} s; browser and server killed`);
  state.dead = true;
  if (state.server && state.server.proc.exitCode === null) {
    try {
      state.server.proc.kill("SIGKILL");
    } catch {}
  }
  const b = state.browser;
  state.browser = null;
  const done = () => {
    dropSchema();
    removeTmp();
    finish(1);
  };
  if (b) Promise.race([b.close().catch(() => {}), sleep(3000)]).then(done);
  else done();
}

for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    report(false, "interrupted", `run.mjs got ${sig}`);
    if (state.server && state.server.proc.exitCode === null) state.server.proc.kill("SIGKILL");
    dropSchema();
    removeTmp();
    finish(1);
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// ------------------------------------------------------------ the server

const SANITIZER_MARKS = [
  "ERROR: AddressSanitizer",
  "ERROR: LeakSanitizer",
  "runtime error:",
  "SUMMARY: AddressSanitizer",
  "SUMMARY: UndefinedBehaviorSanitizer",
  "ThreadSanitizer",
];

// This environment without any souk configuration (as the integration tests
// do), with the sanitizer defaults of tests/run.sh, plus extra.
function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === "DATABASE_URL" || k === "SECRET_KEY" || k.startsWith("SOUK_") || k.startsWith("DB_")) continue;
    env[k] = v;
  }
  env.ASAN_OPTIONS ??= "abort_on_error=1:detect_leaks=1";
  env.UBSAN_OPTIONS ??= "print_stacktrace=1:halt_on_error=1";
  env.LSAN_OPTIONS ??= `suppressions=${path.join(REPO, "tests", "lsan.supp")}:print_suppressions=0`;
  return Object.assign(env, extra);
}

function startServer(binary, env, cwd) {
  return new Promise((resolve, reject) => {
    const proc = spawn(binary, ["serve", "--migrate"], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    const srv = { proc, lines: [], port: null, exit: null };
    srv.exited = new Promise((r) => proc.on("exit", (code, signal) => r((srv.exit = { code, signal }))));
    let partial = "";
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(new Failure(`souk serve did not log its port within 30 s:\n${srv.lines.slice(-20).join("\n")}`));
    }, 30000);
    proc.stderr.setEncoding("utf8");
    proc.stderr.on("data", (chunk) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop();
      for (const line of parts) {
        srv.lines.push(line);
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
        if (m && !settled) {
          settled = true;
          clearTimeout(timer);
          srv.port = Number(m[1]);
          resolve(srv);
        }
      }
    });
    proc.stderr.on("end", () => partial && srv.lines.push(partial));
    proc.stdout.resume();
    proc.on("error", (e) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(new Failure(`could not start ${binary}: ${e.message}`));
      }
    });
    srv.exited.then(({ code, signal }) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        setTimeout(
          () => reject(new Failure(`souk serve exited (code ${code}, signal ${signal}) before listening:\n${srv.lines.slice(-20).join("\n")}`)),
          100,
        );
      }
    });
  });
}

async function stopServer(srv) {
  if (srv.exit === null) srv.proc.kill("SIGTERM");
  const r = await Promise.race([srv.exited, sleep(15000).then(() => null)]);
  if (r === null) {
    srv.proc.kill("SIGKILL");
    await srv.exited;
    throw new Failure("souk serve did not exit within 15 s of SIGTERM (killed)");
  }
  const text = srv.lines.join("\n");
  const i = srv.lines.findIndex((l) => SANITIZER_MARKS.some((m) => l.includes(m)));
  if (i >= 0) throw new Failure(`sanitizer report on the server's stderr:\n${srv.lines.slice(Math.max(0, i - 1), i + 40).join("\n")}`);
  ok(r.code === 0, `souk serve exited with code ${r.code} signal ${r.signal} (want 0); last lines:\n${srv.lines.slice(-15).join("\n")}`);
  return text;
}

// ------------------------------------------------------------ PostgreSQL

function findPsql() {
  const r = spawnSync("sh", ["-c", "command -v psql"], { encoding: "utf8" });
  if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  for (const v of ["17", "16", "15", "14", "13"]) {
    const p = `/usr/lib/postgresql/${v}/bin/psql`;
    if (fs.existsSync(p)) return p;
  }
  return null;
}

// A schema of our own in the shared test database, so that what the
// integration tests left there does not show in the storefront (and we leave
// nothing behind). The server reaches it through libpq's options parameter.
function pgSchema(url) {
  const psql = findPsql();
  if (!psql) throw new Failure("psql not found (install postgresql-client)");
  const schema = `souk_browser_${process.pid}_${randomBytes(4).toString("hex")}`;
  const r = spawnSync(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", `CREATE SCHEMA ${schema}`], {
    encoding: "utf8",
    timeout: 20000,
  });
  if (r.status !== 0) throw new Failure(`could not create schema ${schema}: ${(r.stderr || String(r.error)).trim()}`);
  state.pg = { psql, url, schema };
  const sep = url.includes("?") ? "&" : "?";
  return `${url}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

// ------------------------------------------------------------ the catalog

function svg(label, bg, fg = "#1d232b") {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600" viewBox="0 0 600 600">
<rect width="600" height="600" fill="${bg}"/>
<circle cx="300" cy="250" r="120" fill="${fg}" opacity="0.12"/>
<text x="300" y="470" font-family="sans-serif" font-size="44" text-anchor="middle" fill="${fg}">${label}</text>
</svg>
`;
}

const MEDIA = {
  "shirt-white.svg": svg("Linen Shirt", "#f1eee6"),
  "shirt-sand.svg": svg("Linen Shirt · Sand", "#d9c6a5"),
  "scarf.svg": svg("Wool Scarf", "#b7c4cf"),
  "apron.svg": svg("Field Apron", "#c7b8a1"),
  "jacket.svg": svg("Denim Jacket", "#7d93b2", "#fff"),
  "tote.svg": svg("Canvas Tote", "#e5dcc6"),
  "tee.svg": svg("Cotton Tee", "#f5f5f0"),
  "shell.svg": svg("Rain Shell", "#e9b949"),
  "mug.svg": svg("Ceramic Mug", "#d8d3cb"),
  "teapot.svg": svg("Teapot", "#8fa58b", "#fff"),
  "board.svg": svg("Cutting Board", "#c49a6c"),
  "napkins.svg": svg("Linen Napkins", "#ece6da"),
  "candle.svg": svg("Beeswax Candle", "#f3d27a"),
  "bottle.svg": svg("Trail Bottle", "#5f8f86", "#fff"),
  "lantern.svg": svg("Camp Lantern", "#3b4a5a", "#fff"),
};

const COLLECTIONS = [
  { title: "Apparel", handle: "apparel", featured: true, position: 1, body_html: "<p>Clothes that last.</p>" },
  { title: "Home", handle: "home-goods", featured: true, position: 2, body_html: "<p>For the kitchen and the table.</p>" },
  { title: "Outdoors", handle: "outdoors", featured: false, position: 3, body_html: "<p>Gear for the trail.</p>" },
];

// The Linen Shirt: two options, variants of different prices and stock.
const SHIRT_VARIANTS = [
  { sku: "LS-S-WHT", options: ["S", "White"], price: 4500, inventory_quantity: 5 },
  { sku: "LS-S-SND", options: ["S", "Sand"], price: 4500, inventory_quantity: 4 },
  { sku: "LS-M-WHT", options: ["M", "White"], price: 4800, compare_at_price: 6000, inventory_quantity: 3 },
  { sku: "LS-M-SND", options: ["M", "Sand"], price: 4900, inventory_quantity: 2 },
  { sku: "LS-L-WHT", options: ["L", "White"], price: 5200, inventory_quantity: 0 },
  { sku: "LS-L-SND", options: ["L", "Sand"], price: 5400, inventory_quantity: 7 },
];

function simple(title, vendor, type, price, image, extra = {}) {
  const handle = title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return {
    title,
    handle,
    vendor,
    product_type: type,
    status: "active",
    body_html: `<p>${extra.body || `A well made ${title.toLowerCase()} from ${vendor}.`}</p>`,
    tags: extra.tags || [],
    variants: [
      {
        sku: handle.toUpperCase(),
        price,
        compare_at_price: extra.compare_at ?? null,
        inventory_quantity: extra.stock ?? 10,
        inventory_policy: "deny",
      },
    ],
    images: [{ src: `test/${image}`, alt: `${title}`, width: 600, height: 600 }],
    collections: extra.collections,
  };
}

const PRODUCTS = [
  {
    title: "Linen Shirt",
    handle: "linen-shirt",
    vendor: "Atlas Mills",
    product_type: "Shirts",
    status: "active",
    body_html: "<p>A breathable shirt of washed linen, cut loose for summer.</p><ul><li>100% linen</li><li>Mother-of-pearl buttons</li></ul>",
    tags: ["linen", "summer"],
    options: ["Size", "Color"],
    variants: SHIRT_VARIANTS.map((v) => ({ compare_at_price: null, inventory_policy: "deny", ...v })),
    images: [
      { src: "test/shirt-white.svg", alt: "Linen Shirt in white", width: 600, height: 600 },
      { src: "test/shirt-sand.svg", alt: "Linen Shirt in sand", width: 600, height: 600 },
    ],
    collections: ["apparel"],
  },
  // Twelve tags across Apparel: ten shown, two folded under "2 more".
  simple("Wool Scarf", "Atlas Mills", "Accessories", 3800, "scarf.svg", { tags: ["wool", "winter"], collections: ["apparel"] }),
  simple("Field Apron", "Atlas Mills", "Accessories", 2900, "apron.svg", { tags: ["cotton", "workwear"], collections: ["apparel"] }),
  simple("Denim Jacket", "Harbor & Co", "Outerwear", 12000, "jacket.svg", { compare_at: 15000, tags: ["denim", "workwear", "sale"], collections: ["apparel"] }),
  simple("Canvas Tote", "Harbor & Co", "Bags", 2400, "tote.svg", { tags: ["canvas", "cotton"], collections: ["apparel"] }),
  simple("Cotton Tee", "Northwind", "Shirts", 1800, "tee.svg", { tags: ["cotton", "basics"], collections: ["apparel"] }),
  simple("Rain Shell", "Northwind", "Outerwear", 9500, "shell.svg", { stock: 0, tags: ["waterproof", "gift"], collections: ["apparel", "outdoors"] }),
  simple("Ceramic Mug", "Kiln Works", "Kitchen", 2200, "mug.svg", { collections: ["home-goods"] }),
  simple("Stoneware Teapot", "Kiln Works", "Kitchen", 6400, "teapot.svg", { collections: ["home-goods"] }),
  simple("Oak Cutting Board", "Grove Supply", "Kitchen", 4100, "board.svg", { collections: ["home-goods"] }),
  simple("Linen Napkins", "Atlas Mills", "Table", 2600, "napkins.svg", { body: "Four napkins of stonewashed linen.", collections: ["home-goods"] }),
  simple("Beeswax Candle", "Grove Supply", "Decor", 1500, "candle.svg", { collections: ["home-goods"] }),
  simple("Trail Bottle", "Northwind", "Gear", 2100, "bottle.svg", { collections: ["outdoors"] }),
  simple("Camp Lantern", "Harbor & Co", "Gear", 5800, "lantern.svg", { collections: ["outdoors"] }),
];

async function api(base, method, p, body) {
  const res = await fetch(base + p, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(15000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Failure(`${method} ${p}: ${res.status} ${text.slice(0, 600)}`);
  return text ? JSON.parse(text) : null;
}

// Returns what the checks need to know: the shirt's variant ids by options.
async function buildCatalog(base) {
  for (const c of COLLECTIONS) await api(base, "POST", "/api/v1/collections", c);
  const ids = {};
  for (const p of PRODUCTS) {
    const { collections, ...body } = p;
    const made = await api(base, "POST", "/api/v1/products", body);
    ids[p.handle] = made;
    for (const c of collections || []) await api(base, "PUT", `/api/v1/collections/${c}/products/${made.id}`);
  }
  const shirt = ids["linen-shirt"];
  const variant = {};
  for (const v of shirt.variants) variant[v.options.join("/")] = v.id;
  // The sand picture belongs to the L / Sand variant.
  const sandImage = shirt.images.find((im) => im.src.endsWith("shirt-sand.svg"));
  await api(base, "PATCH", `/api/v1/products/${shirt.id}/images/${sandImage.id}`, { variant_id: variant["L/Sand"] });
  const all = await api(base, "GET", "/api/v1/products?limit=100");
  eq(all.total, PRODUCTS.length, "active products in the API after building the catalog");
  return { variant };
}

// ------------------------------------------------------------ page helpers

// Watch a page for JavaScript errors and failed requests.
function watch(page, sink) {
  page.on("pageerror", (e) => sink.push(`JavaScript error on ${page.url()}: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    // A failed load is also a response >= 400, reported below with its URL.
    if (m.text().startsWith("Failed to load resource")) return;
    sink.push(`console error on ${page.url()}: ${m.text()}`);
  });
  page.on("requestfailed", (r) => {
    const why = r.failure() && r.failure().errorText;
    // The browser itself cancels a page's icon request when the test moves
    // on to the next page; that is no failure of the server's.
    if (why === "net::ERR_ABORTED" && /\/static\/favicon\./.test(r.url())) return;
    sink.push(`request failed: ${r.url()} (${why})`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) {
      const u = new URL(r.url());
      if (u.pathname === "/favicon.ico") sink.favicon = true;
      else sink.push(`${r.status()} for ${r.url()}`);
    }
  });
}

// Load every lazy image, so that a full-page screenshot shows them all.
async function loadImages(page) {
  await page.evaluate(async () => {
    const imgs = [...document.querySelectorAll("img")];
    for (const im of imgs) im.loading = "eager";
    await Promise.all(
      imgs.map((im) =>
        im.complete
          ? null
          : new Promise((res) => {
              im.addEventListener("load", res);
              im.addEventListener("error", res);
              setTimeout(res, 5000);
            }),
      ),
    );
  });
}

async function shot(page, name, fullPage = true) {
  if (fullPage) await loadImages(page);
  await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage });
}

async function text(page, sel) {
  return (await page.locator(sel).first().innerText()).trim();
}

// Alt text on every <img>, one h1 and no skipped heading level, every image
// loaded. Throws a Failure naming what is wrong.
async function pageHygiene(page) {
  // Lazy images below the fold are not loaded yet: load them for the check.
  await loadImages(page);
  const r = await page.evaluate(() => {
    const imgs = [...document.querySelectorAll("img")];
    const noAlt = imgs.filter((im) => !im.hasAttribute("alt") || im.getAttribute("alt").trim() === "").map((im) => im.outerHTML.slice(0, 120));
    const broken = imgs.filter((im) => im.naturalWidth === 0).map((im) => im.getAttribute("src"));
    const heads = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].map((h) => ({ level: Number(h.tagName[1]), text: h.textContent.trim() }));
    return { n: imgs.length, noAlt, broken, heads };
  });
  const problems = [];
  if (r.noAlt.length) problems.push(`images without alt text: ${r.noAlt.join(" | ")}`);
  if (r.broken.length) problems.push(`images that did not load: ${r.broken.join(", ")}`);
  const h1 = r.heads.filter((h) => h.level === 1);
  if (h1.length !== 1) problems.push(`${h1.length} h1 elements (want 1): ${JSON.stringify(h1.map((h) => h.text))}`);
  if (r.heads.length && r.heads[0].level !== 1) problems.push(`the first heading is h${r.heads[0].level} "${r.heads[0].text}", not the h1`);
  for (let i = 1; i < r.heads.length; i++) {
    if (r.heads[i].level > r.heads[i - 1].level + 1)
      problems.push(`heading level skipped: h${r.heads[i - 1].level} "${r.heads[i - 1].text}" then h${r.heads[i].level} "${r.heads[i].text}"`);
  }
  if (problems.length) throw new Failure(problems.join("\n"));
  return r;
}

async function cardTitles(page) {
  return (await page.locator("ul.grid .card .card-title").allInnerTexts()).map((s) => s.trim());
}

// The first amount of each card's price, in cents: "From $45.00" -> 4500.
async function cardPrices(page) {
  const texts = await page.locator("ul.grid .card .price").allInnerTexts();
  return texts.map((t) => {
    const m = /(\d+)\.(\d{2})/.exec(t);
    return m ? Number(m[1]) * 100 + Number(m[2]) : NaN;
  });
}

// Wait (briefly) until sel's text is want; a Failure with what it is if not.
async function waitText(page, sel, want, what, timeout = 5000) {
  const deadline = Date.now() + timeout;
  let got;
  for (;;) {
    got = (await page.locator(sel).first().innerText()).trim();
    if (got === want || Date.now() > deadline) break;
    await sleep(50);
  }
  eq(got, want, what);
}

// The ?variant= of the page's URL must be id (product.js sets it with
// history.replaceState, in the same event handler as the price).
function variantInUrl(page, id, what) {
  const u = new URL(page.url());
  ok(u.searchParams.get("variant") === id, `${what}: the URL is ${u.pathname}${u.search}, want ?variant=${id}`);
}

async function isVisible(page, sel) {
  return page.locator(sel).first().isVisible();
}

// The computed outline of the focused element: is focus visible?
async function focusInfo(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el) return null;
    const cs = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      cls: el.className,
      text: (el.textContent || "").trim().slice(0, 40),
      outlineStyle: cs.outlineStyle,
      outlineWidth: parseFloat(cs.outlineWidth) || 0,
      boxShadow: cs.boxShadow,
      inViewport: r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight,
      focusVisible: el.matches(":focus-visible"),
    };
  });
}

function visibleFocus(f) {
  return f && f.focusVisible && ((f.outlineStyle !== "none" && f.outlineWidth > 0) || (f.boxShadow && f.boxShadow !== "none"));
}

// ------------------------------------------------------------ the walk

async function walk(browser, base, cat) {
  const problems = []; // JavaScript errors and failed requests, all pages
  const ctx = await browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1 });
  ctx.setDefaultTimeout(10000);
  ctx.setDefaultNavigationTimeout(15000);
  const page = await ctx.newPage();
  watch(page, problems);
  const shirtUrl = `${base}/products/linen-shirt`;

  // -- home
  await check("home: renders the store with its featured collections", async () => {
    const res = await page.goto(base + "/");
    eq(res.status(), 200, "status of /");
    eq(await page.locator("h1").textContent(), "souk", "h1");
    const h2 = (await page.locator("main h2").allInnerTexts()).map((s) => s.trim());
    ok(h2.includes("Apparel") && h2.includes("Home") && h2.includes("New arrivals"), `section headings ${JSON.stringify(h2)}`);
    ok(!h2.includes("Outdoors"), "Outdoors is not featured but has a section on the home page");
    const nav = (await page.locator("header nav[aria-label=Collections] a").allInnerTexts()).map((s) => s.trim());
    eq(nav, ["Apparel", "Home", "Outdoors"], "collection nav");
    const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    eq(bg, "rgb(251, 250, 247)", "page background (is souk.css applied?)");
    ok((await page.locator("ul.grid .card").count()) >= 8, "fewer than 8 product cards on the home page");
    await shot(page, "01-home.png");
  });
  await check("home: the hero leads with the first featured collection, not the store's name again", async () => {
    if (page.url() !== base + "/") await page.goto(base + "/");
    const h1 = await page.locator("h1").boundingBox();
    ok(h1 && h1.width <= 1 && h1.height <= 1, `the h1 (the store's name, which the header shows) is visible: ${JSON.stringify(h1)}`);
    const hero = page.locator("section.hero");
    eq(await hero.locator("h2").innerText(), "Apparel", "the hero's heading");
    eq(await hero.locator("p.lede").innerText(), "Clothes that last.", "the hero's text");
    ok(!(await hero.innerText()).includes("souk"), "the hero repeats the store's name");
    ok((await hero.locator("ul.grid .card").count()) >= 4, "the hero shows the collection's products");
    await Promise.all([page.waitForURL(`${base}/collections/apparel`), hero.getByRole("link", { name: "Shop all of Apparel" }).click()]);
    eq(await text(page, "h1"), "Apparel", "h1 after following the hero's link");
  });
  await check("home: every img has alt text, one h1, headings in order", async () => {
    if (page.url() !== base + "/") await page.goto(base + "/");
    await pageHygiene(page);
  });

  // -- a collection, from its nav link
  await check("collection: the nav link opens Apparel", async () => {
    if (!page.url().startsWith(base)) await page.goto(base + "/");
    await Promise.all([page.waitForURL(`${base}/collections/apparel`), page.locator("header nav a", { hasText: "Apparel" }).click()]);
    eq(await text(page, "h1"), "Apparel", "h1");
    eq(await page.locator('header nav a[aria-current="page"]').innerText(), "Apparel", "current nav link");
    eq(await text(page, ".total"), "7 products", "count text");
    eq((await cardTitles(page)).length, 7, "cards");
    // Featured order: the order the products were placed in the collection.
    eq(await cardTitles(page), ["Linen Shirt", "Wool Scarf", "Field Apron", "Denim Jacket", "Canvas Tote", "Cotton Tee", "Rain Shell"], "cards in the collection's order");
    const soldOut = page.locator(".card", { hasText: "Rain Shell" }).locator(".badge");
    eq((await soldOut.innerText()).trim(), "Sold out", "badge of the sold-out Rain Shell");
    const jacket = (await page.locator(".card", { hasText: "Denim Jacket" }).locator(".price").innerText()).replace(/\s+/g, " ").trim();
    eq(jacket, "$120.00 $150.00", "Denim Jacket price with its compare-at price");
    ok(/^From \$45\.00/.test((await page.locator(".card", { hasText: "Linen Shirt" }).locator(".price").innerText()).trim()), "the Linen Shirt card should read 'From $45.00'");
    await shot(page, "02-collection.png");
  });
  await check("collection: every img has alt text, one h1, headings in order", () => pageHygiene(page));

  // -- filter by a vendor
  await check("filter: ticking vendor Atlas Mills and Apply shows only its products", async () => {
    if (!page.url().startsWith(`${base}/collections/apparel`)) await page.goto(`${base}/collections/apparel`);
    const box = page.getByRole("checkbox", { name: /Atlas Mills/ });
    eq(await box.isChecked(), false, "checkbox before");
    const label = (await page.locator("form.filters label", { has: box }).innerText()).replace(/\s+/g, " ").trim();
    eq(label, "Atlas Mills (3)", "facet label with its count");
    await box.check();
    await Promise.all([page.waitForURL(/vendor=/), page.locator("form.filters button[type=submit]").click()]);
    const u = new URL(page.url());
    eq(u.pathname, "/collections/apparel", "path after filtering");
    eq(u.searchParams.getAll("vendor"), ["Atlas Mills"], "vendor in the URL");
    eq(await text(page, ".total"), "3 products", "count text");
    const vendors = (await page.locator("ul.grid .card .card-vendor").allInnerTexts()).map((s) => s.trim());
    eq([...new Set(vendors)], ["Atlas Mills"], "vendors shown");
    eq((await cardTitles(page)).sort(), ["Field Apron", "Linen Shirt", "Wool Scarf"], "products shown");
    eq(await page.getByRole("checkbox", { name: /Atlas Mills/ }).isChecked(), true, "checkbox stays ticked");
    ok(await page.locator("form.filters a.clear").isVisible(), "no 'Clear filters' link while a filter is active");
    const robots = await page.locator('meta[name="robots"]').getAttribute("content");
    eq(robots, "noindex", "robots meta of a filtered page");
    await shot(page, "03-filtered.png");
  });

  // -- sort by price
  await check("sort: 'Price, low to high' + Apply orders the filtered products by price", async () => {
    if (!/vendor=/.test(page.url())) await page.goto(`${base}/collections/apparel?vendor=Atlas+Mills`);
    await page.locator("select#sort").selectOption({ label: "Price, low to high" });
    await Promise.all([page.waitForURL(/sort=price-asc/), page.locator("form.filters button[type=submit]").click()]);
    const u = new URL(page.url());
    eq(u.searchParams.get("sort"), "price-asc", "sort in the URL");
    eq(u.searchParams.getAll("vendor"), ["Atlas Mills"], "the vendor filter is kept");
    const prices = await cardPrices(page);
    eq(prices, [2900, 3800, 4500], "prices shown, in cents");
    eq(await cardTitles(page), ["Field Apron", "Wool Scarf", "Linen Shirt"], "order of the products");
    eq(await page.locator("select#sort").inputValue(), "price-asc", "selected sort after reload");
    eq(await text(page, ".total"), "3 products", "count text");
    await shot(page, "04-sorted.png");
  });
  await check("sort: 'Price, high to low' reverses the order", async () => {
    await page.locator("select#sort").selectOption("price-desc");
    await Promise.all([page.waitForURL(/sort=price-desc/), page.locator("form.filters button[type=submit]").click()]);
    eq(await cardPrices(page), [4500, 3800, 2900], "prices shown, in cents");
    // Back to low-to-high for the next step's click.
    await page.goBack();
    await page.waitForURL(/sort=price-asc/);
  });
  await check("listing (filtered, sorted): every img has alt text, one h1, headings in order", () => pageHygiene(page));
  // -- a long facet list folds; a facet with nothing to choose is left out
  await check("facets: ten tags shown, the other two behind '2 more', opened with the keyboard", async () => {
    await page.goto(`${base}/collections/apparel`);
    const tags = page.locator("form.filters fieldset", { has: page.locator("legend", { hasText: "Tag" }) });
    // Boxes in a closed <details> are out of the accessibility tree: by CSS.
    const boxes = tags.locator("input[type=checkbox]");
    const wool = tags.locator('input[value="wool"]');
    eq(await boxes.count(), 12, "tag checkboxes in the page");
    const visible = [];
    for (let i = 0; i < 12; i++) if (await boxes.nth(i).isVisible()) visible.push(await boxes.nth(i).getAttribute("value"));
    eq(visible, ["cotton", "workwear", "basics", "canvas", "denim", "gift", "linen", "sale", "summer", "waterproof"], "tags visible at first");
    const summary = tags.locator("details > summary");
    eq((await summary.innerText()).replace(/\s+/g, " ").trim(), "2 more tag options", "the disclosure's text (\"tag options\" for screen readers)");
    eq(await wool.isVisible(), false, "the folded 'wool' box is visible before opening");
    // From the last shown box, Tab reaches the disclosure; Enter opens it.
    await tags.getByRole("checkbox", { name: /waterproof/ }).focus();
    await page.keyboard.press("Tab");
    const f = await focusInfo(page);
    ok(f && f.tag === "summary", `Tab after the last shown tag focused ${JSON.stringify(f)}, not the disclosure`);
    ok(visibleFocus(f), `focus is not visible on the disclosure: ${JSON.stringify(f)}`);
    await page.keyboard.press("Enter");
    ok(await wool.isVisible(), "Enter on the disclosure did not show the folded tags");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    const g = await focusInfo(page);
    ok(g && g.tag === "input", `two Tabs past the disclosure focused ${JSON.stringify(g)}`);
    await page.keyboard.press("Space");
    eq(await wool.isChecked(), true, "Space ticks the folded 'wool' box");
    await shot(page, "03b-tags-unfolded.png");
    await Promise.all([page.waitForURL(/tag=wool/), page.locator("form.filters button[type=submit]").click()]);
    eq(await cardTitles(page), ["Wool Scarf"], "products tagged wool");
    ok(await wool.isChecked(), "the chosen folded tag is not ticked after the reload");
    ok(await wool.isVisible(), "the chosen folded tag is hidden after the reload");
  });
  await check("facets: a brand that every result has is not offered, unless chosen", async () => {
    await page.goto(`${base}/search?q=linen`);
    const legends = (await page.locator("form.filters legend").allInnerTexts()).map((s) => s.trim());
    eq(legends, ["Type", "Tag", "Price", "Availability"], "filter groups of a search whose results share one brand");
    await page.goto(`${base}/search?q=linen&vendor=Atlas+Mills`);
    const chosen = (await page.locator("form.filters legend").allInnerTexts()).map((s) => s.trim());
    eq(chosen, ["Brand", "Type", "Tag", "Price", "Availability"], "filter groups with that brand chosen");
    eq(await page.getByRole("checkbox", { name: /Atlas Mills/ }).isChecked(), true, "the chosen brand's box");
  });

  // -- the product, from its card
  await check("product: clicking the Linen Shirt card opens its page", async () => {
    if (!/\/collections\//.test(page.url())) await page.goto(`${base}/collections/apparel?vendor=Atlas+Mills&sort=price-asc`);
    await Promise.all([page.waitForURL(`${base}/products/linen-shirt`), page.locator(".card a", { hasText: "Linen Shirt" }).click()]);
    eq(await text(page, "h1"), "Linen Shirt", "h1");
    eq(await text(page, ".details .vendor"), "Atlas Mills", "vendor");
    eq(await text(page, "#price-amount"), "$45.00", "price of the default variant (S / White)");
    eq(await isVisible(page, "#compare-at"), false, "compare-at price visible for S / White");
    eq(await text(page, "#availability"), "In stock", "availability");
    eq(await text(page, "#sku"), "SKU LS-S-WHT", "SKU");
    eq(await page.locator("#option1").inputValue(), "S", "Size select");
    eq(await page.locator("#option2").inputValue(), "White", "Color select");
    eq((await page.locator("#option1 option").allInnerTexts()).map((s) => s.trim()), ["S", "M", "L"], "Size values");
    eq((await page.locator("#option2 option").allInnerTexts()).map((s) => s.trim()), ["White", "Sand"], "Color values");
    eq(await page.getByRole("button", { name: "Show this option" }).count(), 0, "the no-JavaScript button is shown although JavaScript runs");
    eq(await page.locator("label[for=option1]").innerText(), "Size", "label of the first select");
    const crumbs = (await page.locator("nav.crumbs").innerText()).replace(/\s+/g, " ").trim();
    eq(crumbs, "Home / Apparel", "breadcrumb");
    eq(await page.locator("#main-image").getAttribute("src"), "/media/test/shirt-white.svg", "main image");
    await shot(page, "05-product.png");
  });
  await check("product: every img has alt text, one h1, headings in order", () => pageHygiene(page));

  await check("variant (JS): Size M shows $48.00, compare-at $60.00, In stock, ?variant=", async () => {
    if (!page.url().startsWith(shirtUrl)) await page.goto(shirtUrl);
    await page.locator("#option1").selectOption("M");
    await waitText(page, "#price-amount", "$48.00", "price after choosing M");
    variantInUrl(page, cat.variant["M/White"], "M / White");
    eq(await isVisible(page, "#compare-at"), true, "compare-at visible");
    eq(await text(page, "#compare-at"), "$60.00", "compare-at price");
    eq(await text(page, "#availability"), "In stock", "availability");
    eq(await page.locator("#availability").getAttribute("data-available"), "true", "data-available");
    eq(await text(page, "#sku"), "SKU LS-M-WHT", "SKU");
    eq(new URL(page.url()).pathname, "/products/linen-shirt", "path");
    await shot(page, "06-product-variant-m-white.png");
  });
  await check("variant (JS): Size L / White is Sold out at $52.00, no compare-at", async () => {
    await page.locator("#option1").selectOption("L");
    await waitText(page, "#price-amount", "$52.00", "price after choosing L");
    variantInUrl(page, cat.variant["L/White"], "L / White");
    eq(await isVisible(page, "#compare-at"), false, "compare-at visible");
    eq(await text(page, "#availability"), "Sold out", "availability");
    eq(await page.locator("#availability").getAttribute("data-available"), "false", "data-available");
    const color = await page.locator("#availability").evaluate((e) => getComputedStyle(e).color);
    eq(color, "rgb(164, 38, 44)", "colour of 'Sold out' (--sale)");
    await shot(page, "07-product-variant-l-white-sold-out.png");
  });
  await check("variant (JS): Color Sand gives L / Sand, $54.00, In stock, its own image", async () => {
    await page.locator("#option2").selectOption("Sand");
    await waitText(page, "#price-amount", "$54.00", "price after choosing Sand");
    variantInUrl(page, cat.variant["L/Sand"], "L / Sand");
    eq(await text(page, "#availability"), "In stock", "availability");
    eq(await page.locator("#main-image").getAttribute("src"), "/media/test/shirt-sand.svg", "main image");
    eq(await page.locator("#main-image").getAttribute("alt"), "Linen Shirt in sand", "main image alt");
    eq(await page.locator("#main-image").evaluate((im) => im.complete && im.naturalWidth > 0), true, "variant image loaded");
  });
  await check("variant (JS): the ?variant= URL, loaded anew, renders that variant", async () => {
    await page.goto(`${shirtUrl}?variant=${cat.variant["M/White"]}`);
    eq(await text(page, "#price-amount"), "$48.00", "price");
    eq(await text(page, "#compare-at"), "$60.00", "compare-at price");
    eq(await page.locator("#option1").inputValue(), "M", "Size select");
    eq(await page.locator("#option2").inputValue(), "White", "Color select");
  });

  // -- the product without JavaScript
  const nojs = await browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1, javaScriptEnabled: false });
  nojs.setDefaultTimeout(10000);
  nojs.setDefaultNavigationTimeout(15000);
  const np = await nojs.newPage();
  watch(np, problems);
  await check("variant (no JS): L / White + 'Show this option' renders Sold out, $52.00", async () => {
    await np.goto(shirtUrl);
    eq(await text(np, "#price-amount"), "$45.00", "price before");
    const btn = np.getByRole("button", { name: "Show this option" });
    ok(await btn.isVisible(), "the 'Show this option' button is not visible without JavaScript");
    await np.locator("#option1").selectOption("L");
    await np.locator("#option2").selectOption("White");
    eq(new URL(np.url()).search, "", "the URL changed without submitting (JavaScript is off)");
    await Promise.all([np.waitForURL(/option1=L/), btn.click()]);
    const u = new URL(np.url());
    eq(u.pathname, "/products/linen-shirt", "path");
    eq([u.searchParams.get("option1"), u.searchParams.get("option2")], ["L", "White"], "options in the URL");
    eq(await text(np, "#price-amount"), "$52.00", "server-rendered price");
    eq(await text(np, "#availability"), "Sold out", "server-rendered availability");
    eq(await isVisible(np, "#compare-at"), false, "compare-at visible");
    eq(await text(np, "#sku"), "SKU LS-L-WHT", "SKU");
    eq(await np.locator("#option1").inputValue(), "L", "Size select after the reload");
    eq(await np.locator("#option2").inputValue(), "White", "Color select after the reload");
    await shot(np, "08-product-nojs-l-white.png");
  });
  await check("variant (no JS): M / White renders $48.00 with compare-at $60.00, In stock", async () => {
    if (!np.url().startsWith(shirtUrl)) await np.goto(shirtUrl);
    await np.locator("#option1").selectOption("M");
    await np.locator("#option2").selectOption("White");
    await Promise.all([np.waitForURL(/option1=M/), np.getByRole("button", { name: "Show this option" }).click()]);
    eq(await text(np, "#price-amount"), "$48.00", "server-rendered price");
    eq(await isVisible(np, "#compare-at"), true, "compare-at visible");
    eq(await text(np, "#compare-at"), "$60.00", "server-rendered compare-at price");
    eq(await text(np, "#availability"), "In stock", "server-rendered availability");
  });
  await check("variant (no JS): M / Sand renders $49.00, In stock", async () => {
    await np.locator("#option2").selectOption("Sand");
    await Promise.all([np.waitForURL(/option2=Sand/), np.getByRole("button", { name: "Show this option" }).click()]);
    eq(await text(np, "#price-amount"), "$49.00", "server-rendered price");
    eq(await isVisible(np, "#compare-at"), false, "compare-at visible");
    eq(await text(np, "#availability"), "In stock", "server-rendered availability");
    eq(await np.locator("#option1").inputValue(), "M", "Size select");
    eq(await np.locator("#option2").inputValue(), "Sand", "Color select");
  });
  await check("listing (no JS): the filter form works without JavaScript", async () => {
    await np.goto(`${base}/collections/apparel`);
    await np.getByRole("checkbox", { name: /Northwind/ }).check();
    await np.locator("select#sort").selectOption("price-desc");
    await Promise.all([np.waitForURL(/vendor=Northwind/), np.locator("form.filters button[type=submit]").click()]);
    eq(await cardTitles(np), ["Rain Shell", "Cotton Tee"], "Northwind's products, dearest first");
    eq(await text(np, ".total"), "2 products", "count text");
  });
  await check("listing (no JS): the folded tags open and filter without JavaScript", async () => {
    await np.goto(`${base}/collections/apparel`);
    const winter = np.locator('form.filters input[value="winter"]');
    eq(await winter.isVisible(), false, "the folded 'winter' box is visible before opening");
    await np.locator("form.filters details > summary").click();
    await winter.check();
    await Promise.all([np.waitForURL(/tag=winter/), np.locator("form.filters button[type=submit]").click()]);
    eq(await cardTitles(np), ["Wool Scarf"], "products tagged winter");
  });
  await nojs.close();

  // -- more of the filter form
  await check("filter: 'Clear filters' goes back to the whole collection", async () => {
    await page.goto(`${base}/collections/apparel?vendor=Atlas+Mills&sort=price-asc`);
    await Promise.all([page.waitForURL(`${base}/collections/apparel`), page.locator("form.filters a.clear").click()]);
    eq(await text(page, ".total"), "7 products", "count text");
    eq(await page.locator("form.filters a.clear").count(), 0, "'Clear filters' links on an unfiltered page");
  });
  await check("filter: 'In stock only' hides the sold-out Rain Shell", async () => {
    await page.goto(`${base}/collections/apparel`);
    await page.getByRole("checkbox", { name: /In stock only/ }).check();
    await Promise.all([page.waitForURL(/available=1/), page.locator("form.filters button[type=submit]").click()]);
    eq(await text(page, ".total"), "6 products", "count text");
    ok(!(await cardTitles(page)).includes("Rain Shell"), "the sold-out Rain Shell is listed");
  });
  await check("filter: price From 20 To 40 keeps the products in that range", async () => {
    await page.goto(`${base}/collections/apparel`);
    await page.locator("input[name=price_min]").fill("20");
    await page.locator("input[name=price_max]").fill("40");
    await Promise.all([page.waitForURL(/price_min=20/), page.locator("form.filters button[type=submit]").click()]);
    eq((await cardTitles(page)).sort(), ["Canvas Tote", "Field Apron", "Wool Scarf"], "products shown");
    eq(await text(page, ".total"), "3 products", "count text");
    eq(await page.locator("input[name=price_min]").inputValue(), "20", "From keeps its value");
  });
  await check("filter: a price with cents (From 25.50) can be submitted", async () => {
    // The placeholders show cents ("18.00") and the server takes "25.50";
    // the form must let a shopper send it.
    await page.goto(`${base}/collections/apparel`);
    const from = page.locator("input[name=price_min]");
    await from.fill("25.50");
    const v = await from.evaluate((e) => ({ valid: e.validity.valid, msg: e.validationMessage, step: e.getAttribute("step") }));
    ok(v.valid, `the browser refuses 25.50 in the From box (step="${v.step}"): "${v.msg}"`);
    await Promise.all([page.waitForURL(/price_min=25\.50/), page.locator("form.filters button[type=submit]").click()]);
    ok(!(await cardTitles(page)).includes("Canvas Tote"), "the $24.00 Canvas Tote is listed above a From of 25.50");
  });


  // -- search from the header
  await check("search: the header box finds the two linen products", async () => {
    await page.goto(base + "/");
    await page.locator("#site-search").fill("linen");
    await Promise.all([page.waitForURL(/\/search\?/), page.locator("#site-search").press("Enter")]);
    const u = new URL(page.url());
    eq(u.pathname, "/search", "path");
    eq(u.searchParams.get("q"), "linen", "q in the URL");
    eq(await text(page, "h1"), "Results for “linen”", "h1");
    eq(await text(page, ".total"), "2 products", "count text");
    eq((await cardTitles(page)).sort(), ["Linen Napkins", "Linen Shirt"], "results");
    eq(await page.locator("#site-search").inputValue(), "linen", "the search box keeps the query");
    eq(await page.locator('meta[name="robots"]').getAttribute("content"), "noindex", "robots meta of search");
    await shot(page, "09-search.png");
  });
  await check("search: every img has alt text, one h1, headings in order", () => pageHygiene(page));
  await check("search: a query without matches says so", async () => {
    await page.locator("#site-search").fill("zeppelin");
    await Promise.all([page.waitForURL(/q=zeppelin/), page.locator(".site-header form.search button").click()]);
    eq(await text(page, ".total"), "0 products", "count text");
    eq(await text(page, "p.empty"), "No products match. Try removing a filter.", "empty message");
  });

  // -- the keyboard
  const kctx = await browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1 });
  kctx.setDefaultTimeout(10000);
  const kp = await kctx.newPage();
  watch(kp, problems);
  await check("keyboard: the first Tab shows the skip link, with a visible focus ring", async () => {
    await kp.goto(base + "/collections/apparel");
    await kp.keyboard.press("Tab");
    const f = await focusInfo(kp);
    ok(f && f.tag === "a" && /\bskip\b/.test(f.cls), `the first Tab focused ${JSON.stringify(f)}, not the skip link`);
    eq(f.text, "Skip to content", "skip link text");
    ok(f.inViewport, "the focused skip link is not inside the viewport");
    ok(visibleFocus(f), `focus is not visible on the skip link: ${JSON.stringify(f)}`);
    await shot(kp, "10-keyboard-skip-link.png", false);
    await kp.keyboard.press("Enter");
    await kp.waitForURL(/#main$/);
    const m = await focusInfo(kp);
    eq(m && m.id, "main", "focus after following the skip link");
  });
  await check("keyboard: Tab reaches the search box, focus visible; typing + Enter searches", async () => {
    await kp.goto(base + "/");
    let f = null;
    for (let i = 0; i < 6; i++) {
      await kp.keyboard.press("Tab");
      f = await focusInfo(kp);
      if (f && f.id === "site-search") break;
    }
    ok(f && f.id === "site-search", `six Tabs did not reach the search box (last focus ${JSON.stringify(f)})`);
    ok(visibleFocus(f), `focus is not visible on the search box: ${JSON.stringify(f)}`);
    await shot(kp, "11-keyboard-search-focus.png", false);
    await kp.keyboard.type("scarf");
    await Promise.all([kp.waitForURL(/q=scarf/), kp.keyboard.press("Enter")]);
    eq(await cardTitles(kp), ["Wool Scarf"], "results");
  });
  await check("keyboard: Tab reaches the Size select, focus visible; ArrowDown changes the variant", async () => {
    await kp.goto(shirtUrl);
    const seen = [];
    for (let i = 0; i < 40; i++) {
      await kp.keyboard.press("Tab");
      const f = await focusInfo(kp);
      if (!f) break;
      seen.push(f.id || f.tag);
      if (f.id === "option1") {
        ok(visibleFocus(f), `focus is not visible on the Size select: ${JSON.stringify(f)}`);
        await kp.keyboard.press("ArrowDown"); // choose M without opening the list
        break;
      }
    }
    ok(seen.includes("option1"), `Tab never reached the Size select; focus went through ${seen.join(", ")}`);
    await waitText(kp, "#price-amount", "$48.00", "price after choosing M with the keyboard");
    variantInUrl(kp, cat.variant["M/White"], "M / White chosen with the keyboard");
  });
  await kctx.close();

  // -- mobile width
  const mctx = await browser.newContext({ viewport: MOBILE, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  mctx.setDefaultTimeout(10000);
  const mp = await mctx.newPage();
  watch(mp, problems);
  await check("mobile (390x844): the product page fits the width", async () => {
    await mp.goto(shirtUrl);
    const w = await mp.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: innerWidth }));
    ok(w.scroll <= w.inner, `the page is ${w.scroll}px wide in a ${w.inner}px viewport (horizontal scrolling)`);
    const img = await mp.locator("#main-image").boundingBox();
    ok(img && img.width <= MOBILE.width, `main image is ${img && img.width}px wide`);
    await shot(mp, "12-product-mobile.png");
  });
  await check("mobile (390x844): the collection page fits the width", async () => {
    await mp.goto(`${base}/collections/apparel`);
    const w = await mp.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: innerWidth }));
    ok(w.scroll <= w.inner, `the page is ${w.scroll}px wide in a ${w.inner}px viewport (horizontal scrolling)`);
    await shot(mp, "13-collection-mobile.png");
  });
  await mctx.close();

  await check("no JavaScript errors, console errors or failed requests on any page", async () => {
    ok(problems.length === 0, [...new Set(problems)].join("\n"));
  });
  if (problems.favicon) console.log("# note: /favicon.ico answered 404 (the browser asks for it on every page)");
  await ctx.close();
}

// ------------------------------------------------------------ main

async function main() {
  state.timer = setTimeout(onDeadline, args.timeout * 1000);

  // Setup: anything wrong here is one failed check and the end of the run.
  let chromium;
  let base;
  let cat;
  const setupOk = await check(`setup: ${args.backend} server with a catalog of ${PRODUCTS.length} products`, async () => {
    try {
      ({ chromium } = await import("playwright-core"));
    } catch (e) {
      throw new Failure(`playwright-core is not installed: run (cd tests/browser && npm ci)\n${e.message}`);
    }
    ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
    const binary = path.resolve(args.binary);
    ok(fs.existsSync(binary), `binary ${binary} is missing`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    for (const f of fs.readdirSync(ARTIFACTS)) if (f.endsWith(".png")) fs.rmSync(path.join(ARTIFACTS, f));

    state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), "souk-browser-"));
    // A private copy: a rebuild during the run cannot swap the binary under us.
    const copy = path.join(state.tmp, "souk");
    fs.copyFileSync(binary, copy);
    fs.chmodSync(copy, 0o755);
    const data = path.join(state.tmp, "data");
    fs.mkdirSync(path.join(data, "media", "test"), { recursive: true });
    for (const [name, body] of Object.entries(MEDIA)) fs.writeFileSync(path.join(data, "media", "test", name), body);

    const env = {
      SOUK_LISTEN: "127.0.0.1:0",
      SOUK_DATA_DIR: data,
      SOUK_TEMPLATES_DIR: args.templates,
      SOUK_STATIC_DIR: args.static,
      SOUK_ADMIN_TOKEN: ADMIN_TOKEN,
      SOUK_ENV: "test",
      SOUK_THREADS: "2",
    };
    if (args.backend === "postgres") {
      const url = process.env.SOUK_TEST_DATABASE_URL;
      ok(url, "SOUK_TEST_DATABASE_URL is not set (URL=$(sh scripts/pg-test.sh start DIR))");
      env.DATABASE_URL = pgSchema(url);
    }
    state.server = await startServer(copy, cleanEnv(env), state.tmp);
    base = `http://127.0.0.1:${state.server.port}`;
    const ready = await fetch(base + "/readyz", { signal: AbortSignal.timeout(10000) });
    eq(ready.status, 200, "GET /readyz");
    const rj = await ready.json();
    eq(rj.database, args.backend === "postgres" ? "postgresql" : "sqlite", "database of /readyz");
    cat = await buildCatalog(base);
    state.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, timeout: 30000 });
  });

  if (setupOk) {
    try {
      await walk(state.browser, base, cat);
    } catch (e) {
      report(false, "browser walk", e && e.stack ? e.stack.split("\n").slice(0, 8).join("\n") : String(e));
    }
  }

  // Teardown, always: the browser, then the server (SIGTERM, exit 0).
  if (state.browser) {
    const b = state.browser;
    state.browser = null;
    await check("teardown: the browser closes", () => Promise.race([b.close(), sleep(15000).then(() => { throw new Failure("browser.close() took over 15 s"); })]));
  }
  if (state.server) {
    const s = state.server;
    state.server = null;
    await check("teardown: souk serve exits 0 on SIGTERM with no sanitizer report", () => stopServer(s));
  }
  dropSchema();
  removeTmp();
  clearTimeout(state.timer);
  console.log(`# screenshots: ${path.relative(process.cwd(), ARTIFACTS) || ARTIFACTS}/`);
  finish(failed || !passed ? 1 : 0);
}

main().catch((e) => {
  report(false, "run.mjs", e && e.stack ? e.stack : String(e));
  if (state.server && state.server.proc.exitCode === null) state.server.proc.kill("SIGKILL");
  dropSchema();
  removeTmp();
  finish(1);
});
