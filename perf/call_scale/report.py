#!/usr/bin/python3
"""Markdown table and results JSON of perf/call_scale/run.sh (one JSON line per plugin)."""
import argparse
import datetime
import json
import os
import platform


def load(path):
    if not os.path.exists(path):
        return None
    lines = [l for l in open(path) if l.strip().startswith("{")]
    return json.loads(lines[-1]) if lines else None


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def fmt(v, nd=2):
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.{nd}f}"
    return f"{v:,}"


def ratio(ours, stock, inverse=False):
    """stock/ours for costs (how many times cheaper we are), ours/stock for rates."""
    if ours is None or stock is None:
        return "–"
    a, b = (ours, stock) if inverse else (stock, ours)
    if b == 0:
        return "–"
    return f"{a / b:.2f}×"


def main():
    ap = argparse.ArgumentParser()
    for k in ("work", "out", "commit", "dirty", "load-before", "other-ns", "dp-cpu", "app-cpus",
              "cps-callers", "cps-pool", "reuse-gap-ms", "cps-seconds", "media-seconds", "warmup-seconds"):
        ap.add_argument("--" + k, required=True)
    a = ap.parse_args()
    ours = load(os.path.join(a.work, "rtpgate.json"))
    stock = load(os.path.join(a.work, "stock.json"))
    for name, doc in (("rtpgate", ours), ("stock", stock)):
        udp = load(os.path.join(a.work, f"{name}-udp.json"))
        if doc is not None and udp is not None:
            doc["udp_drops"] = udp
    dp_stats = ""
    if os.path.exists(os.path.join(a.work, "dp-stats.txt")):
        dp_stats = open(os.path.join(a.work, "dp-stats.txt")).read()
    load_after = open("/proc/loadavg").read().split()[:3]

    rows = []  # (metric, ours, stock, ratio)

    def g(doc, *path):
        for p in path:
            if doc is None:
                return None
            doc = doc[p] if isinstance(p, int) else doc.get(p)
        return doc

    def add_values(name, o, s_, nd=2, cost=True):
        r = ratio(o, s_, inverse=not cost) if isinstance(o, (int, float)) and isinstance(s_, (int, float)) else "–"
        rows.append((name, fmt(o, nd), fmt(s_, nd), r))

    def add(name, path, nd=2, cost=True, scale=1.0):
        o, s_ = g(ours, *path), g(stock, *path)
        if isinstance(o, (int, float)):
            o = o * scale
        if isinstance(s_, (int, float)):
            s_ = s_ * scale
        add_values(name, o, s_, nd, cost)

    def both(fn):
        return fn(ours), fn(stock)

    def pct(doc, *path):
        v = g(doc, *path)
        return v if isinstance(v, (int, float)) else 0.0

    def above_idle(doc, i, what):
        """ms of CPU per call-second above the idle baseline (same registered handles)."""
        up = g(doc, "media", i, "calls_up")
        if not up or g(doc, "media", i, "plugin_cpu_pct") is None:
            return None
        p = pct(doc, "media", i, "plugin_cpu_pct") - pct(doc, "media", i, "idle", "process_cpu_pct")
        d = pct(doc, "media", i, "dp_cpu_pct") - pct(doc, "media", i, "idle", "dp_cpu_pct")
        v = {"plugin": p, "dp": d, "total": p + d}[what]
        if what == "dp" and g(doc, "media", i, "dp_cpu_pct") is None:
            return None
        return 10.0 * v / up   # 1 % of a core = 10 ms/s

    add(f"{a.cps_pool} handles registered (guest): seconds to register", ["cps", "register_seconds"])
    add(f"{a.cps_pool} handles idle: plugin process CPU %", ["cps", "idle", "process_cpu_pct"])
    add(f"{a.cps_pool} handles idle: data plane CPU % (adaptive idle)", ["cps", "idle", "dp_cpu_pct"])
    add(f"{a.cps_pool} handles idle: threads", ["cps", "idle", "threads"], 0)
    add(f"{a.cps_pool} handles idle: fds", ["cps", "idle", "fds"], 0)
    add(f"{a.cps_pool} handles idle: RSS MiB", ["cps", "idle", "rss_kb"], 1, scale=1 / 1024)
    add(f"calls/s ({a.cps_callers} callers on {a.cps_pool} handles, {a.cps_seconds} s)", ["cps", "calls_per_s"], 1,
        cost=False)
    add(f"callers' wait for a handle's {a.reuse_gap_ms} ms reuse gap, s", ["cps", "gap_wait_s"])
    add("setup ms p50 (call → accepted)", ["cps", "setup_ms_p50"])
    add("setup ms p99", ["cps", "setup_ms_p99"])
    add("hangup ms p50 (hangup → hangup)", ["cps", "hangup_ms_p50"])
    add("failed setups", ["cps", "setup_failures"], 0)
    add("failed hangups (no `hangup` event)", ["cps", "hangup_failures"], 0)
    add("plugin CPU ms per call (process − caller threads)", ["cps", "plugin_cpu_ms_per_call"], 3)
    add("data plane CPU ms per call", ["cps", "dp_cpu_ms_per_call"], 3)
    add("total CPU ms per call", ["cps", "total_cpu_ms_per_call"], 3)
    add("flow slots left after the calls", ["cps", "flows_after_hangup"], 0)
    n = max(len(g(ours, "media") or []), len(g(stock, "media") or []))
    for i in range(n):
        k = g(ours, "media", i, "calls_wanted") or g(stock, "media", i, "calls_wanted")
        add(f"K={k}: idle with K handles registered, plugin CPU %", ["media", i, "idle", "process_cpu_pct"])
        add(f"K={k}: idle, data plane CPU %", ["media", i, "idle", "dp_cpu_pct"])
        add(f"K={k}: calls up", ["media", i, "calls_up"], 0, cost=False)
        add(f"K={k}: plugin CPU % of a core (incl. incoming_rtp)", ["media", i, "plugin_cpu_pct"])
        add(f"K={k}: data plane CPU % of a core", ["media", i, "dp_cpu_pct"])
        add(f"K={k}: total CPU ms per call-second", ["media", i, "total_cpu_ms_per_call_s"], 3)
        add_values(f"K={k}: plugin CPU ms per call-second above idle", *both(lambda d: above_idle(d, i, "plugin")), 3)
        add_values(f"K={k}: data plane CPU ms per call-second above idle", *both(lambda d: above_idle(d, i, "dp")), 3)
        add_values(f"K={k}: **total CPU ms per call-second above idle**",
                   *both(lambda d: above_idle(d, i, "total")), 3)
        add(f"K={k}: echo loss %", ["media", i, "loss_pct"], 3)
        add(f"K={k}: calls losing > 1%", ["media", i, "calls_lossy_1pct"], 0)
        add(f"K={k}: injector max lag ms", ["media", i, "max_inject_lag_ms"], 1)
        add(f"K={k}: threads", ["media", i, "threads"], 0)
        add(f"K={k}: threads per call", ["media", i, "threads_per_call"])
        add(f"K={k}: fds per call", ["media", i, "fds_per_call"])
        add(f"K={k}: RSS KiB per call", ["media", i, "rss_kb_per_call"], 1)
        add(f"K={k}: failed setups + hangups", ["media", i, "hangup_failures"], 0)
        add(f"K={k}: flow slots left after hangup", ["media", i, "flows_after_hangup"], 0)
    add("UDP rcvbuf drops at sipp (whole run)", ["udp_drops", "peer_rcvbuf_drops"], 0)
    add("UDP rcvbuf drops, root namespace (whole run, any process)", ["udp_drops", "root_rcvbuf_drops"], 0)
    if n >= 2:
        def marginal(doc):
            m = g(doc, "media") or []
            if len(m) < 2 or not m[0].get("calls_up") or not m[-1].get("calls_up"):
                return None
            tot = lambda x: (x.get("plugin_cpu_pct") or 0) + (x.get("dp_cpu_pct") or 0)
            dk = m[-1]["calls_up"] - m[0]["calls_up"]
            return 10.0 * (tot(m[-1]) - tot(m[0])) / dk if dk else None
        k0 = g(ours, "media", 0, "calls_wanted") or g(stock, "media", 0, "calls_wanted")
        k1 = g(ours, "media", n - 1, "calls_wanted") or g(stock, "media", n - 1, "calls_wanted")
        add_values(f"**marginal CPU ms per added call-second, K={k0}→{k1}** (plugin + data plane)",
                   *both(marginal), 3)

    now = datetime.datetime.now(datetime.timezone.utc)
    header = (f"## rtpgate call scale (browser leg), {now:%Y-%m-%dT%H:%M:%SZ}\n\n"
              f"- CPU: {cpu_model()}, {os.cpu_count()} CPUs; data plane pinned to CPU {a.dp_cpu} (adaptive idle); "
              f"rtpgate-call-scale (plugin threads, fake core, RTP injector) and sipp share CPU {a.app_cpus}, "
              f"for both plugins: the box is oversubscribed, compare the two columns of this run only\n"
              f"- commit {a.commit}{' + ' + a.dirty + ' uncommitted files' if a.dirty != '0' else ''}; "
              f"kernel {platform.release()}\n"
              f"- load average before {a.load_before}, after {' '.join(load_after)}; "
              f"other network namespaces during the run: {a.other_ns}\n"
              f"- media: G.711 20 ms (172-byte RTP, 50 pps per call) into incoming_rtp, echoed by sipp "
              f"-rtp_echo, counted at relay_rtp; {a.warmup_seconds} s warm-up, {a.media_seconds} s window\n"
              f"- ratio: stock ÷ ours for costs (>1 = ours cheaper), ours ÷ stock for rates\n")
    table = "| metric | rtpgate | stock | ratio |\n|---|---:|---:|---:|\n"
    table += "".join(f"| {m} | {o} | {s} | {r} |\n" for m, o, s, r in rows)
    print(header)
    print(table)
    for name, doc in (("rtpgate", ours), ("stock", stock)):
        if doc is None:
            continue
        busy = lambda t: ", ".join(f"{k} {v:.1f}" for k, v in sorted((t or {}).items(), key=lambda x: -x[1]) if v >= 0.5)
        print(f"{name} threads, CPU % of a core by thread name (≥ 0.5):")
        print(f"  {a.cps_pool} handles idle: {busy(g(doc, 'cps', 'idle', 'thread_cpu_pct'))}")
        for m in g(doc, "media") or []:
            print(f"  K={m['calls_wanted']} idle: {busy(g(m, 'idle', 'thread_cpu_pct'))}; "
                  f"media: {busy(m.get('thread_cpu_pct'))}")
    for name, doc in (("rtpgate", ours), ("stock", stock)):
        errs = (g(doc, "cps", "errors") or []) + [e for m in (g(doc, "media") or []) for e in m.get("errors", [])]
        if errs:
            print(f"{name} errors (first ones): {errs[:6]}")
    json.dump({"date": now.isoformat(timespec="seconds"), "cpu": cpu_model(), "header": header,
               "table": table, "rtpgate": ours, "stock": stock, "dataplane_stats": dp_stats},
              open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
