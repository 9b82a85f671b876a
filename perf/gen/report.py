#!/usr/bin/env python3
"""perf/run.sh's report: merges rtpgate-perf's result lines with the run labels into
perf/results/perf-STAMP.json, prints and writes the Markdown summary (perf-STAMP.md) with
ratios (the veth/af_packet run against the memif run and the kernel relays), and draws the plots with gnuplot (perf-STAMP-rate.png, perf-STAMP-latency.png,
perf-STAMP-features.png: rate per configuration and per-core scaling).
In smoke mode it exits 1 unless every run forwarded traffic with intact frames."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile


def load_lines(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def extra(trial, key):
    return (trial or {}).get("extra", {}).get(key)


def best_trial(run):
    s = run["search"]
    return s["trials"][s["best_trial"]] if s["best_trial"] >= 0 else None


def per_core_pps(run):
    """Packets/s per core at the lossless rate: a DPDK worker polls a whole core, so its
    lossless rate is its per-core rate; a kernel relay's is extrapolated by its core's
    busy time in that trial."""
    pps = run["search"]["lossless_pps"]
    if run["engine"] != "kernel-udp":
        return pps
    cores = extra(best_trial(run), "relay_task_cores")
    return pps / cores if pps and cores else None


def overload_per_core(run):
    t = run["search"]["overload"]
    if run["engine"] != "kernel-udp":
        return t["rx_pps"]
    return extra(t, "relay_pps_per_task_core")


def interference(run):
    """What the shared machine took from this run: the share of send slots the generator
    missed (it did not get its CPU) over the paced trials, and for a kernel relay the share
    of its CPU other tasks used while it was saturated."""
    paced = run["search"]["trials"]
    slots = sum(t["generated"] + t["skipped"] for t in paced)
    out = [f"generator late {100 * sum(t['skipped'] for t in paced) / slots:.1f}%" if slots else ""]
    t = run["search"]["overload"]
    busy, task = extra(t, "relay_core_busy"), extra(t, "relay_task_cores")
    if busy is not None and task is not None and t["epoch"]:
        out.append(f"others on relay CPU {100 * max(0.0, busy - task):.0f}%")
    return ", ".join(x for x in out if x)


def fmt_k(v):
    return "–" if v is None else f"{v / 1e3:,.0f}"


def fmt_ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "–"


def us(ns):
    return f"{ns / 1e3:,.1f}"


def smoke_problems(runs, meta_labels):
    bad = []
    for label in meta_labels:
        r = next((x for x in runs if x["label"] == label), None)
        if r is None:
            bad.append(f"{label}: no result")
            continue
        if not r["ok"]:
            bad.append(f"{label}: {r['error']}")
            continue
        trials = [t for t in [r["search"]["overload"]] + r["search"]["trials"] + [l["trial"] for l in r["latency"]]
                  if t["epoch"] != 0]  # (a ramp that never failed has no overload trial)
        if any(t["received"] == 0 for t in trials):
            bad.append(f"{label}: a trial received nothing")
        if any((extra(t, "bad_frames") or 0) > 0 for t in trials):
            bad.append(f"{label}: frames with bad checksums came back")
        if any((extra(t, "srtp_bad") or 0) > 0 for t in trials):
            bad.append(f"{label}: SRTP output that did not decrypt/authenticate")
        if r.get("config", {}).get("srtp") == "out" and not any(extra(t, "srtp_verified_libsrtp2") for t in trials):
            bad.append(f"{label}: no SRTP packet checked with libsrtp2")
        if r.get("config", {}).get("record") and not any(extra(t, "dut_rec_copies") for t in trials):
            bad.append(f"{label}: nothing copied to the recorder")
        if r["target"].startswith("rtpgate") and r["install"]["installed"] != r["flows"]:
            bad.append(f"{label}: {r['install']['installed']} of {r['flows']} flows installed")
    return bad


def markdown(info, runs, metas, skipped, loop):
    by = {r["label"]: r for r in runs}
    out = [f"## rtpgate-perf, {info.get('date', '')}", ""]
    out.append(f"- CPU: {info.get('cpu')}, {info.get('nproc')} CPUs; {info.get('cpus')}")
    out.append(f"- kernel {info.get('kernel')}, DPDK {info.get('dpdk')}, commit {info.get('commit')}; "
               f"load average {info.get('load_before')} before, {info.get('load_after')} after; {info.get('wall_s')} s")
    if info.get("phases"):
        out.append(f"- phases: {info['phases']}")
    out.append(f"- search: {info.get('trial_s')} s trials, loss tolerance {info.get('loss_tolerance')}, "
               f"{info.get('retries')} retry per failed rate, at most {info.get('steps')} paced steps after one unpaced "
               f"trial; memif rings {info.get('memif_ring')} slots; latency trials {info.get('latency_s')} s")
    out.append("- DPDK targets: rtpgate-perf on its own core over net_memif (Ethernet frames, 42 + RTP bytes; "
               "rtpgate-afpacket: over a veth pair through net_af_packet); kernel targets: UDP over a veth pair between two namespaces (delivery in the sender's context: the "
               "relay's threads pay its system calls, its transmit path and one receive path per packet)")
    out.append("")
    out.append("NDR: highest rate with zero loss (binary search); PDR: highest trial of the same search losing at "
               "most 0.5%; max forwarding: the unpaced trial, in which the generator waits while the device under "
               "test's ring is full (kernel relays: sockets do not push back, so it loses instead).")
    out.append("")
    out.append("| run | device under test | memory | flows | mix | NDR kpps | PDR kpps | max forwarding kpps | "
               "per core kpps (NDR) | NDR Mbit/s | G.711 streams at NDR | NDR generator-limited | interference |")
    out.append("|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|---|")
    for r in runs:
        m = metas.get(r["label"], {})
        s = r["search"]
        if not r["ok"]:
            out.append(f"| {r['label']} | {m.get('dut', r['target'])} | {m.get('memory', '')} | {r['flows']:,} | "
                       f"{r['mix']} | FAILED: {r['error']} | | | | | | | |")
            continue
        overload = fmt_k(s["overload_rx_pps"]) + (" (generator-bound)" if s["overload"]["generator_limited"] else "")
        if s["overload"]["epoch"] == 0:
            overload = "not reached"
        out.append(f"| {r['label']} | {m.get('dut', r['target'])} | {m.get('memory', '')} | {r['flows']:,} | {r['mix']} | "
                   f"{fmt_k(s['lossless_pps'])} | {fmt_k(s['pdr_pps'])} | {overload} | {fmt_k(per_core_pps(r))} | "
                   f"{s['lossless_mbps']:,.0f} | {s['lossless_g711_streams']:,.0f} | "
                   f"{'yes' if s['generator_limited'] else 'no'} | {interference(r)} |")
    out.append("")
    base = {k: by.get(k) for k in ("testpmd-5tswap", "testpmd-macswap", "testpmd-io", "kernel-mmsg",
                                   "kernel-stock", "rtpengine")}
    ours = [r for r in runs if r["target"] == "rtpgate" and r["ok"]]
    out += features_markdown(runs, metas)
    out += afpacket_markdown(runs, by, info)
    if ours:
        out.append("Ratios (rtpgate ÷ baseline). DPDK baselines: same memif pairing, same generator; kernel baselines: "
                   "packets per second per core at the NDR (kernel relay: NDR ÷ the CPU time its threads used per "
                   "second in that trial; rtpgate: its NDR, one polling core).")
        out.append("")
        out.append("| run | vs testpmd 5tswap (NDR) | vs testpmd 5tswap (PDR) | vs testpmd 5tswap (max forwarding) | "
                   "vs testpmd macswap (NDR) | vs testpmd io (NDR) | "
                   "vs kernel mmsg relay | vs kernel stock relay | vs rtpengine |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in ours:
            ll = r["search"]["lossless_pps"]
            b5 = base["testpmd-5tswap"]
            cells = [fmt_ratio(ll, b5["search"]["lossless_pps"]) if b5 and b5["ok"] else "–",
                     fmt_ratio(r["search"]["pdr_pps"], b5["search"]["pdr_pps"]) if b5 and b5["ok"] else "–",
                     fmt_ratio(r["search"]["overload_rx_pps"], b5["search"]["overload_rx_pps"]) if b5 and b5["ok"] else "–"]
            cells += [fmt_ratio(ll, b["search"]["lossless_pps"]) if b and b["ok"] else "–"
                      for b in (base["testpmd-macswap"], base["testpmd-io"])]
            cells += [fmt_ratio(ll, per_core_pps(b)) if b and b["ok"] else "–"
                      for b in (base["kernel-mmsg"], base["kernel-stock"], base["rtpengine"])]
            out.append(f"| {r['label']} | " + " | ".join(cells) + " |")
        out.append("")
    out.append("Latency (one way, generator → device under test → generator, including both memif/veth hops and "
               "the generator's polling) and RFC 3550 interarrival jitter (mean over flows):")
    out.append("")
    out.append("| run | basis | rate kpps | loss | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | jitter µs |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        for l in r.get("latency", []):
            t = l["trial"]
            lat = t["latency_ns"]
            out.append(f"| {r['label']} | {l['basis']} | {fmt_k(t['achieved_pps'])} | {100 * t['loss_ratio']:.3f}% | "
                       f"{us(lat['p50'])} | {us(lat['p90'])} | {us(lat['p99'])} | {us(lat['p999'])} | {us(lat['max'])} | "
                       f"{us(t['jitter_ns']['mean']) if t['jitter_ns']['flows'] else '–'} |")
    out.append("")
    kernel = [r for r in runs if r["engine"] == "kernel-udp" and r["ok"] and r["search"]["overload"]["epoch"]]
    if kernel:
        out.append("Kernel relays at overload (the unpaced trial; ramp searches: the first failing step): " + "; ".join(
            f"{r['label']} {fmt_k(r['search']['overload']['rx_pps'])} kpps forwarded, its threads "
            f"{100 * (extra(r['search']['overload'], 'relay_task_cores') or 0):.0f}% of a core (its CPU "
            f"{100 * (extra(r['search']['overload'], 'relay_core_busy') or 0):.0f}% busy), "
            f"{fmt_k(overload_per_core(r))} kpps per core, "
            f"{extra(r['search']['overload'], 'udp_rcvbuf_errors_relay') or 0:,.0f} socket-buffer drops"
            for r in kernel) + ".")
        out.append("")
    if loop:
        out.append("Closed loop, no generator (perf/run_loop_bench.sh: one core, a net_ring port looping its TX "
                   "back to its RX, 214-byte frames, no hugepages; the data plane's own ceiling):")
        out.append("")
        out.append("| run | flows | Mpps | vs testpmd 5tswap |")
        out.append("|---|---:|---:|---:|")
        b5 = next((t["mpps"] for t in loop.get("testpmd", []) if t["mode"] == "5tswap" and t.get("mpps")), None)
        for t in loop.get("testpmd", []):
            out.append(f"| {t['name']} | – | {t['mpps'] or 0:.2f} | {fmt_ratio(t['mpps'], b5)} |")
        for r in loop.get("rtpgate", []):
            out.append(f"| {r['label']} | {r['flows']:,} | {r['mpps_median']:.2f} | {fmt_ratio(r['mpps_median'], b5)} |")
        out.append("")
    for s in skipped:
        out.append(f"- not measured: {s}")
    return "\n".join(out) + "\n"


def afpacket_markdown(runs, by, info):
    """The data plane over veth/af_packet against the same run's memif run at the same flow
    count (NDR, PDR, max forwarding) and the kernel relays per core (NDR)."""
    afp = [r for r in runs if r["target"] == "rtpgate-afpacket"]
    if not afp:
        return []
    out = ["Data plane over veth/af_packet (generator and data plane each on one end of a veth pair in the root "
           f"namespace, `{info.get('afpacket', 'net_af_packet')}` at both ends; same CPUs and search as the memif "
           "runs). The kernel copies every packet twice per hop (TX ring into an skb, skb into the peer's RX ring) "
           "and runs the receive path in the sender's context: a kernel-path figure, not a framework-limited one. "
           "Kernel relays: per core at the NDR, as above.", "",
           "| run | NDR kpps | PDR kpps | max forwarding kpps | vs rtpgate over memif (NDR) | vs memif (PDR) | "
           "vs memif (max) | vs kernel mmsg relay | vs kernel stock relay | vs rtpengine |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in afp:
        if not r["ok"]:
            out.append(f"| {r['label']} | FAILED: {r['error']} | | | | | | | | |")
            continue
        s = r["search"]
        m = by.get(f"rtpgate-{r['flows']}")
        ms = m["search"] if m and m["ok"] else {}
        cells = [fmt_k(s["lossless_pps"]), fmt_k(s["pdr_pps"]), fmt_k(s["overload_rx_pps"]),
                 fmt_ratio(s["lossless_pps"], ms.get("lossless_pps")), fmt_ratio(s["pdr_pps"], ms.get("pdr_pps")),
                 fmt_ratio(s["overload_rx_pps"], ms.get("overload_rx_pps"))]
        cells += [fmt_ratio(s["lossless_pps"], per_core_pps(b)) if b and b["ok"] else "–"
                  for b in (by.get("kernel-mmsg"), by.get("kernel-stock"), by.get("rtpengine"))]
        out.append(f"| {r['label']} | " + " | ".join(cells) + " |")
    return out + [""]


FEATURE_NAMES = {"rtpgate-srtp-in": "SRTP in, plain out", "rtpgate-srtp-out": "plain in, SRTP out",
                 "rtpgate-rec": "every flow recorded", "rtpgate-2w": "2 workers (oversubscribed)"}


def features(runs, flows=None):
    """(name, run, baseline run) for the feature runs at one flow count (the first one when
    `flows` is None): plain forwarding (the baseline, first), SRTP in/out, recording, two workers."""
    ok = {r["label"]: r for r in runs if r["ok"]}
    found = []
    for r in runs:
        if not r["ok"] or r["target"] not in FEATURE_NAMES:
            continue
        if flows is None:
            flows = r["flows"]
        if r["flows"] != flows:
            continue
        base = ok.get(f"rtpgate-{r['flows']}")
        if not found and base:
            found.append(("plain, 1 worker", base, base))
        found.append((FEATURE_NAMES[r["target"]], r, base))
    return found


def feature_flow_counts(runs):
    """The flow counts of the feature runs, in run order."""
    seen = []
    for r in runs:
        if r["target"] in FEATURE_NAMES and r["flows"] not in seen:
            seen.append(r["flows"])
    return seen


def features_markdown(runs, metas):
    out = []
    for n in feature_flow_counts(runs):
        out += features_table(runs, metas, n)
    failed = [r for r in runs if r["target"] in FEATURE_NAMES and not r["ok"]]
    for r in failed:
        out += [f"{r['label']}: FAILED: {r['error']}", ""]
    return out


def features_table(runs, metas, flows):
    feat = features(runs, flows)
    if not feat:
        return []
    out = [f"Features at {flows:,} flows ({metas.get(feat[-1][1]['label'], {}).get('memory', '')}), same run, same "
           "generator and search as the plain runs "
           "(SRTP: AES_CM_128_HMAC_SHA1_80; the generator sends packets pre-protected with libsrtp2 (in) or "
           "checks flow 0's output with libsrtp2 (out); recording: REC_START on every flow, one .mjr file each, "
           "a trial passes only without lost recording copies (drop_rec_copy, drop_rec_write)):", "",
           "| configuration | run | NDR kpps | vs plain (NDR) | PDR kpps | vs plain (PDR) | max forwarding kpps | "
           "vs plain (max) | in the NDR trial | interference |",
           "|---|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for name, r, base in feat:
        s, b = r["search"], (base or {}).get("search", {})
        bt = best_trial(r)
        detail = []
        for k, what in (("dut_srtp_unprotected", "decrypted"), ("dut_srtp_protected", "encrypted"),
                        ("srtp_verified_libsrtp2", "checked by libsrtp2"), ("dut_rec_copies", "copies to the recorder"),
                        ("dut_rec_frames", "written to .mjr")):
            if extra(bt, k):
                detail.append(f"{extra(bt, k):,.0f} {what}")
        if r.get("config", {}).get("record") and bt is not None:
            detail.append(f"recording copies lost {bt.get('side_loss', 0):,} (flows' rec_lost_rx/tx since the "
                          f"start {extra(bt, 'dut_flow_rec_lost_total') or 0:,.0f})")
        if r.get("config", {}).get("queues", 1) > 1:
            detail.append(f"{r['config']['queues']} queue pairs")
        out.append(f"| {name} | {r['label']} | {fmt_k(s['lossless_pps'])} | {fmt_ratio(s['lossless_pps'], b.get('lossless_pps'))} | "
                   f"{fmt_k(s['pdr_pps'])} | {fmt_ratio(s['pdr_pps'], b.get('pdr_pps'))} | {fmt_k(s['overload_rx_pps'])} | "
                   f"{fmt_ratio(s['overload_rx_pps'], b.get('overload_rx_pps'))} | {'; '.join(detail)} | {interference(r)} |")
    plain = feat[0][1]["search"] if feat[0][0] == "plain, 1 worker" else None
    rec = next((r for _, r, _ in feat if r["target"] == "rtpgate-rec"), None)
    if rec and plain and plain["lossless_pps"] and plain["pdr_pps"]:
        def cost(key):
            c = 1 - rec["search"][key] / plain[key]
            return f"{100 * c:.0f}%" if c >= 0 else "nothing measurable (above the plain run: noise)"
        out += ["", f"Recording every flow at {flows:,} flows costs {cost('pdr_pps')} of the plain PDR and "
                f"{cost('lossless_pps')} of the plain NDR in this run (goal: < 15% with zero recording loss at "
                "the reported rate)."]
    two = next((r for _, r, _ in feat if r["target"] == "rtpgate-2w"), None)
    if two and plain:
        out += ["", f"Per-core scaling: 1 worker {fmt_k(plain['lossless_pps'])} kpps NDR, 2 workers "
                f"{fmt_k(two['search']['lossless_pps'])} kpps ({metas.get(two['label'], {}).get('dut', '')}); with "
                "the generator on one of the two workers' CPUs this measures oversubscription, not scaling."]
    return out + [""]


def gq(text):
    """A gnuplot single-quoted string."""
    return "'" + text.replace("'", "''") + "'"


def plots(runs, out_prefix):
    gp = shutil.which("gnuplot")
    if not gp:
        print("report: gnuplot not found (apt-get install gnuplot-nox): no plots", file=sys.stderr)
        return []
    made = []
    with tempfile.TemporaryDirectory() as d:
        ours = sorted((r for r in runs if r["target"] == "rtpgate" and r["mix"] == "g711" and r["ok"]),
                      key=lambda r: r["flows"])
        with open(f"{d}/ours.dat", "w") as f:
            for r in ours:
                s = r["search"]
                f.write(f"{r['flows']} {s['lossless_pps'] / 1e6} {s['overload_rx_pps'] / 1e6} {s['pdr_pps'] / 1e6}\n")
        refs = [r for r in runs if (not r["target"].startswith("rtpgate") or r["target"] == "rtpgate-afpacket")
                and r["ok"] and r["search"]["lossless_pps"] > 0]
        lines = [f"'{d}/ours.dat' using 1:2 with linespoints lw 2 pt 7 title 'rtpgate-dataplane, NDR (zero loss)'",
                 f"'{d}/ours.dat' using 1:4 with linespoints dt 4 pt 4 title 'rtpgate-dataplane, PDR (<= 0.5% loss)'",
                 f"'{d}/ours.dat' using 1:3 with linespoints dt 2 pt 6 title 'rtpgate-dataplane, max forwarding'"] if ours else []
        for i, r in enumerate(refs):
            with open(f"{d}/ref{i}.dat", "w") as f:
                for x in (1e3, 1e6):
                    f.write(f"{x} {r['search']['lossless_pps'] / 1e6}\n")
            lines.append(f"'{d}/ref{i}.dat' using 1:2 with lines dt 3 lw 2 title {gq(r['label'] + ' (' + format(r['flows'], ',') + ' flows), NDR')}")
        rate_png = f"{out_prefix}-rate.png"
        if not lines:
            return []
        script = (f"set terminal pngcairo size 1000,600 font ',10'\nset output '{rate_png}'\n"
                  "set logscale xy\nset xrange [500:2000000]\nset yrange [0.01:*]\nset grid\nset key outside right\n"
                  "set xlabel 'flows (programmed in the data plane)'\nset ylabel 'Mpps (log scale)'\n"
                  "set title 'Forwarding rate vs flows, one core for the device under test'\nplot "
                  + ", \\\n  ".join(lines) + "\n")
        pngs = [rate_png]
        for basis, suffix, title in (("fixed", "latency", "the same load for every target"),
                                     ("of lossless", "latency-50pct", "50% of each target's NDR")):
            curves = []
            for i, (r, l) in enumerate((r, l) for r in runs if r["ok"] for l in r.get("latency", [])):
                if basis not in l["basis"] or not l["cdf"]:
                    continue
                with open(f"{d}/cdf-{suffix}-{i}.dat", "w") as f:
                    for ns, frac in l["cdf"]:
                        f.write(f"{max(ns, 1) / 1e3} {frac}\n")
                dt = 1 if r["target"].startswith("rtpgate") else 2 if r["engine"] == "dpdk-memif" else 4
                curves.append(f"'{d}/cdf-{suffix}-{i}.dat' using 1:2 with lines lw 2 dt {dt} title "
                              + gq(f"{r['label']} ({l['trial']['achieved_pps'] / 1e3:,.0f} kpps)"))
            if curves:
                png = f"{out_prefix}-{suffix}.png"
                pngs.append(png)
                script += (f"set output '{png}'\nunset logscale\nset logscale x\nset xrange [*:*]\n"
                           "set yrange [0:1]\nset xlabel 'one-way latency (µs, log scale); solid: rtpgate, "
                           "dashed: testpmd, dash-dot: kernel relays'\n"
                           f"set ylabel 'fraction of packets'\nset title {gq('Latency CDF at ' + title)}\nplot "
                           + ", \\\n  ".join(curves) + "\n")
        feat = features(runs)
        if feat:
            png = f"{out_prefix}-features.png"
            pngs.append(png)
            with open(f"{d}/feat.dat", "w") as f:
                for name, r, _ in feat:
                    s = r["search"]
                    f.write(f'"{name}" {s["lossless_pps"] / 1e6} {s["pdr_pps"] / 1e6} {s["overload_rx_pps"] / 1e6}\n')
            script += (f"set output '{png}'\nunset logscale\nset xrange [*:*]\nset yrange [0:*]\n"
                       "set style data histogram\nset style histogram clustered gap 1\nset style fill solid 0.8 border -1\n"
                       "set boxwidth 0.9\nset xtics rotate by -20\nset xlabel ''\nset ylabel 'Mpps'\n"
                       f"set title {gq('rtpgate-dataplane, ' + format(feat[0][1]['flows'], ',') + ' flows, same run: rate per configuration and per-core scaling')}\n"
                       f"plot '{d}/feat.dat' using 2:xtic(1) title 'NDR (zero loss)', '' using 3 title 'PDR (<= 0.5% loss)', "
                       "'' using 4 title 'max forwarding'\n")
        # PDR of each configuration against the flow count (plain, SRTP in/out, recording).
        counts = feature_flow_counts(runs)
        if len(counts) > 1:
            curves = []
            names = ["plain, 1 worker"] + [FEATURE_NAMES[t] for t in ("rtpgate-srtp-in", "rtpgate-srtp-out", "rtpgate-rec")]
            for k, name in enumerate(names):
                pts = []
                for n in counts:
                    hit = next((r for nm, r, _ in features(runs, n) if nm == name), None)
                    if hit and hit["search"]["pdr_pps"] > 0:
                        pts.append((n, hit["search"]["pdr_pps"] / 1e6, hit["search"]["lossless_pps"] / 1e6))
                if not pts:
                    continue
                with open(f"{d}/featflows{k}.dat", "w") as f:
                    for n, pdr, ndr in pts:
                        f.write(f"{n} {pdr} {ndr}\n")
                curves.append(f"'{d}/featflows{k}.dat' using 1:2 with linespoints lw 2 pt {k + 4} title {gq(name + ', PDR')}")
                curves.append(f"'{d}/featflows{k}.dat' using 1:3 with linespoints dt 2 pt {k + 4} title {gq(name + ', NDR')}")
            if curves:
                png = f"{out_prefix}-features-flows.png"
                pngs.append(png)
                script += (f"set output '{png}'\nset style data linespoints\nunset logscale\nset logscale x\n"
                           "set xrange [500:2000000]\nset yrange [0:*]\nset xtics auto\nset xtics norotate\n"
                           "set xlabel 'flows (each one SRTP context / one .mjr file in its configuration)'\n"
                           "set ylabel 'Mpps'\nset title 'rtpgate-dataplane, one worker: SRTP and recording vs flows, same run'\n"
                           "plot " + ", \\\n  ".join(curves) + "\n")
        with open(f"{d}/plot.gp", "w") as f:
            f.write(script)
        if subprocess.run([gp, f"{d}/plot.gp"]).returncode == 0:
            made = [p for p in pngs if os.path.exists(p)]
    return made


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--from-json", help="re-render the tables and plots of an earlier perf-STAMP.json")
    ap.add_argument("--results")
    ap.add_argument("--meta")
    ap.add_argument("--skipped")
    ap.add_argument("--loop", default="")
    ap.add_argument("--phases", default="", help="NAME=SECONDS per line: how long each phase took")
    ap.add_argument("--out-dir")
    ap.add_argument("--stamp")
    ap.add_argument("--smoke", type=int, default=0)
    ap.add_argument("--info", action="append", default=[])
    a = ap.parse_args()
    if a.from_json:
        old = json.load(open(a.from_json))
        info, skipped, loop = old["info"], old["skipped"], old.get("closed_loop")
        runs = [{k: v for k, v in r.items() if k != "run"} for r in old["runs"]]
        meta = [dict(r.get("run", {}), label=r["label"]) for r in old["runs"]]
        a.out_dir = a.out_dir or os.path.dirname(os.path.abspath(a.from_json))
        a.stamp = a.stamp or info["date"]
    else:
        if not (a.results and a.meta and a.skipped and a.out_dir and a.stamp):
            ap.error("--results, --meta, --skipped, --out-dir and --stamp (or --from-json)")
        runs = load_lines(a.results)
        meta = load_lines(a.meta)
        skipped = [l.strip() for l in open(a.skipped) if l.strip()]
        info = dict(kv.split("=", 1) for kv in a.info)
        info["date"] = a.stamp
        if a.phases and os.path.exists(a.phases):
            info["phases"] = ", ".join(f"{n} {v} s" for n, v in (l.strip().split("=", 1) for l in open(a.phases) if "=" in l))
        loop = json.load(open(a.loop)) if a.loop and os.path.exists(a.loop) else None
    metas = {m["label"]: m for m in meta}
    os.makedirs(a.out_dir, exist_ok=True)
    prefix = os.path.join(a.out_dir, f"perf-{a.stamp}")
    md = markdown(info, runs, metas, skipped, loop)
    pngs = plots(runs, prefix)
    doc = {"info": info, "runs": [dict(r, run=metas.get(r["label"], {})) for r in runs], "skipped": skipped,
           "closed_loop": loop,
           "plots": [os.path.basename(p) for p in pngs]}
    with open(prefix + ".json", "w") as f:
        json.dump(doc, f, indent=1)
    with open(prefix + ".md", "w") as f:
        f.write(md)
        for p in pngs:
            f.write(f"\n![{os.path.basename(p)}]({os.path.basename(p)})\n")
    print(md)
    print(f"report: {prefix}.json, {prefix}.md" + "".join(f", {p}" for p in pngs), file=sys.stderr)
    if a.smoke:
        bad = smoke_problems(runs, [m["label"] for m in meta])
        for b in bad:
            print(f"smoke FAILED: {b}", file=sys.stderr)
        if bad:
            return 1
        print(f"smoke ok: {len(meta)} targets forwarded traffic, frames intact", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
