"""souk.py - what the integration tests share: start and stop the real
binary, talk HTTP/1.1 to it over raw sockets, and a very small test runner.

Only the standard library. Every wait is bounded: sockets carry timeouts and
every loop has a deadline, so a hung server fails a test instead of hanging
the run.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

SANITIZER_MARKS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "LeakSanitizer",
    "runtime error:",
    "SUMMARY: AddressSanitizer",
    "SUMMARY: UndefinedBehaviorSanitizer",
    "ThreadSanitizer",
)

# Environment variables of the server that a developer's shell must not leak
# into a test (the tests set what they need explicitly).
CONFIG_ENV = ("DATABASE_URL", "SECRET_KEY")
CONFIG_PREFIXES = ("SOUK_", "DB_")


class TestFailure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


def eq(got, want, what):
    if got != want:
        raise TestFailure("%s: got %r, want %r" % (what, got, want))


def clean_env(extra=None):
    """The environment for a souk process: this one without any souk
    configuration, with sanitizer defaults as tests/run.sh sets them, plus extra."""
    env = {}
    for k, v in os.environ.items():
        if k in CONFIG_ENV or k.startswith(CONFIG_PREFIXES):
            continue
        env[k] = v
    env.setdefault("ASAN_OPTIONS", "abort_on_error=1:detect_leaks=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env.setdefault(
        "LSAN_OPTIONS",
        "suppressions=%s:print_suppressions=0" % os.path.join(REPO, "tests", "lsan.supp"),
    )
    if extra:
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
    return env


def sanitizer_report(text):
    """The sanitizer report in text (from its first line on), or None."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if any(m in line for m in SANITIZER_MARKS):
            start = i
            # Include the "=====" banner line above an ASan/LSan report.
            if start > 0 and lines[start - 1].startswith("====="):
                start -= 1
            return "\n".join(lines[start:start + 60])
    return None


# ---------------------------------------------------------------- static files

CSS = "".join(
    ".c%d { color: #%06x; margin: %dpx %dpx; padding: 0 %dpx; }\n" % (i, i * 40503 % 0xFFFFFF, i % 7, i % 5, i % 3)
    for i in range(80)
)
JS = "".join(
    "function f%d(x) { return x * %d + document.title.length; }\n" % (i, i) for i in range(30)
)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + bytes(
    range(0, 256, 7)
)
ROBOTS = "User-agent: *\nDisallow: /admin/\n"


def make_static_tree(root):
    """Fill root/static with a few assets and plant things that must never be
    served: a secret file beside the static dir, a dot file inside it, and
    symbolic links inside it that point outside. Returns (static_dir, secret)."""
    static = os.path.join(root, "static")
    for d in ("css", "js", "img"):
        os.makedirs(os.path.join(static, d), exist_ok=True)
    with open(os.path.join(static, "css", "app.css"), "w") as f:
        f.write(CSS)
    with open(os.path.join(static, "js", "app.js"), "w") as f:
        f.write(JS)
    with open(os.path.join(static, "img", "logo.png"), "wb") as f:
        f.write(PNG)
    with open(os.path.join(static, "robots.txt"), "w") as f:
        f.write(ROBOTS)
    secret = "SECRET-%s-MARKER" % os.urandom(8).hex()
    with open(os.path.join(root, "secret.txt"), "w") as f:
        f.write(secret + "\n")
    with open(os.path.join(static, ".env"), "w") as f:
        f.write("SECRET_KEY=%s\n" % secret)
    os.symlink(os.path.join(root, "secret.txt"), os.path.join(static, "css", "evil.css"))
    os.symlink("../../secret.txt", os.path.join(static, "css", "rel.txt"))
    os.symlink(root, os.path.join(static, "up"))
    return static, secret


# ---------------------------------------------------------------- HTTP client


class Response:
    def __init__(self, status, reason, headers, body, head_bytes):
        self.status = status
        self.reason = reason
        self.headers = headers  # [(lowercase name, value)] in order
        self.body = body
        self.head_bytes = head_bytes

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def all(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k == name]

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return "<%d %s %s body=%r>" % (
            self.status,
            self.reason,
            self.headers,
            self.body[:300],
        )


class Reader:
    """Buffered reads from a socket with a deadline per call."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed by the server")
        self.buf += chunk

    def readline(self, limit=1 << 20):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                return line
            if len(self.buf) > limit:
                raise TestFailure("response line longer than %d bytes" % limit)
            self._fill()

    def read(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_to_eof(self, limit=64 << 20):
        while len(self.buf) < limit:
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            self.buf += chunk
        data, self.buf = self.buf, b""
        return data


def read_response(reader, head=False):
    line = reader.readline()
    m = re.match(rb"HTTP/1\.[01] (\d{3})(?: (.*))?$", line)
    if not m:
        raise TestFailure("malformed status line %r" % line[:200])
    status = int(m.group(1))
    reason = (m.group(2) or b"").decode("latin-1")
    headers = []
    head_len = len(line) + 2
    while True:
        line = reader.readline()
        head_len += len(line) + 2
        if line == b"":
            break
        if b":" not in line:
            raise TestFailure("malformed header line %r" % line[:200])
        k, v = line.split(b":", 1)
        headers.append((k.decode("latin-1").strip().lower(), v.decode("latin-1").strip()))
    resp = Response(status, reason, headers, b"", head_len)
    if head or status in (204, 304) or 100 <= status < 200:
        return resp
    te = (resp.header("transfer-encoding") or "").lower()
    if "chunked" in te:
        body = []
        while True:
            size_line = reader.readline()
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                while reader.readline() != b"":
                    pass
                break
            body.append(reader.read(size))
            if reader.read(2) != b"\r\n":
                raise TestFailure("chunk not followed by CRLF")
        resp.body = b"".join(body)
    elif resp.header("content-length") is not None:
        resp.body = reader.read(int(resp.header("content-length")))
    else:
        resp.body = reader.read_to_eof()
    return resp


def build_request(method, path, headers=None, body=None, host=True):
    """Request bytes with exactly: a Host line (unless host is False), the
    given header list in order, and Content-Length when a body is given and
    no framing header is."""
    lines = ["%s %s HTTP/1.1" % (method, path)]
    hdrs = list(headers or [])
    names = {k.lower() for k, _ in hdrs}
    if host and "host" not in names:
        lines.append("Host: 127.0.0.1")
    for k, v in hdrs:
        lines.append("%s: %s" % (k, v))
    if body is not None and "content-length" not in names and "transfer-encoding" not in names:
        lines.append("Content-Length: %d" % len(body))
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    if body is not None:
        data += body if isinstance(body, bytes) else body.encode("utf-8")
    return data


class Conn:
    """One HTTP/1.1 connection; requests on it reuse the socket (keep-alive)."""

    def __init__(self, port, timeout=10.0, host="127.0.0.1"):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = Reader(self.sock)

    def send(self, data):
        self.sock.sendall(data)

    def response(self, head=False):
        return read_response(self.reader, head=head)

    def request(self, method, path, headers=None, body=None, host=True):
        self.send(build_request(method, path, headers, body, host))
        return self.response(head=(method == "HEAD"))

    def get(self, path, headers=None):
        return self.request("GET", path, headers)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def request(port, method, path, headers=None, body=None, host=True, timeout=10.0):
    with Conn(port, timeout=timeout) as c:
        return c.request(method, path, headers, body, host)


def get(port, path, headers=None, timeout=10.0):
    return request(port, "GET", path, headers, timeout=timeout)


# ---------------------------------------------------------------- the server


class Server:
    """`souk serve` in a temporary directory. Its stdout and stderr lines are
    collected by reader threads; self.port is the port it logged."""

    def __init__(self, t, env=None, args=None, migrate=True, data_dir=None, root=None,
                 static=True, start_timeout=20.0, pre_args=None):
        self.t = t
        self.root = root or t.tmpdir()
        self.data_dir = data_dir or os.path.join(self.root, "data")
        self.static_dir = os.path.join(self.root, "static")
        self.secret = None
        if static and not os.path.exists(self.static_dir):
            self.static_dir, self.secret = make_static_tree(self.root)
        e = {
            "SOUK_DATA_DIR": self.data_dir,
            "SOUK_LISTEN": "127.0.0.1:0",
            "SOUK_TEST_ROUTES": "1",
            "SOUK_ENV": "test",
            "SOUK_STATIC_DIR": self.static_dir,
            "SOUK_TEMPLATES_DIR": os.path.join(REPO, "templates"),
            "SOUK_THREADS": "2",
        }
        if t.backend == "postgres":
            e["DATABASE_URL"] = t.db_url
        if env:
            e.update(env)
        self.env = clean_env(e)
        self.args = ([t.binary] + list(pre_args or []) + ["serve"] + (["--migrate"] if migrate else [])
                     + list(args or []))
        self.lines = []  # stderr lines
        self.out_lines = []  # stdout lines
        self.lock = threading.Lock()
        self.proc = None
        self.port = None
        self.rc = None
        self.stop_error = None
        self._start(start_timeout)

    def _pump(self, stream, sink):
        for raw in iter(stream.readline, b""):
            with self.lock:
                sink.append(raw.decode("utf-8", "replace").rstrip("\n"))
        stream.close()

    def _start(self, timeout):
        self.proc = subprocess.Popen(
            self.args,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.root,
        )
        self.t.servers.append(self)
        self.threads = [
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.lines), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.out_lines), daemon=True),
        ]
        for th in self.threads:
            th.start()
        deadline = time.monotonic() + timeout
        pat = re.compile(r"listening on http://(?:\[[^\]]*\]|[^:/]+):(\d+)")
        while time.monotonic() < deadline:
            for line in self.log_lines():
                m = pat.search(line)
                if m:
                    self.port = int(m.group(1))
                    return
            if self.proc.poll() is not None:
                time.sleep(0.1)  # let the readers catch the last lines
                raise TestFailure(
                    "souk serve exited with %d before listening:\n%s"
                    % (self.proc.returncode, self.stderr_tail())
                )
            time.sleep(0.01)
        raise TestFailure("souk serve did not log its port within %.0f s:\n%s" % (timeout, self.stderr_tail()))

    def log_lines(self):
        with self.lock:
            return list(self.lines)

    def stderr_text(self):
        return "\n".join(self.log_lines())

    def stderr_tail(self, n=40):
        return "\n".join(self.log_lines()[-n:])

    def json_lines(self):
        out = []
        for line in self.log_lines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out

    def access_entries(self):
        return [j for j in self.json_lines() if j.get("type") == "access"]

    def wait_for_log(self, pred, timeout=3.0):
        """The first JSON log line for which pred is true, waiting up to timeout."""
        deadline = time.monotonic() + timeout
        while True:
            for j in self.json_lines():
                if pred(j):
                    return j
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.02)

    def alive(self):
        return self.proc.poll() is None

    def signal(self, sig):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def wait(self, timeout):
        try:
            self.rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        for th in self.threads:
            th.join(timeout=5)
        return self.rc

    def stop(self, timeout=10.0):
        """SIGTERM, wait; returns the exit code (None if it had to be killed)."""
        if self.rc is not None:
            return self.rc
        self.signal(signal.SIGTERM)
        if self.wait(timeout) is None:
            self.proc.kill()
            self.proc.wait(timeout=5)
            for th in self.threads:
                th.join(timeout=5)
            self.stop_error = "did not exit within %.0f s of SIGTERM (killed)" % timeout
            return None
        return self.rc

    def problems(self):
        """What is wrong with how this server ended: a list of strings."""
        out = []
        if self.stop_error:
            out.append("souk serve " + self.stop_error)
        elif self.rc is not None and self.rc != 0:
            out.append("souk serve exited with %d (want 0)" % self.rc)
        rep = sanitizer_report(self.stderr_text())
        if rep:
            out.append("sanitizer report on the server's stderr:\n" + rep)
        elif self.rc not in (0, None):
            out.append("last lines of its stderr:\n" + self.stderr_tail(15))
        return out


# ---------------------------------------------------------------- CLI runs


class Run:
    def __init__(self, rc, out, err):
        self.rc = rc
        self.out = out
        self.err = err

    @property
    def both(self):
        return self.out + self.err

    def __repr__(self):
        return "exit %s\n--- stdout (end)\n%s\n--- stderr (end)\n%s" % (self.rc, self.out[-300:], self.err[-1500:])


def run_cli(t, args, env=None, timeout=30.0, cwd=None):
    """Run the binary with args in a clean environment; sanitizer output fails
    the calling test (recorded on t)."""
    e = clean_env(env)
    try:
        p = subprocess.run(
            [t.binary] + list(args),
            env=e,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            cwd=cwd or t.tmpdir(),
        )
    except subprocess.TimeoutExpired:
        raise TestFailure("souk %s did not finish within %.0f s" % (" ".join(args), timeout))
    r = Run(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))
    rep = sanitizer_report(r.err)
    if rep:
        t.cli_problems.append("sanitizer report from souk %s:\n%s" % (" ".join(args), rep))
    return r


# ---------------------------------------------------------------- runner

TESTS = []


def test(fn):
    """Register a test; its name is the function name without 'test_'."""
    name = fn.__name__[5:] if fn.__name__.startswith("test_") else fn.__name__
    TESTS.append((name, fn))
    return fn


class T:
    """What a test gets: the binary, the backend, temporary directories that
    are removed afterwards, and the servers it started (stopped and checked
    afterwards)."""

    def __init__(self, binary, backend, db_url):
        self.binary = binary
        self.backend = backend
        self.db_url = db_url
        self.servers = []
        self.cli_problems = []
        self.dirs = []
        self.note = ""

    def tmpdir(self):
        d = tempfile.mkdtemp(prefix="souk-it-")
        self.dirs.append(d)
        return d

    def server(self, **kw):
        return Server(self, **kw)

    def cli(self, args, env=None, **kw):
        e = {}
        if self.backend == "postgres":
            e["DATABASE_URL"] = self.db_url
        if env:
            e.update(env)
        return run_cli(self, args, e, **kw)

    def finish(self):
        problems = []
        for s in self.servers:
            s.stop()
            problems += s.problems()
        problems += self.cli_problems
        for d in self.dirs:
            shutil.rmtree(d, ignore_errors=True)
        return problems
