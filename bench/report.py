"""bench/report.py WORKDIR SECONDS CONNS THREADS - the Markdown tables of a
bench/run.sh run: requests/s, p50 and p99 per route, each rate as a ratio to
the static file served by the same server in the same run, peak RSS, and
import times."""
import datetime
import math
import os
import platform
import re
import sys

work, secs, conns, threads = sys.argv[1:5]


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
    # wrk counts a response that came after its timeout (2 s) among the
    # requests but leaves it out of the latencies: when more than 1% (or
    # half) of them did, the p99 (or p50) is past the timeout, whatever the
    # histogram of the rest says.
    done = int(re.search(r"(\d+) requests in", text).group(1))
    timeouts = re.search(r"timeout (\d+)", sock.group(1)) if sock else None
    lost = int(timeouts.group(1)) if timeouts else 0
    if lost > 0.01 * max(done, lost):
        p99 = math.inf
    if lost >= 0.5 * max(done, lost):
        p50 = math.inf
    return rps, p50, p99, int(errors.group(1)) if errors else 0, sock.group(1) if sock else ""


def ms(v):
    return "over 2000 (timed out)" if v == math.inf else f"{v:.2f}"


what = {
    "static": "static file (in memory, CSS)",
    "healthz": "minimal dynamic route, on the event loop",
    "home": "home page, on a database worker",
    "inline_lookup": "a point lookup made on the event loop (design not chosen)",
    "home_during_slow_query": "home page while 2 s database calls hold a worker",
    "healthz_during_loop_block": "/healthz while 2 s calls stall an event loop (design not chosen)",
    "product": "product page",
    "product_mix": "product pages of every handle, in random order (wrk script)",
    "collection": "collection page (500 products, facets)",
    "search": "search results with facets",
    "search_mix": "searches of 576 different texts, in random order (wrk script)",
    "api_product": "JSON product",
}
titles = {
    "foundation": "Foundation: an empty store (page cache off)",
    "catalog": "Catalog: 10,000 products, 30,000 variants (page cache on, the default)",
    "uncached": "Catalog: 10,000 products, page cache off (every request rendered)",
    "million": "Catalog: 1,000,000 products (page cache on)",
    "million_uncached": "Catalog: 1,000,000 products, page cache off",
}
runs = [line.split() for line in open(os.path.join(work, "runs"))]
# part -> [peak RSS, PSS at the end, anonymous RSS at the end], in kB
rss = {f[0]: f[1:] for f in (line.split() for line in open(os.path.join(work, "rss")))}
cpu = "unknown"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break

print("# souk benchmark results\n")
print(f"Measured {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC by `make bench` on "
      f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}.")
print(f"Server and wrk share the machine. Each route: 3 s warm-up, then "
      f"`wrk -t{threads} -c{conns} -d{secs}s --latency URL`. SQLite backend.")
print("Rates are also given as a ratio to the static file measured by the same server in "
      "the same run, since absolute numbers drift between machines.\n")
results = {}
for part in titles:
    rows = [(n, p) for pt, n, p in runs if pt == part]
    if not rows:
        continue
    res = {n: parse(os.path.join(work, f"{part}.{n}.wrk")) for n, _ in rows}
    results[part] = res
    ref = res.get("static", res[rows[0][0]])[0]
    print(f"## {titles[part]}\n")
    print("| route | path | requests/s | vs static | p50 ms | p99 ms | non-2xx |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for n, p in rows:
        rps, p50, p99, errs, sock = res[n]
        ratio = f"{rps / ref:.2f}" if "static" in res else "–"
        shown = "(scripted)" if p == "/" and n != "home" else f"`{p}`"
        print(f"| {what.get(n, n)} | {shown} | {rps:,.0f} | {ratio} | {ms(p50)} | {ms(p99)} | {errs} |")
    if part in rss:
        peak, pss, anon = (int(v) / 1024 for v in rss[part])
        print(f"\nServer peak RSS (VmHWM) over this part: {peak:.1f} MiB. At its end: "
              f"PSS {pss:.1f} MiB (each shared page counted once; RSS counts the database "
              f"file once per SQLite connection that maps it), of which anonymous {anon:.1f} MiB.")
    errs = [f"{n}: {res[n][4]}" for n, _ in rows if res[n][4]]
    if errs:
        print("\nSocket errors reported by wrk: " + "; ".join(errs))
    print()
imports = os.path.join(work, "imports")
if os.path.exists(imports):
    print("## Import (`souk import shopify`, generated CSV, 3 variants per product)\n")
    print("| products | seconds | products/s |")
    print("|---:|---:|---:|")
    for line in open(imports):
        n, s = line.split()
        print(f"| {int(n):,} | {float(s):.1f} | {int(n) / float(s):,.0f} |")


# The targets of issue 3, checked against this run's figures.
def fig(part, name, i):
    return results.get(part, {}).get(name, (None,) * 5)[i]


checks = []
for part, label in (("catalog", "cache on"), ("uncached", "cache off")):
    if part not in results:
        continue
    p, st = fig(part, "product", 0), fig(part, "static", 0)
    r = p / st if p and st else None
    checks.append((f"product page >= 0.25 of static ({label})", f"{r:.2f}" if r else "-",
                   r is not None and r >= 0.25))
    for name, limit in (("product", 10), ("collection", 10), ("search", 30), ("search_mix", 30)):
        v = fig(part, name, 2)
        if v is None and name == "search_mix":
            continue
        checks.append((f"{name} p99 < {limit} ms ({label})", f"{ms(v)} ms" if v else "-",
                       v is not None and v < limit))
for part in ("catalog", "uncached"):
    if part in rss:
        mib = int(rss[part][0]) / 1024
        checks.append((f"peak RSS < 100 MB ({part})", f"{mib:.1f} MiB", mib * 1.048576 < 100))
for part, base in (("million", "catalog"), ("million_uncached", "uncached")):
    if part not in results:
        continue
    big, small = fig(part, "product", 2), fig(base, "product", 2)
    if big and small:
        checks.append((f"1M product p99 within 2x of 10k ({part})", f"{ms(big)} vs {ms(small)} ms",
                       big <= 2 * small))
    for name in ("search", "search_mix"):
        v = fig(part, name, 2)
        if v:
            checks.append((f"1M {name} p99 < 100 ms ({part})", f"{ms(v)} ms", v < 100))
if os.path.exists(imports):
    for line in open(imports):
        n, secs_ = line.split()
        if int(n) == 1000000:
            checks.append(("1M import < 180 s", f"{float(secs_):.0f} s", float(secs_) < 180))
if checks:
    print("\n## Targets (issue 3)\n")
    print("| target | measured | met |")
    print("|---|---:|---|")
    for what_, got, ok in checks:
        print(f"| {what_} | {got} | {'yes' if ok else '**no**'} |")
