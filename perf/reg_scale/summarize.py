#!/usr/bin/env python3
"""Tables and the result file of perf/reg_scale/run.sh.

  summarize.py --merge BENCH_JSON NAME EXIT_CODE SIPP_TICKS CLK_TCK LOADAVG STDERR_LOG
      one JSON line: the benchmark's report plus exit code, sipp CPU time, load average and
      the reason the run counts as a breakdown ("" when it does not)
  summarize.py --report RUNS_JSONL HEADER_MD OUT_JSON ATTEMPTS_JSONL
      Markdown tables on stdout, the whole result in OUT_JSON
"""
import collections
import datetime
import json
import sys


def breakdown(run):
    """Why a run counts as a breakdown of the plugin, or ""."""
    if "register" not in run:
        return "no report (exit %s): %s" % (run.get("exit_code"), run.get("error", "crash?"))
    if run.get("aborted"):
        return "watchdog fired in phase %s" % run.get("phase")
    reg = run["register"]
    n = run["accounts"]
    if reg.get("stalled"):
        return "stalled: no event at all from the plugin"
    thread_fail = {k: c for k, c in reg["failures"].items() if "thread" in k.lower()}
    if thread_fail:
        what = max(thread_fail.items(), key=lambda kv: kv[1])[0]
        return "SIP thread/stack start failed for %d accounts (%s)" % (sum(thread_fail.values()), what)
    if run.get("attached", n) < n:
        return "create_session failed after %d handles" % run.get("attached", 0)
    if reg["timed_out"]:
        return "cap reached: %d of %d not registered after %.0f s" % (
            reg["timed_out"], n, reg["elapsed_ms"] / 1000)
    bad = reg["failed"] + reg["rejected"]
    if bad * 100 > n:
        top = max(reg["failures"].items(), key=lambda kv: kv[1])[0] if reg["failures"] else "?"
        return "%.1f%% failed (%s)" % (100.0 * bad / n, top)
    if run.get("exit_code") not in (0, 1):
        return "exit code %s" % run.get("exit_code")
    return ""


def merge(path, name, rc, ticks, hz, load, log_path):
    try:
        with open(path) as f:
            lines = [l for l in f if l.startswith('{"bench"')]
        run = json.loads(lines[-1]) if lines else {"label": name, "error": "no JSON line"}
    except (OSError, ValueError) as e:
        run = {"label": name, "error": str(e)}
    run["exit_code"] = int(rc)
    run["sipp_cpu_s"] = int(ticks) / int(hz) if int(ticks) >= 0 else None
    run["load_before"] = load
    try:
        with open(log_path, errors="replace") as f:
            other = [l.rstrip() for l in f if not l.startswith("[reg-scale]")]
        run["stderr"] = [f"{c}x {l}" for l, c in collections.Counter(other).most_common(5)]
    except OSError:
        run["stderr"] = []
    run["breakdown"] = breakdown(run)
    print(json.dumps(run))


def fmt(x, digits=1):
    if x is None:
        return "–"
    if isinstance(x, int):
        return f"{x:,}"
    return f"{x:,.{digits}f}"


def verdict(run):
    v = run["breakdown"] or "ok"
    if run.get("attempts", 1) > 1:
        v += f" (attempt {run['attempts']})"
    return v


def row(run):
    if "register" not in run:
        return "| " + " | ".join([str(run.get("label"))] + ["–"] * 16 + [verdict(run)]) + " |"
    reg, proc, per = run["register"], run["proc"], run["per_account"]
    r = proc["registered"]
    # Per registered account (sessions still waiting hold ~2-3 KB each, see rss_kb_session).
    rss_per = (r["rss_kb"] - proc["loaded"]["rss_kb"]) / reg["done"] if reg["done"] else None
    unreg = run.get("unregister", {})
    cl = run.get("cleanup", {})
    cleanup = ("fds " + ("back" if cl.get("fds_back") else f"+{cl.get('fds_left')}") +
               ", threads " + ("back" if cl.get("threads_back") else f"+{cl.get('threads_left')}"))
    lat = f"{reg['latency_ms']['p50'] / 1000:.2f} / {reg['latency_ms']['p99'] / 1000:.2f}"
    return (f"| {run['label']} | {fmt(run['accounts'])} | {fmt(reg['done'])} | "
            f"{reg['failed'] + reg['rejected']} / {reg['timed_out']} | {fmt(reg['elapsed_ms'] / 1000, 2)} | "
            f"**{fmt(reg['per_s'])}** | {lat} | {fmt(r['threads'])} | {fmt(r['fds'])} | "
            f"{fmt(r['rss_kb'] / 1024)} | {fmt(rss_per)} | {fmt(per['fds'], 2)} | "
            f"{fmt(per['threads'], 2)} | {fmt(unreg.get('elapsed_ms', 0) / 1000, 2)} | "
            f"{cleanup} | {fmt(run.get('sipp_cpu_s'))} | {run.get('load_before', '?').split()[0]} | "
            f"{verdict(run)} |")


def metrics(run):
    reg, r, per = run["register"], run["proc"]["registered"], run["per_account"]
    return collections.OrderedDict([
        ("registered", (reg["done"], False)),
        ("time to register all (s)", (reg["elapsed_ms"] / 1000, True)),
        ("registrations/s", (reg["per_s"], False)),
        ("p99 request-to-registered (s)", (reg["latency_ms"]["p99"] / 1000, True)),
        ("threads (process)", (r["threads"], True)),
        ("open fds (process)", (r["fds"], True)),
        ("VmRSS (MB)", (r["rss_kb"] / 1024, True)),
        ("VmSize (MB)", (r["vm_size_kb"] / 1024, True)),
        ("RSS per account (KB)", ((r["rss_kb"] - run["proc"]["loaded"]["rss_kb"]) / max(reg["done"], 1), True)),
        ("fds per account", (per["fds"], True)),
        ("threads per account", (per["threads"], True)),
    ])


def comparison(runs):
    """Side-by-side tables at each account count both plugins ran."""
    by = {}
    for r in runs:
        if "register" in r:
            by[(r["flavor"], r["accounts"])] = r
    out, tables = [], []
    for n in sorted({k[1] for k in by}):
        ours, stock = by.get(("rtpgate", n)), by.get(("stock", n))
        if not ours or not stock:
            continue
        lines = [f"### {n:,} accounts: rtpgate vs stock", "",
                 "| metric | rtpgate | stock | advantage |", "|---|---:|---:|---:|"]
        mo, ms = metrics(ours), metrics(stock)
        cmp = {"accounts": n, "rtpgate": {}, "stock": {}, "advantage": {}}
        for key, (vo, lower_better) in mo.items():
            vs = ms[key][0]
            if lower_better:
                adv = vs / vo if vo else None
            else:
                adv = vo / vs if vs else None
            cmp["rtpgate"][key], cmp["stock"][key], cmp["advantage"][key] = vo, vs, adv
            adv_s = f"{adv:,.1f}×" if adv is not None else "–"
            digits = 2 if isinstance(vo, float) and abs(vo) < 10 else 1
            lines.append(f"| {key} | {fmt(vo, digits)} | {fmt(vs, digits)} | {adv_s} |")
        tables.append("\n".join(lines) + "\n")
        out.append(cmp)
    return out, tables


def report(runs_path, header_path, out_path, attempts_path):
    with open(runs_path) as f:
        runs = [json.loads(l) for l in f if l.strip()]
    with open(attempts_path) as f:
        stalled = [json.loads(l)["label"] for l in f
                   if l.strip() and json.loads(l).get("register", {}).get("stalled")]
    with open(header_path) as f:
        header = f.read()
    table = ["| run | accounts | registered | failed / timed out | time (s) | registered/s | "
             "latency p50 / p99 (s) | threads | fds | RSS MB | RSS KB/acct | fds/acct | "
             "threads/acct | unregister (s) | cleanup | sipp CPU (s) | load avg | verdict |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|"]
    table += [row(r) for r in runs]
    cmp, cmp_tables = comparison(runs)
    text = "\n".join(table) + "\n\n" + "\n".join(cmp_tables)
    if stalled:
        text += ("\nAttempts where the plugin answered nothing at all (retried): " +
                 ", ".join(stalled) + "\n")
    print(text)
    doc = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "header": header, "runs": runs, "comparison": cmp, "stalled_attempts": stalled,
           "markdown": text}
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1)


if __name__ == "__main__":
    if len(sys.argv) == 9 and sys.argv[1] == "--merge":
        merge(*sys.argv[2:9])
    elif len(sys.argv) == 6 and sys.argv[1] == "--report":
        report(*sys.argv[2:6])
    else:
        sys.exit(__doc__)
