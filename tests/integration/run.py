#!/usr/bin/python3
"""run.py - souk's integration tests: start the real binary on a free loopback
port and talk HTTP to it.

    python3 tests/integration/run.py --binary build/san/souk --backend sqlite
    SOUK_TEST_DATABASE_URL=postgresql://... python3 tests/integration/run.py \\
        --binary build/san/souk --backend postgres

Prints "ok   NAME" or "FAIL NAME" and the reason per test, then one line
"integration-BACKEND: N passed, N failed"; exits 1 on any failure. Each test
starts its own servers and fails if one of them does not exit 0 on SIGTERM or
prints a sanitizer report. -k SUBSTR runs only the tests whose name has it.
"""

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import souk  # noqa: E402
import test_cli  # noqa: E402,F401
import test_cli_shopify  # noqa: E402,F401
import test_http  # noqa: E402,F401
import test_limits  # noqa: E402,F401
import test_lifecycle  # noqa: E402,F401
import test_static  # noqa: E402,F401
import test_catalog_api  # noqa: E402,F401
import test_storefront  # noqa: E402,F401
import test_pagecache  # noqa: E402,F401
import test_mirror  # noqa: E402,F401

# The whole run must stay well under two minutes on two cores with the
# sanitizer build; past this, report what is left as failed and exit.
RUN_DEADLINE_S = 240


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--backend", choices=("sqlite", "postgres"), required=True)
    ap.add_argument("-k", dest="only", default=None, help="run tests whose name contains this")
    a = ap.parse_args()
    label = "integration-%s" % a.backend
    binary = os.path.abspath(a.binary)

    tests = [(n, f) for n, f in souk.TESTS if a.only is None or a.only in n]
    passed = failed = 0
    setup_error = None
    if not os.access(binary, os.X_OK):
        setup_error = "binary %s is missing or not executable" % binary
    db_url = os.environ.get("SOUK_TEST_DATABASE_URL", "")
    if a.backend == "postgres" and not db_url:
        setup_error = "SOUK_TEST_DATABASE_URL is not set (tests/run.sh sets it)"
    if setup_error:
        print("FAIL setup\n    %s" % setup_error, flush=True)
        print("%s: 0 passed, 1 failed" % label, flush=True)
        return 1

    # Test a private copy, so that a rebuild while the tests run cannot mix
    # two builds in one run.
    copy_dir = tempfile.mkdtemp(prefix="souk-it-bin-")
    private = os.path.join(copy_dir, os.path.basename(binary))
    shutil.copy2(binary, private)
    binary = private

    state = {"current": None, "done": 0, "t": None}

    def watchdog():
        time.sleep(RUN_DEADLINE_S)
        t = state["t"]
        if t is not None:
            for s in t.servers:
                try:
                    s.proc.kill()
                except Exception:
                    pass
        left = len(tests) - state["done"]
        print("FAIL %s\n    the run passed its %d s deadline during this test; %d tests not finished"
              % (state["current"], RUN_DEADLINE_S, left), flush=True)
        print("%s: %d passed, %d failed" % (label, passed, failed + left), flush=True)
        shutil.rmtree(copy_dir, ignore_errors=True)
        os._exit(1)

    threading.Thread(target=watchdog, daemon=True).start()

    for name, fn in tests:
        state["current"] = name
        t = souk.T(binary, a.backend, db_url)
        state["t"] = t
        t0 = time.monotonic()
        errors = []
        try:
            fn(t)
        except souk.TestFailure as e:
            errors.append(str(e))
        except Exception:
            errors.append("exception:\n" + traceback.format_exc(limit=6))
        try:
            errors += t.finish()
        except Exception:
            errors.append("teardown failed:\n" + traceback.format_exc(limit=4))
        dt = time.monotonic() - t0
        if errors:
            failed += 1
            print("FAIL %s%s (%.1f s)" % (name, (" " + t.note) if t.note else "", dt), flush=True)
            for e in errors:
                for line in e.rstrip().splitlines():
                    print("    " + line)
            sys.stdout.flush()
        else:
            passed += 1
            extra = (" " + t.note) if t.note else ""
            print("ok   %s%s" % (name, extra), flush=True)
        state["done"] += 1
    state["current"] = "(summary)"
    shutil.rmtree(copy_dir, ignore_errors=True)
    print("%s: %d passed, %d failed" % (label, passed, failed), flush=True)
    return 1 if failed or not tests else 0


if __name__ == "__main__":
    sys.exit(main())
