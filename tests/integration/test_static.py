"""test_static.py - static assets: types, cache lifetimes, fingerprinted URLs,
ETag/304, precompressed gzip, and that no request reaches outside the static
directory."""

import gzip
import hashlib

from souk import CSS, JS, PNG, ROBOTS, Conn, TestFailure, check, eq, get, request, test

FILES = {
    "css/app.css": (CSS.encode(), "text/css; charset=utf-8"),
    "js/app.js": (JS.encode(), "text/javascript; charset=utf-8"),
    "img/logo.png": (PNG, "image/png"),
    "robots.txt": (ROBOTS.encode(), "text/plain; charset=utf-8"),
}


def fingerprinted(name, data):
    """static.h: app.css is also served as app.<16 hex>.css, the hex being the
    file's 8-byte BLAKE2b digest."""
    h = hashlib.blake2b(data, digest_size=8).hexdigest()
    stem, dot, ext = name.rpartition(".")
    return "/static/%s.%s.%s" % (stem, h, ext)


@test
def test_static_files(t):
    s = t.server()
    assert len(CSS) > 1024
    for name, (data, ctype) in FILES.items():
        r = get(s.port, "/static/" + name)
        eq(r.status, 200, "/static/%s status" % name)
        eq(r.header("content-type"), ctype, "/static/%s Content-Type" % name)
        eq(r.header("cache-control"), "public, max-age=300, must-revalidate", "/static/%s Cache-Control" % name)
        check(r.header("etag"), "/static/%s has no ETag" % name)
        eq(r.header("content-encoding"), None, "/static/%s Content-Encoding without Accept-Encoding" % name)
        eq(r.body, data, "/static/%s body" % name)
        eq(r.header("x-content-type-options"), "nosniff", "/static/%s X-Content-Type-Options" % name)
    r = get(s.port, "/static/css/nope.css")
    eq(r.status, 404, "missing file")
    check((r.header("content-type") or "").startswith("text/html"), "404 page type %r" % r.header("content-type"))
    r = request(s.port, "POST", "/static/css/app.css", body=b"x")
    eq(r.status, 405, "POST to a static file")
    allow = {m.strip() for m in (r.header("allow") or "").split(",")}
    eq(allow, {"GET", "HEAD"}, "Allow")


@test
def test_static_fingerprinted(t):
    s = t.server()
    for name, (data, ctype) in FILES.items():
        url = fingerprinted(name, data)
        r = get(s.port, url)
        eq(r.status, 200, "%s status" % url)
        eq(r.header("cache-control"), "public, max-age=31536000, immutable", "%s Cache-Control" % url)
        eq(r.header("content-type"), ctype, "%s Content-Type" % url)
        eq(r.body, data, "%s body" % url)
    for bad in ("/static/css/app.0000000000000000.css", "/static/css/app.deadbeef.css"):
        r = get(s.port, bad)
        eq(r.status, 404, "%s (wrong fingerprint)" % bad)


@test
def test_static_etag_304(t):
    s = t.server()
    for path in ("/static/css/app.css", "/static/img/logo.png",
                 fingerprinted("css/app.css", CSS.encode())):
        r = get(s.port, path)
        etag = r.header("etag")
        check(etag, "%s: no ETag" % path)
        r = get(s.port, path, [("If-None-Match", etag)])
        eq(r.status, 304, "%s If-None-Match: %s" % (path, etag))
        eq(r.body, b"", "%s 304 body" % path)
        eq(r.header("etag"), etag, "%s ETag on the 304" % path)
        r = get(s.port, path, [("If-None-Match", '"0123456789abcdef"')])
        eq(r.status, 200, "%s with another ETag" % path)


@test
def test_static_if_none_match_list(t):
    """RFC 9110 13.1.2: If-None-Match is a list compared weakly; caches send
    several validators or a weak one. The dynamic routes already do this."""
    s = t.server()
    etag = get(s.port, "/static/css/app.css").header("etag")
    for inm in ('"aaaa", ' + etag, "W/" + etag, "*"):
        r = get(s.port, "/static/css/app.css", [("If-None-Match", inm)])
        eq(r.status, 304, "GET /static/css/app.css with If-None-Match: %s" % inm)


@test
def test_static_gzip(t):
    s = t.server()
    for name in ("css/app.css", "js/app.js"):
        data = FILES[name][0]
        r = get(s.port, "/static/" + name, [("Accept-Encoding", "gzip, br")])
        eq(r.status, 200, "%s status" % name)
        eq(r.header("content-encoding"), "gzip", "%s Content-Encoding" % name)
        check("accept-encoding" in ",".join(r.all("vary")).lower(), "%s Vary %r" % (name, r.all("vary")))
        check(len(r.body) < len(data), "%s: gzip body %d bytes, file %d" % (name, len(r.body), len(data)))
        eq(gzip.decompress(r.body), data, "%s decompressed" % name)
        r = get(s.port, fingerprinted(name, data), [("Accept-Encoding", "gzip")])
        eq((r.header("content-encoding"), gzip.decompress(r.body)), ("gzip", data), "%s fingerprinted, gzip" % name)
        r = get(s.port, "/static/" + name, [("Accept-Encoding", "gzip;q=0")])
        eq((r.header("content-encoding"), r.body), (None, data), "%s with gzip;q=0" % name)
    r = get(s.port, "/static/img/logo.png", [("Accept-Encoding", "gzip")])
    eq((r.header("content-encoding"), r.body), (None, PNG), "png with Accept-Encoding: gzip")


@test
def test_static_traversal(t):
    s = t.server()
    data_db = "/static/../data/souk.db"
    paths = [
        "/static/../secret.txt",
        data_db,
        "/static/../souk.db",
        "/static/%2e%2e/secret.txt",
        "/static/%2E%2E/secret.txt",
        "/static/.%2e/secret.txt",
        "/static/%2e./secret.txt",
        "/static/css/../../secret.txt",
        "/static/css/..%2f..%2fsecret.txt",
        "/static/..%2fsecret.txt",
        "/static/..%2Fsecret.txt",
        "/static/%2e%2e%2fsecret.txt",
        "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/static/..%5csecret.txt",
        "/static/..\\secret.txt",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/%2Fetc/passwd",
        "/static/" + s.root + "/secret.txt",
        "/static/css/evil.css",
        "/static/css/rel.txt",
        "/static/up/secret.txt",
        "/static/up/static/css/app.css",
        "/static/.env",
        "/static/css/app.css%00.png",
        "/static/css/app.css/../../secret.txt",
        "/static/%c0%ae%c0%ae/secret.txt",
        "/static/..;/secret.txt",
    ]
    # Plain paths to things the server must simply not have loaded.
    must_404 = {"/static/css/evil.css", "/static/css/rel.txt", "/static/up/secret.txt",
                "/static/up/static/css/app.css", "/static/.env"}
    bad = []
    for p in paths:
        try:
            r = get(s.port, p)
        except (OSError, TestFailure) as e:
            bad.append("%s: %s" % (p, e))
            continue
        leaked = [m for m in (s.secret.encode(), b"SQLite format 3", b"root:x:0:0", CSS[:40].encode())
                  if m in r.body]
        want = (404,) if p in must_404 else (400, 404)
        if r.status not in want or leaked:
            bad.append("GET %s -> %d %r%s" % (p, r.status, r.body[:80], " LEAKED %r" % leaked if leaked else ""))
    # The absolute form of the request target goes through the same checks.
    with Conn(s.port) as c:
        r = c.request("GET", "http://127.0.0.1/static/../secret.txt")
        if r.status not in (400, 404) or s.secret.encode() in r.body:
            bad.append("GET http://127.0.0.1/static/../secret.txt -> %d %r" % (r.status, r.body[:80]))
    check(not bad, "not refused with 400/404:\n" + "\n".join(bad))
    r = get(s.port, "/static/css/app.css")
    eq((r.status, r.body), (200, CSS.encode()), "a static file after the attempts")
    check(s.alive(), "the server died")
