"""test_cli.py - the command line and the configuration: help and usage
errors, `souk migrate`, `souk config check` (sources, masked secrets, bad
values named), and the precedence defaults < environment < file < flags."""

import os
import re
import socket

from souk import check, eq, get, test

SECRET_KEY = "k3y-" + "0123456789abcdefghijklmnopqrstuvwxyzAB"  # 42 characters
assert len(SECRET_KEY) >= 40


def no_db_env(extra=None):
    """Configuration-only runs: no database settings at all."""
    e = {"DATABASE_URL": None}
    e.update(extra or {})
    return e


def write(t, text, name="souk.ini"):
    path = os.path.join(t.tmpdir(), name)
    with open(path, "w") as f:
        f.write(text)
    return path


def config_line(out, key):
    """(value, source) of key in `souk config check` output, or None."""
    for line in out.splitlines():
        m = re.match(r"^\s*%s\s*=\s*(.*?)\s+#\s*([a-z]+)" % re.escape(key), line)
        if m:
            return m.group(1), m.group(2)
    return None


def held_port():
    """A socket listening on a loopback port (without SO_REUSEPORT, so a
    server that tried to bind it would fail) and its port."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s, s.getsockname()[1]


@test
def test_cli_help(t):
    for args, want in ((["--help"], "usage: souk"), (["-h"], "usage: souk"), (["help"], "usage: souk"),
                       (["serve", "--help"], "usage: souk serve"), (["migrate", "--help"], "usage: souk migrate"),
                       (["config", "--help"], "usage: souk config")):
        r = t.cli(args, env=no_db_env())
        eq(r.rc, 0, "souk %s exit code (%r)" % (" ".join(args), r))
        check(want in r.out, "souk %s: %r not on stdout: %r" % (" ".join(args), want, r))
    r = t.cli(["serve", "--help"], env=no_db_env())
    for flag in ("--listen", "--threads", "--migrate"):
        check(flag in r.out, "serve --help does not mention %s" % flag)
    r = t.cli(["version"], env=no_db_env())
    eq(r.rc, 0, "souk version")
    check(r.out.startswith("souk "), "version output %r" % r.out)


@test
def test_cli_usage_errors(t):
    cases = [
        ([], None),
        (["frobnicate"], "frobnicate"),
        (["--bogus", "serve"], "--bogus"),
        (["serve", "--bogus"], "--bogus"),
        (["serve", "--listen"], "--listen"),
        (["serve", "--threads", "abc"], "server.threads"),
        (["migrate", "extra"], "extra"),
        (["config"], None),
        (["config", "frob"], "frob"),
        (["config", "check", "extra"], None),
        (["--config"], "--config"),
    ]
    for args, needle in cases:
        r = t.cli(args, env=no_db_env({"SOUK_LISTEN": "127.0.0.1:0", "SOUK_DATA_DIR": t.tmpdir()}), timeout=10)
        eq(r.rc, 2, "souk %s exit code (%r)" % (" ".join(args), r))
        check(r.err.strip(), "souk %s: nothing on stderr" % " ".join(args))
        if needle:
            check(needle in r.err, "souk %s: stderr does not name %r: %r" % (" ".join(args), needle, r.err[:300]))


@test
def test_migrate_twice(t):
    data = os.path.join(t.tmpdir(), "fresh")
    env = {"SOUK_DATA_DIR": data}
    r1 = t.cli(["migrate"], env=env)
    eq(r1.rc, 0, "first souk migrate (%r)" % r1)
    m1 = re.search(r"migrations: (\d+) applied, schema at version (\d+)", r1.err)
    check(m1, "first run: no 'migrations: N applied' line: %r" % r1)
    if t.backend == "sqlite":
        check(int(m1.group(1)) >= 1, "first run on a fresh data dir applied %s" % m1.group(1))
        check(os.path.exists(os.path.join(data, "souk.db")), "no souk.db after migrate")
    r2 = t.cli(["migrate"], env=env)
    eq(r2.rc, 0, "second souk migrate (%r)" % r2)
    m2 = re.search(r"migrations: (\d+) applied, schema at version (\d+)", r2.err)
    check(m2, "second run: no 'migrations: N applied' line: %r" % r2)
    eq(m2.group(1), "0", "migrations applied by the second run")
    eq(m2.group(2), m1.group(2), "schema version after the second run")
    # The schema the binary serves is the one migrate left.
    s = t.server(data_dir=data, migrate=False)
    r = get(s.port, "/readyz")
    eq(r.status, 200, "/readyz after souk migrate (%r)" % r.body[:200])
    eq(r.json().get("schema_version"), int(m1.group(2)), "schema_version")


@test
def test_config_check_sources(t):
    r = t.cli(["config", "check"], env=no_db_env({"SOUK_LISTEN": "127.0.0.1:9123", "SOUK_THREADS": "3"}))
    eq(r.rc, 0, "config check (%r)" % r)
    check("configuration is valid" in r.out, "no 'configuration is valid': %r" % r.out[-300:])
    eq(config_line(r.out, "server.listen"), ("127.0.0.1:9123", "env"), "server.listen line")
    eq(config_line(r.out, "server.threads"), ("3", "env"), "server.threads line")
    eq(config_line(r.out, "server.max_body"), ("1048576", "default"), "server.max_body line")
    eq(config_line(r.out, "store.env"), ("production", "default"), "store.env line")
    for key in ("server.max_headers", "server.max_header_bytes", "server.max_form_fields",
                "server.max_field_bytes", "server.max_json_depth", "database.url", "store.secret_key",
                "database.password", "store.data_dir", "server.static_dir"):
        check(config_line(r.out, key) is not None, "option %s not listed" % key)


@test
def test_config_check_masks_secrets(t):
    pw, url_pw = "hunter2secret", "pw123456"
    r = t.cli(["config", "check"], env=no_db_env({"DB_PASSWORD": pw, "SECRET_KEY": SECRET_KEY}))
    eq(r.rc, 0, "config check (%r)" % r)
    check(pw not in r.both, "DB_PASSWORD value shown: %r" % r.both)
    check(SECRET_KEY not in r.both and SECRET_KEY[:12] not in r.both, "SECRET_KEY value shown: %r" % r.both)
    check(config_line(r.out, "database.password") and config_line(r.out, "database.password")[1] == "env",
          "database.password line %r" % (config_line(r.out, "database.password"),))
    check(config_line(r.out, "store.secret_key")[1] == "env", "store.secret_key source")

    url = "postgresql://u:%s@127.0.0.1:5/db" % url_pw
    r = t.cli(["config", "check"], env={"DATABASE_URL": url})
    eq(r.rc, 0, "config check with DATABASE_URL (%r)" % r)
    check(url_pw not in r.both, "the DATABASE_URL password is shown: %r" % r.both)
    v = config_line(r.out, "database.url")
    check(v and "127.0.0.1:5/db" in v[0] and v[1] == "env", "database.url line %r (host and db should show)" % (v,))

    ini = write(t, "[database]\npassword = file-secret-77\n[store]\nsecret_key = \"%s\"\n" % SECRET_KEY)
    r = t.cli(["--config", ini, "config", "check"], env=no_db_env())
    eq(r.rc, 0, "config check with secrets in the file (%r)" % r)
    check("file-secret-77" not in r.both and SECRET_KEY not in r.both, "a secret from the file is shown: %r" % r.both)
    eq(config_line(r.out, "database.password")[1], "file", "database.password source")


@test
def test_config_check_masks_password_in_url_parameters(t):
    """libpq also takes the password as a URL parameter."""
    url = "postgresql://u@127.0.0.1:5/db?password=qs-secret-31337&sslmode=disable"
    r = t.cli(["config", "check"], env={"DATABASE_URL": url})
    eq(r.rc, 0, "config check (%r)" % r)
    check("qs-secret-31337" not in r.both, "the password in DATABASE_URL's query is shown: %r"
          % config_line(r.out, "database.url")[0])


@test
def test_config_bad_values(t):
    cases = [
        ({"SOUK_LISTEN": "nonsense"}, ("server.listen", "SOUK_LISTEN")),
        ({"SOUK_LISTEN": "127.0.0.1:99999"}, ("server.listen", "SOUK_LISTEN")),
        ({"SOUK_THREADS": "abc"}, ("server.threads", "SOUK_THREADS")),
        ({"SOUK_THREADS": "0x10"}, ("server.threads", "SOUK_THREADS")),
        ({"SOUK_THREADS": "-1"}, ("server.threads", "SOUK_THREADS")),
        ({"SOUK_THREADS": "4 "}, ("server.threads", "SOUK_THREADS")),
        ({"SOUK_MAX_BODY": "-1"}, ("server.max_body", "SOUK_MAX_BODY")),
        ({"SOUK_MAX_BODY": "1Q"}, ("server.max_body", "SOUK_MAX_BODY")),
        ({"SOUK_MAX_HEADERS": "0"}, ("server.max_headers", "SOUK_MAX_HEADERS")),
        ({"SOUK_ENV": "staging"}, ("store.env", "SOUK_ENV")),
        ({"SOUK_TEST_ROUTES": "1", "SOUK_ENV": "production"}, ("test_routes",)),
        ({"SOUK_TEST_ROUTES": "1"}, ("test_routes",)),  # production is the default
        ({"SOUK_TEST_ROUTES": "maybe", "SOUK_ENV": "test"}, ("server.test_routes", "SOUK_TEST_ROUTES")),
        ({"SOUK_ACCESS_LOG": "yes please"}, ("server.access_log", "SOUK_ACCESS_LOG")),
        ({"SOUK_LOG_LEVEL": "loud"}, ("store.log_level", "SOUK_LOG_LEVEL")),
    ]
    base = {"SOUK_DATA_DIR": t.tmpdir(), "SOUK_STATIC_DIR": t.tmpdir()}
    for env, names in cases:
        e = no_db_env(dict(base, **env))
        for args in (["config", "check"], ["serve"]):
            if args == ["serve"]:
                e.setdefault("SOUK_LISTEN", "127.0.0.1:0")
            r = t.cli(args, env=e, timeout=15)
            what = "souk %s with %s" % (" ".join(args), env)
            eq(r.rc, 2, "%s: exit code (%r)" % (what, r))
            check(any(n in r.err for n in names), "%s: stderr does not name %s: %r" % (what, " or ".join(names), r.err[:300]))


@test
def test_config_bad_secrets_not_echoed(t):
    r = t.cli(["config", "check"], env=no_db_env({"SECRET_KEY": "too-short-secret-991"}))
    eq(r.rc, 2, "a SECRET_KEY shorter than 32 characters (%r)" % r)
    check("secret_key" in r.err or "SECRET_KEY" in r.err, "the option is not named: %r" % r.err)
    check("too-short-secret-991" not in r.both, "the rejected secret is echoed: %r" % r.err)
    r = t.cli(["config", "check"], env={"DATABASE_URL": "mysql://u:mysql-pw-4242@127.0.0.1/db"})
    eq(r.rc, 2, "a DATABASE_URL that is not postgresql:// (%r)" % r)
    check("database.url" in r.err or "DATABASE_URL" in r.err, "the option is not named: %r" % r.err)
    check("mysql-pw-4242" not in r.both, "the rejected URL's password is echoed: %r" % r.err)


@test
def test_config_file_errors(t):
    ini = write(t, "# souk\n[server]\nlisten = 127.0.0.1:0\nlisen = 127.0.0.1:1\n")
    r = t.cli(["--config", ini, "config", "check"], env=no_db_env())
    eq(r.rc, 2, "unknown key in the file (%r)" % r)
    check(ini + ":4" in r.err, "the message does not name %s:4: %r" % (ini, r.err))
    check("lisen" in r.err, "the message does not name the key: %r" % r.err)

    ini = write(t, "[server]\nthreads = many\n")
    r = t.cli(["--config", ini, "config", "check"], env=no_db_env())
    eq(r.rc, 2, "bad value in the file (%r)" % r)
    check(ini + ":2" in r.err and "server.threads" in r.err, "the message does not name the place and key: %r" % r.err)

    ini = write(t, "[server\nthreads = 2\n")
    r = t.cli(["--config", ini, "config", "check"], env=no_db_env())
    eq(r.rc, 2, "malformed section (%r)" % r)
    check(ini + ":1" in r.err, "the message does not name %s:1: %r" % (ini, r.err))

    missing = os.path.join(t.tmpdir(), "nope", "souk.ini")
    for args, env in ((["--config", missing, "config", "check"], {}),
                      (["config", "check"], {"SOUK_CONFIG": missing}),
                      (["--config", missing, "serve"], {"SOUK_LISTEN": "127.0.0.1:0"}),
                      (["--config", missing, "migrate"], {})):
        r = t.cli(args, env=no_db_env(env), timeout=15)
        eq(r.rc, 2, "souk %s %s with an unreadable config file (%r)" % (env, " ".join(args), r))
        check(missing in r.err, "the message does not name %s: %r" % (missing, r.err))

    d = t.tmpdir()
    r = t.cli(["--config", d, "config", "check"], env=no_db_env())
    eq(r.rc, 2, "--config naming a directory (%r)" % r)
    check(d in r.err, "the message does not name %s: %r" % (d, r.err))


@test
def test_config_precedence(t):
    ini = write(t, "[server]\nlisten = 127.0.0.1:7002\nthreads = 5\n[store]\ndata_dir = /tmp/from-file\n")
    env = no_db_env({"SOUK_LISTEN": "127.0.0.1:7001", "SOUK_THREADS": "3", "SOUK_DATA_DIR": "/tmp/from-env",
                     "SOUK_MAX_BODY": "2M"})
    r = t.cli(["--config", ini, "config", "check"], env=env)
    eq(r.rc, 0, "config check (%r)" % r)
    eq(config_line(r.out, "server.listen"), ("127.0.0.1:7002", "file"), "file over env: server.listen")
    eq(config_line(r.out, "server.threads"), ("5", "file"), "file over env: server.threads")
    eq(config_line(r.out, "server.max_body"), ("2097152", "env"), "env over default: server.max_body")
    eq(config_line(r.out, "server.max_headers"), ("64", "default"), "default: server.max_headers")
    eq(config_line(r.out, "store.data_dir"), ("/tmp/from-file", "file"), "file over env: store.data_dir")
    r = t.cli(["--config", ini, "--data-dir", "/tmp/from-flag", "config", "check"], env=env)
    eq(config_line(r.out, "store.data_dir"), ("/tmp/from-flag", "flag"), "flag over file: store.data_dir")
    # --config beats SOUK_CONFIG.
    other = write(t, "[server]\nlisten = 127.0.0.1:7003\n", "other.ini")
    r = t.cli(["--config", ini, "config", "check"], env=dict(env, SOUK_CONFIG=other))
    eq(config_line(r.out, "server.listen"), ("127.0.0.1:7002", "file"), "--config over SOUK_CONFIG")
    r = t.cli(["config", "check"], env=dict(env, SOUK_CONFIG=other))
    eq(config_line(r.out, "server.listen"), ("127.0.0.1:7003", "file"), "SOUK_CONFIG alone")


@test
def test_serve_listens_where_configured(t):
    """The environment names a port that is taken; the file overrides it with
    port 0, so the server starts. Then the file names a taken port and the
    --listen flag overrides it. --threads beats SOUK_THREADS."""
    held = []
    try:
        s1, p1 = held_port()
        s2, p2 = held_port()
        held += [s1, s2]
        ini = write(t, "[server]\nlisten = 127.0.0.1:0\n")
        srv = t.server(env={"SOUK_LISTEN": "127.0.0.1:%d" % p1}, pre_args=["--config", ini])
        check(srv.port not in (p1, p2), "port %d" % srv.port)
        eq(get(srv.port, "/healthz").status, 200, "file over env: /healthz")
        eq(srv.stop(), 0, "exit code")

        ini = write(t, "[server]\nlisten = 127.0.0.1:%d\nthreads = 2\n" % p2)
        srv = t.server(env={"SOUK_LISTEN": "127.0.0.1:%d" % p1, "SOUK_THREADS": "2"}, pre_args=["--config", ini],
                       args=["--listen", "127.0.0.1:0", "--threads=1"])
        check(srv.port not in (p1, p2), "port %d" % srv.port)
        eq(get(srv.port, "/healthz").status, 200, "flag over file: /healthz")
        line = [x for x in srv.log_lines() if "listening on" in x][0]
        check("with 1 event loops" in line or "with 1 event loop " in line, "--threads=1 not applied: %s" % line)
    finally:
        for s in held:
            s.close()
