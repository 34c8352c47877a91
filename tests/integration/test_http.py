"""test_http.py - routes, errors, HEAD, ETag, gzip, request ids, the access
log, keep-alive and pipelining, and the request parsers seen from outside."""

import gzip
import json
import re
import time

from souk import Conn, TestFailure, check, eq, get, request, test

RID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def problem(t, r, status):
    """r is an RFC 9457 problem for status with the response's request id."""
    eq(r.status, status, "status")
    ct = r.header("content-type") or ""
    check(ct.startswith("application/problem+json"), "content-type %r, want application/problem+json" % ct)
    try:
        p = r.json()
    except ValueError:
        raise TestFailure("problem body is not JSON: %r" % r.body[:300])
    for k in ("type", "title", "status", "detail", "request_id"):
        check(k in p, "problem lacks %r: %r" % (k, p))
    eq(p["status"], status, "problem status")
    check(isinstance(p["title"], str) and p["title"], "empty title: %r" % p)
    eq(p["request_id"], r.header("x-request-id"), "problem request_id vs X-Request-Id")
    return p


def html_error(r, status):
    eq(r.status, status, "status")
    ct = r.header("content-type") or ""
    check(ct.startswith("text/html"), "content-type %r, want text/html" % ct)
    check(b"<html" in r.body and str(status).encode() in r.body, "not an HTML error page: %r" % r.body[:300])


@test
def test_home_page(t):
    s = t.server()
    r = get(s.port, "/")
    eq(r.status, 200, "GET / status")
    check((r.header("content-type") or "").startswith("text/html"), "content-type %r" % r.header("content-type"))
    check(b"<!doctype html>" in r.body.lower() and b"<title>" in r.body, "not an HTML page: %r" % r.body[:200])
    eq(r.header("cache-control"), "public, max-age=60", "Cache-Control")
    check(r.header("etag"), "no ETag on GET /")
    eq(r.header("x-content-type-options"), "nosniff", "X-Content-Type-Options")


@test
def test_healthz(t):
    s = t.server()
    r = get(s.port, "/healthz")
    eq(r.status, 200, "status")
    check((r.header("content-type") or "").startswith("application/json"), "content-type %r" % r.header("content-type"))
    eq(r.json().get("status"), "ok", "body status")
    eq(r.header("cache-control"), "no-store", "Cache-Control")
    eq(r.header("etag"), None, "ETag on a no-store response")


@test
def test_readyz_ready(t):
    s = t.server()
    r = get(s.port, "/readyz")
    eq(r.status, 200, "status (body %r)" % r.body[:300])
    j = r.json()
    eq(j.get("status"), "ready", "status field")
    eq(j.get("database"), "postgresql" if t.backend == "postgres" else "sqlite", "database field")
    check(isinstance(j.get("schema_version"), int) and j["schema_version"] >= 1, "schema_version %r" % j)
    eq(r.header("etag"), None, "ETag on /readyz")


@test
def test_not_found_html(t):
    s = t.server()
    r = get(s.port, "/no/such/page")
    html_error(r, 404)
    rid = r.header("x-request-id")
    check(rid and rid.encode() in r.body, "the error page does not show the request id %r" % rid)
    eq(r.header("cache-control"), "no-store", "Cache-Control of a 404")
    r = get(s.port, "/x<script>alert(1)</script>?q=<img%20src=x>")
    check(r.status in (400, 404), "status %d for a path with markup" % r.status)
    check(b"<script>alert" not in r.body and b"<img" not in r.body, "markup from the request in the page: %r" % r.body)


@test
def test_not_found_api_problem_json(t):
    s = t.server()
    r = get(s.port, "/api/no/such/thing")
    problem(t, r, 404)
    r = get(s.port, "/api/no/such/thing", [("X-Request-Id", "trace-404-api")])
    p = problem(t, r, 404)
    eq(p["request_id"], "trace-404-api", "request_id in the problem")


@test
def test_method_not_allowed(t):
    s = t.server()
    r = request(s.port, "POST", "/healthz", body=b"")
    html_error(r, 405)
    allow = {m.strip() for m in (r.header("allow") or "").split(",") if m.strip()}
    eq(allow, {"GET", "HEAD"}, "Allow of POST /healthz")

    r = request(s.port, "DELETE", "/_test/items/1")
    eq(r.status, 405, "DELETE /_test/items/1")
    allow = {m.strip() for m in (r.header("allow") or "").split(",") if m.strip()}
    eq(allow, {"GET", "HEAD", "PUT"}, "Allow of DELETE /_test/items/1")

    r = get(s.port, "/api/_test/json")
    problem(t, r, 405)
    eq((r.header("allow") or "").replace(" ", ""), "POST", "Allow of GET /api/_test/json")


@test
def test_head_like_get(t):
    """HEAD answers every GET route with the same status and headers and no
    body. Pipelined behind a GET, so a stray body would show up as garbage
    before the next response."""
    s = t.server()
    # X-Cache says which path answered: the GET fills the page cache, the HEAD hits it.
    ignore = {"date", "x-request-id", "transfer-encoding", "content-length", "connection", "x-cache"}
    for path in ("/", "/healthz", "/readyz", "/_test/query?a=1", "/_test/items/abc",
                 "/static/css/app.css", "/no/such/page"):
        with Conn(s.port) as c:
            g = c.get(path)
            # The same Host as the GET: pages link to their canonical URL on it.
            c.send(b"HEAD " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                   b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            h = c.response(head=True)
            while len(c.reader.buf) < 8:
                c.reader._fill()
            check(c.reader.buf.startswith(b"HTTP/1."),
                  "HEAD %s: the response carried a body; bytes after its headers: %r"
                  % (path, c.reader.buf[:100]))
            after = c.response()
        eq(h.status, g.status, "HEAD %s status" % path)
        gh = sorted((k, v) for k, v in g.headers if k not in ignore)
        hh = sorted((k, v) for k, v in h.headers if k not in ignore)
        eq(hh, gh, "HEAD %s headers vs GET" % path)
        eq(after.status, 200, "the response after HEAD %s (a body was sent with HEAD?)" % path)
        eq(after.json(), {"status": "ok"}, "the response after HEAD %s" % path)
        cl = h.header("content-length")
        if cl is not None and g.header("content-length") is not None:
            eq(cl, g.header("content-length"), "HEAD %s Content-Length" % path)


@test
def test_etag_and_304(t):
    s = t.server()
    r = get(s.port, "/")
    etag = r.header("etag")
    check(etag and re.match(r'^(W/)?"[^"]+"$', etag), "ETag %r is not a quoted string" % etag)
    r2 = get(s.port, "/")
    eq(r2.header("etag"), etag, "ETag of the same page twice")
    for inm in (etag, "W/" + etag, '"nope", ' + etag, "*"):
        r = get(s.port, "/", [("If-None-Match", inm)])
        eq(r.status, 304, "If-None-Match: %s" % inm)
        eq(r.body, b"", "304 body")
        eq(r.header("etag"), etag, "ETag on the 304")
        eq(r.header("cache-control"), "public, max-age=60", "Cache-Control on the 304")
    r = get(s.port, "/", [("If-None-Match", '"0000000000000000"')])
    eq(r.status, 200, "a different ETag")
    check(len(r.body) > 0, "empty body")
    # A browser asks for gzip and sends back the ETag it got with it.
    gz = [("Accept-Encoding", "gzip, deflate, br")]
    etag_gz = get(s.port, "/", gz).header("etag")
    check(etag_gz, "no ETag on the gzip response")
    r = get(s.port, "/", gz + [("If-None-Match", etag_gz)])
    eq(r.status, 304, "gzip client, If-None-Match: %s (the ETag of the gzip response)" % etag_gz)
    eq(r.body, b"", "304 body")


@test
def test_gzip_dynamic(t):
    s = t.server()
    plain = get(s.port, "/")
    eq(plain.header("content-encoding"), None, "Content-Encoding without Accept-Encoding")
    check("accept-encoding" in ",".join(plain.all("vary")).lower(),
          "a cacheable page without Vary: Accept-Encoding on its identity response: %r" % plain.all("vary"))
    check(len(plain.body) >= 256, "the home page is only %d bytes; the test needs >= 256" % len(plain.body))
    r = get(s.port, "/", [("Accept-Encoding", "gzip, deflate, br")])
    eq(r.status, 200, "status")
    eq(r.header("content-encoding"), "gzip", "Content-Encoding")
    vary = ",".join(r.all("vary")).lower()
    check("accept-encoding" in vary, "Vary %r lacks Accept-Encoding" % vary)
    try:
        body = gzip.decompress(r.body)
    except Exception as e:
        raise TestFailure("gzip body does not decompress: %s" % e)
    eq(body, plain.body, "decompressed body vs identity body")
    r = get(s.port, "/", [("Accept-Encoding", "gzip;q=0, identity")])
    eq(r.header("content-encoding"), None, "Content-Encoding with gzip;q=0")
    eq(r.body, plain.body, "body with gzip;q=0")
    # A large JSON echo is text too; a small one is not worth compressing.
    big = "/_test/query?" + "&".join("k%d=value-%d" % (i, i) for i in range(40))
    r = get(s.port, big, [("Accept-Encoding", "gzip")])
    eq(r.header("content-encoding"), "gzip", "Content-Encoding of a %d-byte JSON body" % len(get(s.port, big).body))
    check(json.loads(gzip.decompress(r.body))["fields"][39] == ["k39", "value-39"], "decompressed JSON")


@test
def test_gzip_not_for_small_bodies(t):
    s = t.server()
    r = get(s.port, "/healthz", [("Accept-Encoding", "gzip")])
    eq(r.status, 200, "status")
    eq(r.header("content-encoding"), None, "Content-Encoding of a %d-byte body" % len(r.body))
    eq(r.json(), {"status": "ok"}, "body")


@test
def test_request_id(t):
    s = t.server()
    seen = set()
    for path in ("/", "/healthz", "/nope", "/api/nope", "/static/robots.txt", "/static/nope"):
        r = get(s.port, path)
        rid = r.header("x-request-id")
        check(rid and RID_RE.match(rid), "%s: X-Request-Id %r" % (path, rid))
        check(rid not in seen, "request id %r used twice" % rid)
        seen.add(rid)
    for good in ("abc", "A-b_c.d:e-123", "x" * 64, "0"):
        for path in ("/healthz", "/", "/static/robots.txt", "/nope"):
            r = get(s.port, path, [("X-Request-Id", good)])
            eq(r.header("x-request-id"), good, "%s: well-formed X-Request-Id echoed" % path)
    for bad in ("x" * 65, "has space", "<script>", "a/b", "caf\u00e9".encode("utf-8").decode("latin-1"), "a;b", "%41"):
        r = get(s.port, "/healthz", [("X-Request-Id", bad)])
        rid = r.header("x-request-id")
        check(rid != bad, "malformed X-Request-Id %r was echoed" % bad)
        check(rid and RID_RE.match(rid), "replacement X-Request-Id %r" % rid)


@test
def test_access_log(t):
    s = t.server()
    rid = "access-log-%d" % int(time.time() * 1000)
    r = get(s.port, "/no/such/page?x=1", [("X-Request-Id", rid)])
    eq(r.status, 404, "status")
    line = s.wait_for_log(lambda j: j.get("request_id") == rid and j.get("type") == "access", timeout=3)
    check(line is not None, "no access log line with request_id %s within 3 s; last lines:\n%s" % (rid, s.stderr_tail(10)))
    for k in ("time", "request_id", "method", "path", "status", "bytes", "duration_ms", "client"):
        check(k in line, "access log line lacks %r: %r" % (k, line))
    eq(line["method"], "GET", "method")
    eq(line["path"], "/no/such/page", "path (without the query)")
    eq(line["status"], 404, "status")
    eq(line["bytes"], len(r.body), "bytes")
    check(isinstance(line["duration_ms"], (int, float)) and 0 <= line["duration_ms"] < 5000,
          "duration_ms %r" % line["duration_ms"])
    eq(line["client"], "127.0.0.1", "client")
    check(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", line["time"]), "time %r" % line["time"])
    # Database routes and static files are logged too.
    for path, rid2 in (("/", rid + "-db"), ("/static/robots.txt", rid + "-static")):
        r = get(s.port, path, [("X-Request-Id", rid2)])
        line = s.wait_for_log(lambda j: j.get("request_id") == rid2 and j.get("type") == "access", timeout=3)
        check(line is not None, "no access log line for %s" % path)
        eq((line["status"], line["path"], line["bytes"]), (200, path, len(r.body)), "access log of %s" % path)


@test
def test_keep_alive(t):
    s = t.server()
    with Conn(s.port) as c:
        port = c.sock.getsockname()[1]
        for i, path in enumerate(("/healthz", "/", "/_test/items/k1", "/static/robots.txt", "/nope", "/readyz")):
            r = c.get(path)
            check(r.status in (200, 404), "request %d %s: %d" % (i, path, r.status))
            check((r.header("connection") or "").lower() != "close", "request %d: Connection: close" % i)
        eq(c.sock.getsockname()[1], port, "local port (the connection was replaced)")


@test
def test_pipelining(t):
    s = t.server()
    with Conn(s.port) as c:
        reqs = b"".join(
            b"GET %s HTTP/1.1\r\nHost: x\r\nX-Request-Id: pipe-%d\r\n\r\n" % (p, i)
            for i, p in enumerate((b"/_test/sleep?ms=100", b"/_test/items/second", b"/healthz"))
        )
        c.send(reqs)  # one write
        rs = [c.response() for _ in range(3)]
    eq([r.status for r in rs], [200, 200, 200], "statuses")
    eq([r.header("x-request-id") for r in rs], ["pipe-0", "pipe-1", "pipe-2"], "order of the responses")
    eq(rs[0].json(), {"slept_ms": 100}, "first body")
    eq(rs[1].json().get("id"), "second", "second body")
    eq(rs[2].json(), {"status": "ok"}, "third body")


@test
def test_query_parsing(t):
    s = t.server()
    r = get(s.port, "/_test/query?a=1&b=x+y&c=%C3%A9t%C3%A9&a=2&empty=&flag&&d=%26%3D%2B")
    eq(r.status, 200, "status")
    eq(r.json()["fields"], [["a", "1"], ["b", "x y"], ["c", "\u00e9t\u00e9"], ["a", "2"], ["empty", ""],
                            ["flag", ""], ["d", "&=+"]], "fields")
    for bad in ("a=%zz", "a=%4", "a=%", "%g0=1", "a=%00", "a=%ff", "a=%C3"):
        r = get(s.port, "/_test/query?" + bad)
        eq(r.status, 400, "invalid percent-encoding %r" % bad)


@test
def test_form_parsing(t):
    s = t.server()
    ct = [("Content-Type", "application/x-www-form-urlencoded")]
    r = request(s.port, "POST", "/_test/form", ct, b"name=Ada+Lovelace&note=50%25+off&x=%E2%82%AC")
    eq(r.status, 200, "status (%r)" % r.body[:200])
    eq(r.json()["fields"], [["name", "Ada Lovelace"], ["note", "50% off"], ["x", "\u20ac"]], "fields")
    r = request(s.port, "POST", "/_test/form",
                [("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")], b"a=1")
    eq((r.status, r.json().get("fields")), (200, [["a", "1"]]), "with a charset parameter")
    for bad in (b"a=%zz", b"a=%", b"a=%00", b"a=%fe"):
        r = request(s.port, "POST", "/_test/form", ct, bad)
        eq(r.status, 400, "invalid percent-encoding %r" % bad)
    r = request(s.port, "POST", "/_test/form", [("Content-Type", "text/plain")], b"a=1")
    eq(r.status, 415, "text/plain body")


@test
def test_json_body(t):
    s = t.server()
    ct = [("Content-Type", "application/json")]
    doc = {"a": [1, 2, {"b": None, "c": "\u00e9\u20ac"}], "t": True, "n": -1.5}
    r = request(s.port, "POST", "/api/_test/json", ct, json.dumps(doc))
    eq(r.status, 200, "status (%r)" % r.body[:200])
    eq(r.json(), {"body": doc}, "echo")
    r = request(s.port, "POST", "/api/_test/json", ct, b'{"a": [1, 2')
    p = problem(t, r, 400)
    check(p["detail"], "empty detail")
    r = request(s.port, "POST", "/api/_test/json", ct, b'"\xff\xfe"')
    problem(t, r, 400)
    r = request(s.port, "POST", "/api/_test/json", [("Content-Type", "text/plain")], b"{}")
    problem(t, r, 415)
    r = request(s.port, "POST", "/api/_test/json", ct, b"")
    problem(t, r, 400)


@test
def test_path_params_and_cookies(t):
    s = t.server()
    r = get(s.port, "/_test/items/a%20b%2Fc%C3%A9", [("Cookie", "theme=dark; session=abc123; x=1")])
    eq(r.status, 200, "status")
    eq(r.json(), {"id": "a b/c\u00e9", "session": "abc123"}, "decoded id and cookie")
    r = request(s.port, "PUT", "/_test/items/put-1", body=b"ignored")
    eq((r.status, r.json().get("id")), (200, "put-1"), "PUT")
    for bad in ("/_test/items/%zz", "/_test/items/%", "/_test/items/a%00b", "/_test/items/%ff"):
        r = get(s.port, bad)
        eq(r.status, 400, "GET %s" % bad)
    r = get(s.port, "/_test/items/")
    eq(r.status, 404, "empty parameter")
    r = get(s.port, "/_test/items/a/b")
    eq(r.status, 404, "two segments")
