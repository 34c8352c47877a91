"""bench/report.py WORKDIR SECONDS CONNS THREADS RSS_KB - the Markdown table of
a bench/run.sh run: requests/s, p50, p99 per route, and each rate as a ratio
to the static file served in the same run."""
import datetime
import os
import platform
import re
import sys

work, secs, conns, threads, rss_kb = sys.argv[1:6]


def to_ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    n, unit = float(m.group(1)), m.group(2)
    return n / 1000 if unit == "us" else n * 1000 if unit == "s" else n


def parse(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", text).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", text).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sock = re.search(r"Socket errors: (.*)", text)
    return rps, p50, p99, int(errors.group(1)) if errors else 0, sock.group(1) if sock else ""


what = {
    "static": "static file (in memory, 776 B CSS)",
    "healthz": "minimal dynamic route, on the event loop",
    "home": "home page: one SQLite point lookup on a database worker",
    "home_during_slow_query": "home page while 2 s database calls hold a worker",
    "inline_lookup": "same lookup made on the event loop (design not chosen)",
    "healthz_during_loop_block": "/healthz while 2 s calls stall an event loop (design not chosen)",
}
runs = [line.split() for line in open(os.path.join(work, "runs"))]
results = {name: parse(os.path.join(work, name + ".wrk")) for name, _ in runs}
static_rps = results["static"][0]
cpu = "unknown"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break

print("# souk benchmark results\n")
print(f"Measured {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC by `make bench` on "
      f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}.")
print(f"Server and wrk share the machine. Each route: 2 s warm-up, then "
      f"`wrk -t{threads} -c{conns} -d{secs}s --latency URL`.")
print("Rates are also given as a ratio to the static file measured in the same run, "
      "since absolute numbers drift between machines.\n")
print("| route | path | requests/s | vs static | p50 ms | p99 ms | non-2xx |")
print("|---|---|---:|---:|---:|---:|---:|")
for name, path in runs:
    rps, p50, p99, errs, sock = results[name]
    print(f"| {what.get(name, name)} | `{path}` | {rps:,.0f} | {rps / static_rps:.2f} | "
          f"{p50:.2f} | {p99:.2f} | {errs} |")
print(f"\nServer peak RSS (VmHWM) over the whole run: {int(rss_kb) / 1024:.1f} MiB.")
sock_errs = [f"{n}: {results[n][4]}" for n, _ in runs if results[n][4]]
if sock_errs:
    print("\nSocket errors reported by wrk: " + "; ".join(sock_errs))
