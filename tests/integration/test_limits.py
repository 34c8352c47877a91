"""test_limits.py - every input limit at its value (accepted) and one past it
(refused with the right status), with the defaults and with small configured
values. Requests are written byte by byte on raw sockets so that the header
list is exactly what the test says (no header added behind its back)."""

import json

from souk import Conn, TestFailure, build_request, check, eq, request, test

FORM = [("Content-Type", "application/x-www-form-urlencoded")]
JSON = [("Content-Type", "application/json")]


def fields_request(port, total_fields, name_prefix="X-F"):
    """GET /healthz with exactly total_fields header fields, Host included."""
    hdrs = [("Host", "127.0.0.1")] + [("%s%d" % (name_prefix, i), "v") for i in range(total_fields - 1)]
    with Conn(port) as c:
        c.send(build_request("GET", "/healthz", hdrs, host=False))
        return c.response()


def bytes_request(port, total):
    """GET /healthz whose header names and values add up to exactly total
    bytes: Host: 127.0.0.1 (13) and X-Fill: aaa... ."""
    fill = total - len("Host") - len("127.0.0.1") - len("X-Fill")
    assert fill > 0
    hdrs = [("Host", "127.0.0.1"), ("X-Fill", "a" * fill)]
    with Conn(port) as c:
        c.send(build_request("GET", "/healthz", hdrs, host=False))
        return c.response()


def check_header_count(port, limit):
    r = fields_request(port, limit)
    eq(r.status, 200, "%d header fields (Host included), the limit" % limit)
    r = fields_request(port, limit + 1)
    if r.status != 431:
        first = None
        for n in range(limit + 2, limit + 5):
            if fields_request(port, n).status == 431:
                first = n
                break
        raise TestFailure("%d header fields (Host included), one past the limit: got %d, want 431 "
                          "(431 comes only from %s fields on)" % (limit + 1, r.status, first))
    eq(r.header("x-request-id") is not None, True, "X-Request-Id on the 431")


def check_header_bytes(port, limit):
    r = bytes_request(port, limit)
    eq(r.status, 200, "%d bytes of header names and values (Host included), the limit" % limit)
    r = bytes_request(port, limit + 1)
    if r.status != 431:
        first = None
        for n in (limit + 2, limit + 5, limit + 13, limit + 14, limit + 20):
            if bytes_request(port, n).status == 431:
                first = n
                break
        raise TestFailure("%d bytes of header names and values (Host included), one past the limit: "
                          "got %d, want 431 (431 first seen at %s bytes)" % (limit + 1, r.status, first))


def put_body(port, n, chunked=False):
    """PUT /_test/items/x with an n-byte body (the handler ignores it)."""
    body = b"b" * n
    with Conn(port, timeout=20) as c:
        if chunked:
            c.send(build_request("PUT", "/_test/items/x", [("Transfer-Encoding", "chunked")])
                   + b"%x\r\n" % n + body + b"\r\n0\r\n\r\n")
        else:
            c.send(build_request("PUT", "/_test/items/x", [("Content-Length", str(n))]) + body)
        return c.response()


def announce_body(port, n, path="/_test/items/x", method="PUT", headers=()):
    """Announce an n-byte body and send none of it: a server that checks the
    announced length answers at once (and we lose no response to a reset)."""
    with Conn(port) as c:
        c.send(build_request(method, path, list(headers) + [("Content-Length", str(n))]))
        return c.response()


def form_body(nfields, value="1"):
    return "&".join("f%d=%s" % (i, value) for i in range(nfields)).encode()


def nested(depth):
    return "[" * depth + "1" + "]" * depth


def check_form_limits(port, max_fields, max_field):
    r = request(port, "POST", "/_test/form", FORM, form_body(max_fields))
    eq(r.status, 200, "form with %d fields" % max_fields)
    eq(len(r.json()["fields"]), max_fields, "fields echoed")
    r = request(port, "POST", "/_test/form", FORM, form_body(max_fields + 1))
    eq(r.status, 413, "form with %d fields" % (max_fields + 1))
    q = "/_test/query?" + form_body(max_fields).decode()
    eq(request(port, "GET", q).status, 200, "query with %d fields" % max_fields)
    q = "/_test/query?" + form_body(max_fields + 1).decode()
    eq(request(port, "GET", q).status, 413, "query with %d fields" % (max_fields + 1))

    # The limit is on the decoded value: "%41" is one byte.
    for enc, unit in (("z", 1), ("%41", 3)):
        r = request(port, "POST", "/_test/form", FORM, ("v=" + enc * max_field).encode())
        eq(r.status, 200, "form value of %d decoded bytes (%s)" % (max_field, enc))
        eq(len(r.json()["fields"][0][1]), max_field, "echoed value length")
        r = request(port, "POST", "/_test/form", FORM, ("v=" + enc * (max_field + 1)).encode())
        eq(r.status, 413, "form value of %d decoded bytes (%s)" % (max_field + 1, enc))
    r = request(port, "POST", "/_test/form", FORM, ("v=" + "+" * max_field).encode())
    eq(r.status, 200, "form value of %d '+' (spaces)" % max_field)
    r = request(port, "GET", "/_test/query?v=" + "q" * max_field)
    eq(r.status, 200, "query value of %d bytes" % max_field)
    r = request(port, "GET", "/_test/query?v=" + "q" * (max_field + 1))
    eq(r.status, 413, "query value of %d bytes" % (max_field + 1))


def check_json_depth(port, depth):
    r = request(port, "POST", "/api/_test/json", JSON, nested(depth))
    eq(r.status, 200, "JSON nested %d deep" % depth)
    eq(json.dumps(r.json()["body"]).count("["), depth, "echoed depth")
    obj = '{"a":' * depth + "1" + "}" * depth
    eq(request(port, "POST", "/api/_test/json", JSON, obj).status, 200, "JSON objects nested %d deep" % depth)
    r = request(port, "POST", "/api/_test/json", JSON, nested(depth + 1))
    eq(r.status, 413, "JSON nested %d deep" % (depth + 1))
    check((r.header("content-type") or "").startswith("application/problem+json"),
          "content-type of the 413 %r" % r.header("content-type"))
    # Brackets inside strings are not nesting.
    s = json.dumps(["[" * (depth + 5)])
    eq(request(port, "POST", "/api/_test/json", JSON, s).status, 200, "brackets inside a string")


@test
def test_default_body_limit_1mib(t):
    s = t.server()
    r = put_body(s.port, 1 << 20)
    eq(r.status, 200, "a body of 1 MiB (1048576 bytes), the default limit")
    r = put_body(s.port, (1 << 20) + 1)
    eq(r.status, 413, "a body of 1048577 bytes")
    # An upload announced far past the limit is refused before it is read.
    r = announce_body(s.port, 8 << 20)
    eq(r.status, 413, "Content-Length: 8 MiB announced, no body sent")
    check(s.alive(), "the server died")


@test
def test_default_header_count_limit(t):
    s = t.server()
    check_header_count(s.port, 64)


@test
def test_default_header_bytes_limit(t):
    s = t.server()
    check_header_bytes(s.port, 16384)


@test
def test_default_form_and_json_limits(t):
    s = t.server()
    check_form_limits(s.port, 256, 65536)
    check_json_depth(s.port, 32)


SMALL_LIMITS = {
    "SOUK_MAX_BODY": "4096",
    "SOUK_MAX_HEADERS": "16",
    "SOUK_MAX_HEADER_BYTES": "1024",
    "SOUK_MAX_FORM_FIELDS": "8",
    "SOUK_MAX_FIELD_BYTES": "64",
    "SOUK_MAX_JSON_DEPTH": "4",
}


@test
def test_configured_body_form_json_limits(t):
    s = t.server(env=SMALL_LIMITS)
    eq(put_body(s.port, 4096).status, 200, "a 4096-byte body, the limit")
    eq(put_body(s.port, 4097).status, 413, "a 4097-byte body")
    eq(put_body(s.port, 4096, chunked=True).status, 200, "a chunked 4096-byte body")
    eq(put_body(s.port, 4097, chunked=True).status, 413, "a chunked 4097-byte body")
    # Announced far past the limit: refused at once, without reading the body.
    eq(announce_body(s.port, 1 << 20).status, 413, "Content-Length: 1 MiB announced")
    check_form_limits(s.port, 8, 64)
    check_json_depth(s.port, 4)


@test
def test_configured_header_count_limit(t):
    s = t.server(env=SMALL_LIMITS)
    check_header_count(s.port, 16)


@test
def test_configured_header_bytes_limit(t):
    s = t.server(env=SMALL_LIMITS)
    check_header_bytes(s.port, 1024)


@test
def test_chunked_body_limit(t):
    s = t.server(env={"SOUK_MAX_BODY": "4096"})
    eq(put_body(s.port, 4095, chunked=True).status, 200, "a 4095-byte chunked body")
    eq(put_body(s.port, 4097, chunked=True).status, 413, "a 4097-byte chunked body")
    eq(put_body(s.port, 4096, chunked=True).status, 200, "a 4096-byte chunked body (the limit)")


@test
def test_limit_errors_are_well_formed(t):
    """A refused request still gets the server's error format: X-Request-Id,
    and problem+json under /api/."""
    s = t.server(env={"SOUK_MAX_BODY": "4096"})
    r = fields_request(s.port, 80)
    eq(r.status, 431, "80 header fields")
    check(r.header("x-request-id"), "no X-Request-Id on the 431")
    r = announce_body(s.port, 5000, "/api/_test/json", "POST", JSON)
    eq(r.status, 413, "POST /api/_test/json with Content-Length: 5000")
    problems = []
    if not r.header("x-request-id"):
        problems.append("no X-Request-Id")
    if not (r.header("content-type") or "").startswith("application/problem+json"):
        problems.append("Content-Type %r, want application/problem+json (body %r)"
                        % (r.header("content-type"), r.body[:80]))
    check(not problems, "413 under /api/: " + "; ".join(problems))
