#!/usr/bin/env node
// check.mjs - docs/openapi.yaml against the running server.
//
//   node tests/openapi/check.mjs --binary build/san/souk --backend sqlite
//   SOUK_TEST_DATABASE_URL=postgresql://... node tests/openapi/check.mjs \
//       --binary build/san/souk --backend postgres
//   (--doc FILE checks another copy of the document, e.g. a proposed fix)
//
// Starts `souk serve` itself on a free loopback port (the conventions of
// tests/integration/souk.py), builds a few fixtures through the API, then:
//
//  - for EVERY operation in the document, performs requests that must yield
//    each response status the document lists for it (the success status,
//    401 without or with a wrong token, 404 for a missing id, 409, 422, 400
//    for bad parameters, 503 from a server whose schema is not migrated),
//    and checks the status, the Content-Type, and the body against the
//    documented schema (required properties, types, enums, items, nested
//    properties; $ref, allOf, oneOf, anyOf, type arrays with "null"), and
//    that a response carries no property its schema does not document;
//  - derives from each documented query parameter's schema a valid value
//    (must be 200) and invalid ones (must be 400 naming the parameter);
//  - fails when an operation or a documented status has no test case, so
//    the document and this test cannot drift apart, and when a test case
//    meets a status the document does not list for the operation;
//  - compares the route table (src/web/routes.c, /api/ routes, without
//    /api/_test/) with the document both ways, and asks the server for every
//    method the document does not list on each documented path (405, with
//    an Allow header naming exactly the documented methods);
//  - stops the server with SIGTERM and expects exit status 0 and no
//    sanitizer report.
//
// Prints one line per check, then exactly "openapi-BACKEND: N passed, N
// failed"; exits 1 on any failure. Only node's standard library and `yaml`.

import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants as fsConstants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "..", "..");
const TOKEN = "openapi-check-token-" + randomBytes(16).toString("hex");
const RUN = randomBytes(3).toString("hex"); // makes names unique on a shared database
const METHODS = ["get", "put", "post", "delete", "patch"];
const DEADLINE_MS = 120_000;
const SANITIZER_MARKS = [
  "ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "LeakSanitizer", "runtime error:",
  "SUMMARY: AddressSanitizer", "SUMMARY: UndefinedBehaviorSanitizer", "ThreadSanitizer",
];

// ------------------------------------------------------------------ arguments

function parseArgs(argv) {
  const a = { binary: null, backend: null, doc: join(REPO, "docs", "openapi.yaml") };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--binary") a.binary = argv[++i];
    else if (argv[i] === "--backend") a.backend = argv[++i];
    else if (argv[i] === "--doc") a.doc = resolve(argv[++i]);
    else {
      console.error(`check.mjs: unknown argument ${argv[i]}`);
      process.exit(2);
    }
  }
  if (!a.binary || !["sqlite", "postgres"].includes(a.backend)) {
    console.error("usage: node tests/openapi/check.mjs --binary PATH --backend sqlite|postgres [--doc openapi.yaml]");
    process.exit(2);
  }
  a.binary = resolve(a.binary);
  return a;
}

const ARGS = parseArgs(process.argv.slice(2));
const LABEL = `openapi-${ARGS.backend}`;

// ------------------------------------------------------------------ results

let passed = 0;
let failed = 0;

function result(ok, name, problems = []) {
  if (ok) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}`);
    for (const p of problems) for (const line of String(p).split("\n")) console.log(`    ${line}`);
  }
}

function finish(extraFailure) {
  if (extraFailure) result(false, "run", [extraFailure]);
  console.log(`${LABEL}: ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

// ------------------------------------------------------------------ the document

let DOC;
try {
  DOC = YAML.parse(readFileSync(ARGS.doc, "utf8"));
  if (!DOC || typeof DOC !== "object" || !DOC.paths) throw new Error("no paths in the document");
} catch (e) {
  result(false, `parse ${ARGS.doc}`, [e.message]);
  console.log(`${LABEL}: ${passed} passed, ${failed} failed`);
  process.exit(1);
}

function pointer(ref) {
  if (!ref.startsWith("#/")) throw new Error(`only local $refs are supported: ${ref}`);
  let node = DOC;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === undefined || node === null || !(key in node)) throw new Error(`unresolvable $ref ${ref}`);
    node = node[key];
  }
  return node;
}

function deref(node) {
  let seen = 0;
  while (node && typeof node === "object" && typeof node.$ref === "string") {
    if (++seen > 32) throw new Error(`$ref loop at ${node.$ref}`);
    node = pointer(node.$ref);
  }
  return node;
}

// operationId -> {id, method, path, op, params (path-level and operation-level, resolved)}
const OPS = new Map();
const DOC_PROBLEMS = [];
for (const [path, item] of Object.entries(DOC.paths || {})) {
  for (const method of METHODS) {
    const op = item[method];
    if (!op) continue;
    const id = op.operationId || `${method.toUpperCase()} ${path}`;
    if (OPS.has(id)) {
      DOC_PROBLEMS.push(`operationId ${id} is used twice`);
      continue;
    }
    let params = [];
    try {
      params = [...(item.parameters || []), ...(op.parameters || [])].map(deref);
    } catch (e) {
      DOC_PROBLEMS.push(`${method.toUpperCase()} ${path}: ${e.message}`);
    }
    OPS.set(id, { id, method: method.toUpperCase(), path, op, params });
  }
}

function documentedStatuses(info) {
  return Object.keys(info.op.responses || {});
}

function responseOf(info, status) {
  const rs = info.op.responses || {};
  const r = rs[String(status)] ?? rs[`${String(status)[0]}XX`] ?? rs.default;
  return r ? deref(r) : null;
}

function needsToken(info) {
  const sec = info.op.security ?? DOC.security ?? [];
  return sec.some((req) => Object.keys(req).length > 0);
}

// ------------------------------------------------------------------ a small JSON Schema validator

function typeOk(t, v) {
  switch (t) {
    case "null": return v === null;
    case "integer": return typeof v === "number" && Number.isInteger(v);
    case "number": return typeof v === "number";
    case "string": return typeof v === "string";
    case "boolean": return typeof v === "boolean";
    case "array": return Array.isArray(v);
    case "object": return v !== null && typeof v === "object" && !Array.isArray(v);
    default: return false;
  }
}

function describe(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number" && Number.isInteger(v)) return "integer";
  return typeof v;
}

function deepEqual(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// The property names a schema documents for an object (through allOf).
function knownProperties(schema, out = new Set()) {
  schema = deref(schema);
  if (!schema || typeof schema !== "object") return out;
  for (const k of Object.keys(schema.properties || {})) out.add(k);
  for (const s of schema.allOf || []) knownProperties(s, out);
  return out;
}

// Errors of value against schema, as strings naming the JSON path. strict:
// also report properties the schema does not document (responses only).
function validate(schema, value, path = "$", strict = false, errors = []) {
  schema = deref(schema);
  if (schema === true || schema === undefined || schema === null) return errors;
  if (schema === false) {
    errors.push(`${path}: no value is allowed here`);
    return errors;
  }
  for (const s of schema.allOf || []) validate(s, value, path, false, errors);
  if (schema.oneOf) {
    const results = schema.oneOf.map((s) => validate(s, value, path, strict));
    const n = results.filter((r) => r.length === 0).length;
    if (n !== 1)
      errors.push(`${path}: matches ${n} of the oneOf schemas, want exactly 1` +
        (n === 0 ? ` (${results.map((r) => r[0]).join("; ")})` : ""));
  }
  if (schema.anyOf) {
    const results = schema.anyOf.map((s) => validate(s, value, path, strict));
    if (!results.some((r) => r.length === 0))
      errors.push(`${path}: matches none of the anyOf schemas (${results.map((r) => r[0]).join("; ")})`);
  }
  if ("const" in schema && !deepEqual(schema.const, value))
    errors.push(`${path}: ${JSON.stringify(value)} is not the constant ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.some((e) => deepEqual(e, value)))
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeOk(t, value))) {
      errors.push(`${path}: ${describe(value)} ${JSON.stringify(value)?.slice(0, 60)}, want ${types.join(" or ")}`);
      return errors;
    }
  }
  if (typeOk("object", value)) {
    for (const k of schema.required || [])
      if (!(k in value)) errors.push(`${path}: lacks the required property "${k}"`);
    for (const [k, s] of Object.entries(schema.properties || {}))
      if (k in value) validate(s, value[k], `${path}.${k}`, strict, errors);
    const known = knownProperties(schema);
    if (schema.additionalProperties === false || (strict && known.size && !schema.oneOf && !schema.anyOf)) {
      for (const k of Object.keys(value))
        if (!known.has(k)) errors.push(`${path}: has the property "${k}", which the document does not describe`);
    }
  }
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((v, i) => validate(schema.items, v, `${path}[${i}]`, strict, errors));
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      errors.push(`${path}: ${value.length} items, at most ${schema.maxItems}`);
    if (schema.minItems !== undefined && value.length < schema.minItems)
      errors.push(`${path}: ${value.length} items, at least ${schema.minItems}`);
  }
  if (typeof value === "string") {
    const n = [...value].length;
    if (schema.maxLength !== undefined && n > schema.maxLength) errors.push(`${path}: longer than ${schema.maxLength}`);
    if (schema.minLength !== undefined && n < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: ${value} < minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: ${value} > maximum ${schema.maximum}`);
  }
  return errors;
}

// ------------------------------------------------------------------ the server

function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === "DATABASE_URL" || k === "SECRET_KEY" || k.startsWith("SOUK_") || k.startsWith("DB_")) continue;
    env[k] = v;
  }
  env.ASAN_OPTIONS ??= "abort_on_error=1:detect_leaks=1";
  env.UBSAN_OPTIONS ??= "print_stacktrace=1:halt_on_error=1";
  env.LSAN_OPTIONS ??= `suppressions=${join(REPO, "tests", "lsan.supp")}:print_suppressions=0`;
  for (const [k, v] of Object.entries(extra)) {
    if (v === null || v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

function psql() {
  for (const p of ["psql", "/usr/lib/postgresql/15/bin/psql"]) {
    const r = spawnSync(p, ["--version"], { stdio: "ignore" });
    if (r.status === 0) return p;
  }
  return null;
}

// A DATABASE_URL whose search_path is a schema of this run's own (created
// when create is true): the run's PostgreSQL database is shared by every suite.
function pgUrl(base, schema, create) {
  if (create) {
    const p = psql();
    if (!p) throw new Error("psql is needed to create a schema for this run");
    const r = spawnSync(p, ["-X", "-q", "-v", "ON_ERROR_STOP=1", base, "-c", `CREATE SCHEMA ${schema}`],
      { encoding: "utf8", timeout: 30_000 });
    if (r.status !== 0) throw new Error(`CREATE SCHEMA ${schema} failed: ${r.stderr}`);
  }
  return `${base}${base.includes("?") ? "&" : "?"}options=-csearch_path%3D${schema}`;
}

function dropSchema(base, schema) {
  const p = psql();
  if (p) spawnSync(p, ["-X", "-q", base, "-c", `DROP SCHEMA IF EXISTS ${schema} CASCADE`], { timeout: 30_000 });
}

class Server {
  constructor(name, env, args) {
    this.name = name;
    this.dir = mkdtempSync(join(tmpdir(), "souk-openapi-"));
    this.env = cleanEnv({
      SOUK_DATA_DIR: join(this.dir, "data"),
      SOUK_LISTEN: "127.0.0.1:0",
      SOUK_ENV: "test",
      SOUK_TEMPLATES_DIR: join(REPO, "templates"),
      SOUK_STATIC_DIR: join(REPO, "static"),
      SOUK_THREADS: "2",
      ...env,
    });
    this.args = args;
    this.stderr = "";
    this.port = null;
    this.exit = null;
  }

  start(timeoutMs = 20_000) {
    return new Promise((resolvePort, reject) => {
      this.proc = spawn(ARGS.binary, this.args, { env: this.env, cwd: this.dir, stdio: ["ignore", "pipe", "pipe"] });
      this.exited = new Promise((res) => this.proc.on("exit", (code, signal) => {
        this.exit = { code, signal };
        res(this.exit);
      }));
      const timer = setTimeout(() => reject(new Error(`${this.name}: no "listening on" line within ${timeoutMs} ms:\n${this.tail()}`)), timeoutMs);
      const onData = (chunk) => {
        this.stderr += chunk.toString("utf8");
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(this.stderr);
        if (m && this.port === null) {
          this.port = Number(m[1]);
          clearTimeout(timer);
          resolvePort(this.port);
        }
      };
      this.proc.stderr.on("data", onData);
      this.proc.stdout.on("data", (c) => { this.stdout = (this.stdout || "") + c.toString("utf8"); });
      this.proc.on("error", (e) => { clearTimeout(timer); reject(e); });
      this.exited.then((e) => {
        if (this.port === null) {
          clearTimeout(timer);
          setTimeout(() => reject(new Error(`${this.name} exited (${e.code ?? e.signal}) before listening:\n${this.tail()}`)), 50);
        }
      });
    });
  }

  tail(n = 25) {
    return this.stderr.split("\n").slice(-n).join("\n");
  }

  // SIGTERM; returns the problems (wrong exit status, sanitizer report).
  async stop(timeoutMs = 15_000) {
    const problems = [];
    if (this.proc && this.exit === null) {
      this.proc.kill("SIGTERM");
      let timer;
      const t = new Promise((res) => { timer = setTimeout(() => res(null), timeoutMs); });
      const e = await Promise.race([this.exited, t]);
      clearTimeout(timer);
      if (e === null) {
        this.proc.kill("SIGKILL");
        await this.exited;
        problems.push(`did not exit within ${timeoutMs} ms of SIGTERM (killed)`);
      }
    }
    if (this.exit && !(this.exit.code === 0 && this.exit.signal === null) && !problems.length)
      problems.push(`exit status ${this.exit.code ?? "signal " + this.exit.signal}, want 0\n${this.tail(15)}`);
    const lines = this.stderr.split("\n");
    const i = lines.findIndex((l) => SANITIZER_MARKS.some((m) => l.includes(m)));
    if (i >= 0) problems.push("sanitizer report:\n" + lines.slice(Math.max(0, i - 1), i + 60).join("\n"));
    rmSync(this.dir, { recursive: true, force: true });
    return problems;
  }
}

// ------------------------------------------------------------------ requests

let BASE = null;

function fillPath(template, params) {
  return template.replace(/\{([^}]+)\}/g, (_, name) => {
    if (!(name in params)) throw new Error(`no value for the path parameter {${name}} of ${template}`);
    return encodeURIComponent(params[name]);
  });
}

function queryString(query) {
  if (!query) return "";
  const pairs = Array.isArray(query) ? query : Object.entries(query);
  if (!pairs.length) return "";
  return "?" + pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

async function send(method, url, { body, auth, contentType, raw, base = BASE } = {}) {
  const headers = {};
  if (auth === true) headers.authorization = `Bearer ${TOKEN}`;
  else if (typeof auth === "string") headers.authorization = auth;
  let data;
  if (raw !== undefined) {
    data = raw;
    headers["content-type"] = contentType ?? "application/json";
  } else if (body !== undefined) {
    data = JSON.stringify(body);
    headers["content-type"] = contentType ?? "application/json";
  }
  const res = await fetch(base + url, { method, headers, body: data, redirect: "manual", signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  let json;
  try {
    json = text.length ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

// ------------------------------------------------------------------ test cases

const covered = new Map(); // operationId -> Set of statuses met by a passing-or-failing case

// One request for operation opId that must answer status; checks the status,
// that the document lists it, the Content-Type, and the body's schema.
// extra(res) may return a list of further problems. Returns the response.
async function expectOp(opId, label, req, status, extra) {
  const info = OPS.get(opId);
  const name = `${opId} ${status} ${req.method || info?.method || "?"} ${info ? info.path : "?"} (${label})`;
  if (!info) {
    result(false, name, [`the document has no operation ${opId}`]);
    return null;
  }
  if (!covered.has(opId)) covered.set(opId, new Set());
  covered.get(opId).add(String(status));
  const problems = [];
  let res;
  try {
    const url = fillPath(info.path, req.params || {}) + queryString(req.query);
    res = await send(req.method || info.method, url, req);
  } catch (e) {
    result(false, name, [`request failed: ${e.message}`]);
    return null;
  }
  if (res.status !== status) problems.push(`status ${res.status}, want ${status}: ${res.text.slice(0, 400)}`);
  const doc = responseOf(info, res.status);
  if (!doc) {
    problems.push(`the document lists no ${res.status} response for ${opId} (it lists ${documentedStatuses(info).join(", ")})`);
  } else {
    const ct = (res.headers.get("content-type") || "").split(";")[0].trim().toLowerCase();
    const content = doc.content || {};
    const types = Object.keys(content);
    if (!types.length) {
      if (res.text.length) problems.push(`the document describes no body, the server sent ${res.text.length} bytes: ${res.text.slice(0, 200)}`);
    } else if (!types.includes(ct)) {
      problems.push(`Content-Type ${res.headers.get("content-type")}, the document says ${types.join(" or ")}`);
    } else if (/json/.test(ct)) {
      if (res.json === undefined) problems.push(`the body is not JSON: ${res.text.slice(0, 200)}`);
      else if (content[ct].schema) problems.push(...validate(content[ct].schema, res.json, "$", true));
    }
  }
  if (!problems.length && extra) {
    try {
      problems.push(...(extra(res) || []));
    } catch (e) {
      problems.push(`check failed: ${e.message}`);
    }
  }
  result(problems.length === 0, name, problems);
  return res;
}

// A request the document says a client may make: its body must match the
// documented requestBody schema (so the cases and the document agree).
function checkInput(opId, body, label) {
  const info = OPS.get(opId);
  const schema = info?.op.requestBody && deref(info.op.requestBody).content?.["application/json"]?.schema;
  if (!schema) return;
  const errs = validate(schema, body, "$body", false);
  result(errs.length === 0, `${opId} request body matches the documented schema (${label})`, errs);
}

const fieldNamed = (...fields) => (res) => {
  const got = (res.json?.errors || []).map((e) => e.field);
  return fields.filter((f) => !got.some((g) => g === f || (typeof g === "string" && g.endsWith("." + f))))
    .map((f) => `errors does not name "${f}": ${JSON.stringify(res.json?.errors)}`);
};

const hasErrors = (res) => (Array.isArray(res.json?.errors) && res.json.errors.length ? [] : [`no "errors" list: ${res.text.slice(0, 300)}`]);

// Every admin operation: 401 without a token and with a wrong one.
async function unauthorized(opId, req) {
  await expectOp(opId, "no token", { ...req, auth: undefined }, 401);
  await expectOp(opId, "wrong token", { ...req, auth: `Bearer ${TOKEN}x` }, 401);
}

// Values for a query parameter from its schema: [valid], [invalid].
function paramValues(p, fixtures) {
  const s = deref(p.schema || {});
  const valid = [];
  const invalid = [];
  if (s.enum) {
    valid.push(...s.enum.map(String));
    invalid.push("no-such-" + p.name);
  } else if (s.type === "integer") {
    valid.push(String(s.default ?? s.minimum ?? 1));
    if (s.maximum !== undefined) valid.push(String(s.maximum));
    if (s.minimum !== undefined) invalid.push(String(s.minimum - 1));
    if (s.maximum !== undefined) invalid.push(String(s.maximum + 1));
    invalid.push("1.5", "ten");
  } else if (s.type === "boolean") {
    valid.push("true", "false");
    invalid.push("maybe");
  } else {
    valid.push(fixtures[p.name] ?? "x");
    if (s.maxLength !== undefined) {
      valid.push("y".repeat(s.maxLength));
      invalid.push("z".repeat(s.maxLength + 1));
    }
  }
  return { valid, invalid };
}

async function parameterCases(opId, params, fixtures) {
  const info = OPS.get(opId);
  for (const p of info.params.filter((x) => x.in === "query")) {
    const { valid, invalid } = paramValues(p, fixtures);
    // status=any is for the admin: documented as needing the token.
    const auth = p.name === "status" ? true : undefined;
    for (const v of valid)
      await expectOp(opId, `?${p.name}=${v.length > 20 ? v.slice(0, 8) + "…(" + v.length + ")" : v}`,
        { params, query: [[p.name, v]], auth }, 200);
    for (const v of invalid)
      await expectOp(opId, `bad ?${p.name}=${v.length > 20 ? v.slice(0, 8) + "…(" + v.length + ")" : v}`,
        { params, query: [[p.name, v]], auth }, 400, fieldNamed(p.name));
  }
}

// Every operation that takes a JSON body: a malformed one is 400, one that is
// not application/json 415 (the document must list both).
async function bodyCases(productParams, collectionParams) {
  for (const [id, info] of OPS) {
    if (!info.op.requestBody) continue;
    const params = info.path.startsWith("/api/v1/collections") ? { ...productParams, ...collectionParams } : productParams;
    await expectOp(id, "malformed JSON body", { params, raw: '{"title": ', auth: needsToken(info) || undefined }, 400);
    await expectOp(id, "body not application/json", { params, raw: '{"title":"x"}', contentType: "text/plain", auth: needsToken(info) || undefined }, 415);
  }
}

// ------------------------------------------------------------------ the cases

async function cases(srv) {
  const U = RUN;
  const ids = {};
  await expectOp("healthz", "alive", {}, 200);
  await expectOp("readyz", "migrated", {}, 200, (r) =>
    r.json.database === (ARGS.backend === "postgres" ? "postgresql" : "sqlite") ? [] : [`database ${r.json.database}`]);

  // ---- products
  const p1 = {
    title: `OA Shirt ${U}`, vendor: "OpenAPI", product_type: "Shirt", status: "active",
    body_html: "<p>Checked <em>against</em> the document.</p>", tags: ["oa", "cotton"], options: ["Size"],
    seo_title: "OA", seo_description: "An OpenAPI shirt.",
    variants: [
      { sku: `OA-${U}-S`, options: ["S"], price: 1500, compare_at_price: 1800, inventory_quantity: 3 },
      { sku: `OA-${U}-M`, options: ["M"], price: 1700, inventory_quantity: 0, inventory_policy: "continue" },
    ],
    images: [{ src: "https://img.example.com/oa.jpg", alt: "OA", width: 100, height: 100 }],
  };
  checkInput("createProduct", p1, "full product");
  let r = await expectOp("createProduct", "full product", { body: p1, auth: true }, 201, (res) => {
    const out = [];
    if (res.headers.get("location") !== `/api/v1/products/${res.json.id}`) out.push(`Location ${res.headers.get("location")}`);
    if (res.json.title !== p1.title || res.json.variants.length !== 2 || res.json.images.length !== 1) out.push("the product is not what was sent");
    return out;
  });
  if (!r || r.status !== 201) throw new Error("cannot create the fixture product; stopping");
  ids.p1 = r.json;
  const p2 = { title: `OA Mug ${U}`, status: "active", variants: [{ sku: `OA-${U}-MUG`, price: 900 }] };
  checkInput("createProduct", p2, "minimal product");
  ids.p2 = (await expectOp("createProduct", "minimal product", { body: p2, auth: true }, 201))?.json;
  const p3 = { title: `OA Doomed ${U}`, variants: [{ price: 100 }] };
  ids.p3 = (await expectOp("createProduct", "a draft to delete", { body: p3, auth: true }, 201))?.json;
  await unauthorized("createProduct", { body: p2 });
  await expectOp("createProduct", "a SKU that is taken", { body: { title: "Dup", variants: [{ sku: `OA-${U}-S`, price: 1 }] }, auth: true }, 409, fieldNamed("sku"));
  await expectOp("createProduct", "a handle that is taken", { body: { title: "Dup", handle: ids.p1.handle, variants: [{ price: 1 }] }, auth: true }, 409, fieldNamed("handle"));
  await expectOp("createProduct", "invalid fields", { body: { title: "", status: "bogus", variants: [{ price: -1 }] }, auth: true }, 422, hasErrors);
  await expectOp("createProduct", "no variants", { body: { title: "Nothing to sell" }, auth: true }, 422, fieldNamed("variants"));

  await expectOp("getProduct", "by id", { params: { id: ids.p1.id } }, 200, (res) => (res.json.id === ids.p1.id ? [] : ["another product"]));
  await expectOp("getProduct", "by handle", { params: { id: ids.p1.handle } }, 200, (res) => (res.json.id === ids.p1.id ? [] : ["another product"]));
  await expectOp("getProduct", "a draft with the token", { params: { id: ids.p3.id }, auth: true }, 200, (res) => (res.json.status === "draft" ? [] : [`status ${res.json.status}`]));
  await expectOp("getProduct", "a draft without the token", { params: { id: ids.p3.id } }, 404);
  await expectOp("getProduct", "missing id", { params: { id: "prod_missing0000000000" } }, 404);

  await expectOp("listProducts", "anonymous", {}, 200, (res) =>
    res.json.products.some((p) => p.id === ids.p1.id) && !res.json.products.some((p) => p.id === ids.p3.id) ? [] : ["the list is wrong"]);
  await expectOp("listProducts", "facets", { query: [["facets", "true"], ["q", `shirt`]] }, 200, (res) =>
    res.json.facets ? [] : ["no facets with facets=true"]);
  await expectOp("listProducts", "drafts with the token", { query: [["status", "any"], ["limit", "100"]], auth: true }, 200);
  await expectOp("listProducts", "status=any without the token", { query: [["status", "any"]] }, 401);
  await expectOp("listProducts", "an unknown collection", { query: [["collection", "no-such-collection"]] }, 404);

  const patch = { title: `OA Shirt Two ${U}`, tags: ["oa"] };
  checkInput("updateProduct", patch, "title and tags");
  await expectOp("updateProduct", "title and tags", { params: { id: ids.p1.id }, body: patch, auth: true }, 200, (res) =>
    res.json.title === patch.title && res.json.variants.length === 2 ? [] : ["the PATCH was not applied as documented"]);
  await unauthorized("updateProduct", { params: { id: ids.p1.id }, body: patch });
  await expectOp("updateProduct", "missing id", { params: { id: "prod_missing0000000000" }, body: patch, auth: true }, 404);
  await expectOp("updateProduct", "a handle that is taken", { params: { id: ids.p1.id }, body: { handle: ids.p2.handle }, auth: true }, 409, fieldNamed("handle"));
  await expectOp("updateProduct", "invalid fields", { params: { id: ids.p1.id }, body: { status: "bogus", title: 5 }, auth: true }, 422, fieldNamed("status", "title"));

  // ---- variants
  const nv = { sku: `OA-${U}-L`, options: ["L"], price: 1900, inventory_quantity: 1, weight_grams: 300, weight_unit: "g" };
  checkInput("createVariant", nv, "a new size");
  r = await expectOp("createVariant", "a new size", { params: { id: ids.p1.id }, body: nv, auth: true }, 201, (res) =>
    res.json.variants.at(-1)?.sku === nv.sku ? [] : ["the new variant is not last"]);
  const vL = r?.json?.variants?.at(-1)?.id ?? "var_unknown";
  await unauthorized("createVariant", { params: { id: ids.p1.id }, body: nv });
  await expectOp("createVariant", "missing product", { params: { id: "prod_missing0000000000" }, body: nv, auth: true }, 404);
  await expectOp("createVariant", "another product's SKU", { params: { id: ids.p1.id }, body: { sku: `OA-${U}-MUG`, options: ["XL"], price: 1 }, auth: true }, 409, fieldNamed("sku"));
  await expectOp("createVariant", "invalid fields", { params: { id: ids.p1.id }, body: { options: ["XL"], price: "cheap" }, auth: true }, 422, fieldNamed("price"));

  const vpatch = { price: 2100, inventory_quantity: 5 };
  checkInput("updateVariant", vpatch, "price and stock");
  await expectOp("updateVariant", "price and stock", { params: { id: ids.p1.id, vid: vL }, body: vpatch, auth: true }, 200, (res) =>
    res.json.variants.find((v) => v.id === vL)?.price === 2100 ? [] : ["the variant was not changed"]);
  await unauthorized("updateVariant", { params: { id: ids.p1.id, vid: vL }, body: vpatch });
  await expectOp("updateVariant", "missing variant", { params: { id: ids.p1.id, vid: "var_missing0000000000" }, body: vpatch, auth: true }, 404);
  await expectOp("updateVariant", "missing product", { params: { id: "prod_missing0000000000", vid: vL }, body: vpatch, auth: true }, 404);
  await expectOp("updateVariant", "another product's SKU", { params: { id: ids.p1.id, vid: vL }, body: { sku: `OA-${U}-MUG` }, auth: true }, 409, fieldNamed("sku"));
  await expectOp("updateVariant", "invalid fields", { params: { id: ids.p1.id, vid: vL }, body: { weight_unit: "stone", inventory_policy: "never" }, auth: true }, 422, fieldNamed("weight_unit", "inventory_policy"));

  await expectOp("deleteVariant", "the new size", { params: { id: ids.p1.id, vid: vL }, auth: true }, 200, (res) =>
    res.json.variants.some((v) => v.id === vL) ? ["the variant is still there"] : []);
  await unauthorized("deleteVariant", { params: { id: ids.p1.id, vid: ids.p1.variants[0].id } });
  await expectOp("deleteVariant", "already deleted", { params: { id: ids.p1.id, vid: vL }, auth: true }, 404);
  await expectOp("deleteVariant", "the last variant", { params: { id: ids.p2.id, vid: ids.p2.variants[0].id }, auth: true }, 409);

  // ---- images
  const ni = { src: "products/oa-back.jpg", alt: "Back", variant_id: ids.p1.variants[0].id, width: 640, height: null };
  checkInput("createImage", ni, "a media image for a variant");
  r = await expectOp("createImage", "a media image for a variant", { params: { id: ids.p1.id }, body: ni, auth: true }, 201, (res) =>
    res.json.images.at(-1)?.src === ni.src ? [] : ["the new image is not last"]);
  const iid = r?.json?.images?.at(-1)?.id ?? "img_unknown";
  await unauthorized("createImage", { params: { id: ids.p1.id }, body: ni });
  await expectOp("createImage", "missing product", { params: { id: "prod_missing0000000000" }, body: ni, auth: true }, 404);
  await expectOp("createImage", "a src outside the media store", { params: { id: ids.p1.id }, body: { src: "../../etc/passwd" }, auth: true }, 422, fieldNamed("src"));

  const ipatch = { alt: "The back", variant_id: null };
  checkInput("updateImage", ipatch, "alt and variant");
  await expectOp("updateImage", "alt and variant", { params: { id: ids.p1.id, iid }, body: ipatch, auth: true }, 200, (res) => {
    const im = res.json.images.find((x) => x.id === iid);
    return im && im.alt === "The back" && im.variant_id === null ? [] : [`image ${JSON.stringify(im)}`];
  });
  await unauthorized("updateImage", { params: { id: ids.p1.id, iid }, body: ipatch });
  await expectOp("updateImage", "missing image", { params: { id: ids.p1.id, iid: "img_missing0000000000" }, body: ipatch, auth: true }, 404);
  await expectOp("updateImage", "invalid fields", { params: { id: ids.p1.id, iid }, body: { alt: 3, width: "wide" }, auth: true }, 422, fieldNamed("alt", "width"));

  await expectOp("deleteImage", "the back", { params: { id: ids.p1.id, iid }, auth: true }, 200, (res) =>
    res.json.images.some((x) => x.id === iid) ? ["the image is still there"] : []);
  await unauthorized("deleteImage", { params: { id: ids.p1.id, iid: ids.p1.images[0].id } });
  await expectOp("deleteImage", "already deleted", { params: { id: ids.p1.id, iid }, auth: true }, 404);

  // ---- collections
  const c1 = { title: `OA Picks ${U}`, featured: true, body_html: "<p>Picked.</p>", seo_title: "Picks", seo_description: "Our picks." };
  checkInput("createCollection", c1, "featured");
  r = await expectOp("createCollection", "featured", { body: c1, auth: true }, 201, (res) =>
    res.headers.get("location") === `/api/v1/collections/${res.json.id}` ? [] : [`Location ${res.headers.get("location")}`]);
  if (!r || r.status !== 201) throw new Error("cannot create the fixture collection; stopping");
  ids.c1 = r.json;
  const c2 = { title: `OA Kids ${U}`, parent_id: ids.c1.handle, published: true, position: 0 };
  checkInput("createCollection", c2, "nested, parent by handle");
  ids.c2 = (await expectOp("createCollection", "nested, parent by handle", { body: c2, auth: true }, 201, (res) =>
    res.json.parent_id === ids.c1.id ? [] : [`parent_id ${res.json.parent_id}`]))?.json;
  await unauthorized("createCollection", { body: c1 });
  await expectOp("createCollection", "a handle that is taken", { body: { title: "Again", handle: ids.c1.handle }, auth: true }, 409, fieldNamed("handle"));
  await expectOp("createCollection", "invalid fields", { body: { title: "x", featured: "yes", position: -1 }, auth: true }, 422, fieldNamed("featured", "position"));

  await expectOp("listCollections", "anonymous", {}, 200, (res) => {
    const hs = res.json.collections.map((c) => c.id);
    const a = hs.indexOf(ids.c1.id), b = hs.indexOf(ids.c2?.id);
    return a >= 0 && b > a ? [] : ["parents before children, both listed"];
  });
  await expectOp("getCollection", "by id", { params: { id: ids.c1.id } }, 200);
  await expectOp("getCollection", "by handle", { params: { id: ids.c1.handle } }, 200);
  await expectOp("getCollection", "missing id", { params: { id: "coll_missing0000000000" } }, 404);

  const cpatch = { title: `OA Picks Two ${U}`, featured: false };
  checkInput("updateCollection", cpatch, "title");
  await expectOp("updateCollection", "title", { params: { id: ids.c1.id }, body: cpatch, auth: true }, 200, (res) =>
    res.json.title === cpatch.title ? [] : ["not changed"]);
  await unauthorized("updateCollection", { params: { id: ids.c1.id }, body: cpatch });
  await expectOp("updateCollection", "missing id", { params: { id: "coll_missing0000000000" }, body: cpatch, auth: true }, 404);
  await expectOp("updateCollection", "a handle that is taken", { params: { id: ids.c1.id }, body: { handle: ids.c2.handle }, auth: true }, 409, fieldNamed("handle"));
  await expectOp("updateCollection", "invalid fields", { params: { id: ids.c1.id }, body: { published: "no", position: -2 }, auth: true }, 422, fieldNamed("published", "position"));

  // p2 last, then p1 (the older) first: the collection's order is not the newest-first one.
  await expectOp("placeProductInCollection", "no body: last", { params: { id: ids.c1.id, pid: ids.p2.id }, auth: true }, 204);
  checkInput("placeProductInCollection", { position: 1 }, "position 1");
  await expectOp("placeProductInCollection", "by handle at position 1", { params: { id: ids.c1.handle, pid: ids.p1.handle }, body: { position: 1 }, auth: true }, 204);
  await unauthorized("placeProductInCollection", { params: { id: ids.c1.id, pid: ids.p1.id }, body: { position: 1 } });
  await expectOp("placeProductInCollection", "missing product", { params: { id: ids.c1.id, pid: "prod_missing0000000000" }, auth: true }, 404);
  await expectOp("placeProductInCollection", "missing collection", { params: { id: "coll_missing0000000000", pid: ids.p1.id }, auth: true }, 404);
  await expectOp("placeProductInCollection", "negative position", { params: { id: ids.c1.id, pid: ids.p1.id }, body: { position: -1 }, auth: true }, 422, fieldNamed("position"));

  await expectOp("listCollectionProducts", "in its order by default", { params: { id: ids.c1.id } }, 200, (res) => {
    const got = res.json.products.map((p) => p.id);
    const want = [ids.p1.id, ids.p2.id];
    return deepEqual(got, want) ? [] : [`order ${JSON.stringify(got)}, want the collection's order ${JSON.stringify(want)} (summary: "in its order by default")`];
  });
  await expectOp("listCollectionProducts", "by handle", { params: { id: ids.c1.handle }, query: [["sort", "manual"]] }, 200, (res) =>
    deepEqual(res.json.products.map((p) => p.id), [ids.p1.id, ids.p2.id]) ? [] : ["sort=manual is not the collection's order"]);
  await parameterCases("listProducts", {}, { collection: ids.c1.handle, q: "shirt", vendor: "OpenAPI", type: "Shirt", tag: "oa" });
  await parameterCases("listCollectionProducts", { id: ids.c1.id }, { q: "shirt", vendor: "OpenAPI", type: "Shirt", tag: "oa" });
  await expectOp("listCollectionProducts", "missing collection", { params: { id: "coll_missing0000000000" } }, 404);

  await expectOp("removeProductFromCollection", "p1", { params: { id: ids.c1.id, pid: ids.p1.id }, auth: true }, 204);
  await expectOp("listCollectionProducts", "after the removal", { params: { id: ids.c1.id }, query: [["sort", "manual"]] }, 200, (res) =>
    deepEqual(res.json.products.map((p) => p.id), [ids.p2.id]) ? [] : ["the removed product is still listed"]);
  await unauthorized("removeProductFromCollection", { params: { id: ids.c1.id, pid: ids.p2.id } });
  await expectOp("removeProductFromCollection", "not in it", { params: { id: ids.c1.id, pid: ids.p1.id }, auth: true }, 404);

  await expectOp("deleteCollection", "the child", { params: { id: ids.c2.id }, auth: true }, 204);
  await unauthorized("deleteCollection", { params: { id: ids.c1.id } });
  await expectOp("deleteCollection", "already deleted", { params: { id: ids.c2.id }, auth: true }, 404);
  await expectOp("getCollection", "deleted", { params: { id: ids.c2.id }, auth: true }, 404);

  await bodyCases({ id: ids.p1.id, vid: ids.p1.variants[0].id, iid: ids.p1.images[0].id, pid: ids.p2.id }, { id: ids.c1.id });

  await expectOp("deleteProduct", "the draft", { params: { id: ids.p3.id }, auth: true }, 204);
  await unauthorized("deleteProduct", { params: { id: ids.p1.id } });
  await expectOp("deleteProduct", "already deleted", { params: { id: ids.p3.id }, auth: true }, 404);
  await expectOp("getProduct", "deleted", { params: { id: ids.p3.id }, auth: true }, 404);

  return ids;
}

// /readyz on a server whose database has no schema: 503.
async function notReadyCase() {
  const env = { SOUK_ADMIN_TOKEN: TOKEN };
  let schema = null;
  if (ARGS.backend === "postgres") {
    schema = `souk_absent_${randomBytes(4).toString("hex")}`;
    env.DATABASE_URL = pgUrl(process.env.SOUK_TEST_DATABASE_URL, schema, false);
  }
  const srv = new Server("unmigrated server", env, ["serve"]);
  try {
    await srv.start();
  } catch (e) {
    result(false, "unmigrated server starts", [e.message]);
    return;
  }
  const saved = BASE;
  BASE = `http://127.0.0.1:${srv.port}`;
  try {
    await expectOp("readyz", "database without the schema", {}, 503);
  } finally {
    BASE = saved;
    const problems = await srv.stop();
    result(problems.length === 0, "unmigrated server exits 0 on SIGTERM without a sanitizer report", problems);
  }
}

// A store without an admin token: every admin operation answers 403 (the
// admin API is off), which the document must list.
async function noTokenCases(ids) {
  const env = {};
  let schema = null;
  if (ARGS.backend === "postgres") {
    schema = `souk_oa_${RUN}_b`;
    env.DATABASE_URL = pgUrl(process.env.SOUK_TEST_DATABASE_URL, schema, true);
  }
  const srv = new Server("server without an admin token", env, ["serve", "--migrate"]);
  try {
    await srv.start();
  } catch (e) {
    result(false, "server without an admin token starts", [e.message]);
    return;
  }
  const saved = BASE;
  BASE = `http://127.0.0.1:${srv.port}`;
  try {
    for (const [id, info] of OPS) {
      if (!needsToken(info)) continue;
      const params = Object.fromEntries(info.params.filter((p) => p.in === "path").map((p) => [p.name, "anything"]));
      await expectOp(id, "no admin token configured", { params, body: info.op.requestBody ? {} : undefined, auth: true }, 403);
    }
  } finally {
    BASE = saved;
    const problems = await srv.stop();
    result(problems.length === 0, "server without an admin token exits 0 on SIGTERM without a sanitizer report", problems);
    if (schema) dropSchema(process.env.SOUK_TEST_DATABASE_URL, schema);
  }
}

// ------------------------------------------------------------------ coverage and the route table

function coverageChecks() {
  for (const [id, info] of OPS) {
    const got = covered.get(id) || new Set();
    const documented = documentedStatuses(info).filter((s) => s !== "default");
    const problems = [];
    if (!got.size) problems.push("no test case: add one to tests/openapi/check.mjs");
    const missing = documented.filter((s) => !(got.has(s) || (/^\dXX$/.test(s) && [...got].some((g) => g[0] === s[0]))));
    if (missing.length) problems.push(`no test case for the documented status(es) ${missing.join(", ")}`);
    if (!documented.some((s) => /^2/.test(s))) problems.push("the document lists no success status");
    result(problems.length === 0, `coverage ${id} (${info.method} ${info.path}): ${documented.join(", ")}`, problems);
  }
}

const norm = (p) => p.replace(/\{[^}]+\}/g, "{}").replace(/:[A-Za-z_][A-Za-z0-9_]*/g, "{}");

function routeTable() {
  const src = readFileSync(join(REPO, "src", "web", "routes.c"), "utf8");
  const routes = [];
  for (const m of src.matchAll(/\{\s*"(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)"\s*,\s*"([^"]+)"/g))
    routes.push({ method: m[1], pattern: m[2] });
  return routes;
}

function routeChecks() {
  const routes = routeTable();
  result(routes.length > 0, `src/web/routes.c parsed: ${routes.length} routes`, ["no routes found"]);
  const routeKeys = new Set(routes.map((r) => `${r.method} ${norm(r.pattern)}`));
  const docKeys = new Map([...OPS.values()].map((i) => [`${i.method} ${norm(i.path)}`, i]));
  for (const r of routes) {
    if (!r.pattern.startsWith("/api/") || r.pattern.startsWith("/api/_test/")) continue;
    const k = `${r.method} ${norm(r.pattern)}`;
    result(docKeys.has(k), `route ${r.method} ${r.pattern} is documented`,
      [`src/web/routes.c has ${r.method} ${r.pattern}; docs/openapi.yaml does not describe it`]);
  }
  for (const [k, info] of docKeys)
    result(routeKeys.has(k), `documented ${info.id} (${k}) is in the route table`,
      [`docs/openapi.yaml describes ${info.method} ${info.path}; src/web/routes.c has no such route`]);
}

// The server answers no method on a documented path that the document does
// not list: 405 with Allow naming exactly the documented methods (+ HEAD for GET).
async function methodChecks(ids) {
  const sample = { id: ids.p1?.id ?? "x", vid: ids.p1?.variants?.[0]?.id ?? "x", iid: ids.p1?.images?.[0]?.id ?? "x", pid: ids.p1?.id ?? "x" };
  for (const [path, item] of Object.entries(DOC.paths || {})) {
    const documented = METHODS.filter((m) => item[m]).map((m) => m.toUpperCase());
    const want = new Set(documented);
    if (want.has("GET")) want.add("HEAD");
    let url;
    try {
      url = fillPath(path, path.startsWith("/api/v1/collections") ? { ...sample, id: ids.c1?.id ?? "x" } : sample);
    } catch (e) {
      result(false, `methods of ${path}`, [e.message]);
      continue;
    }
    for (const m of METHODS.map((x) => x.toUpperCase()).filter((x) => !want.has(x))) {
      const problems = [];
      try {
        const res = await send(m, url, { auth: true, body: m === "GET" || m === "DELETE" ? undefined : {} });
        if (res.status !== 405) problems.push(`status ${res.status}, want 405 (the document lists only ${documented.join(", ")}): ${res.text.slice(0, 200)}`);
        const allow = new Set((res.headers.get("allow") || "").split(",").map((s) => s.trim()).filter(Boolean));
        if (res.status === 405 && !deepEqual([...allow].sort(), [...want].sort()))
          problems.push(`Allow: ${res.headers.get("allow")}, the document lists ${[...want].sort().join(", ")}`);
      } catch (e) {
        problems.push(`request failed: ${e.message}`);
      }
      result(problems.length === 0, `undocumented ${m} ${path} answers 405`, problems);
    }
  }
}

// ------------------------------------------------------------------ main

async function main() {
  const watchdog = setTimeout(() => {
    finish(`the run passed its ${DEADLINE_MS / 1000} s deadline`);
    process.exit(1);
  }, DEADLINE_MS);
  watchdog.unref();

  try {
    accessSync(ARGS.binary, fsConstants.X_OK);
  } catch {
    return finish(`the binary ${ARGS.binary} is missing or not executable`);
  }
  result(DOC_PROBLEMS.length === 0, `${ARGS.doc}: ${OPS.size} operations, operationIds unique, $refs resolve`, DOC_PROBLEMS);
  routeChecks();
  const env = { SOUK_ADMIN_TOKEN: TOKEN };
  let schema = null;
  if (ARGS.backend === "postgres") {
    if (!process.env.SOUK_TEST_DATABASE_URL) return finish("SOUK_TEST_DATABASE_URL is not set");
    schema = `souk_oa_${RUN}`;
    try {
      env.DATABASE_URL = pgUrl(process.env.SOUK_TEST_DATABASE_URL, schema, true);
    } catch (e) {
      return finish(e.message);
    }
  }
  const srv = new Server("server", env, ["serve", "--migrate"]);
  let ids = {};
  try {
    await srv.start();
    BASE = `http://127.0.0.1:${srv.port}`;
    result(true, `server started (${ARGS.backend}) on port ${srv.port}`);
    try {
      ids = await cases(srv);
    } catch (e) {
      result(false, "test cases", [e.stack || e.message]);
    }
    await methodChecks(ids);
  } catch (e) {
    result(false, "server start", [e.message]);
  } finally {
    const problems = await srv.stop();
    result(problems.length === 0, "server exits 0 on SIGTERM without a sanitizer report", problems);
    if (schema) dropSchema(process.env.SOUK_TEST_DATABASE_URL, schema);
  }
  await notReadyCase();
  await noTokenCases(ids);
  coverageChecks();
  finish();
}

main().catch((e) => finish(`unexpected error: ${e.stack || e.message}`));
