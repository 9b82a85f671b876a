"""Comparison table of sip_scenarios.py result files (one per plugin run): per-scenario
status and time, then for each scenario the failures (events, SIP seen by sipp, plugin log
lines) and where the runs differ (event sequences, event fields), and the notes."""

from __future__ import annotations

import json
import os


def print_table(paths: list[str]) -> int:
    runs = []
    for p in paths:
        try:
            with open(p) as f:
                runs.append(json.load(f))
        except (OSError, ValueError) as e:
            runs.append({"plugin": os.path.basename(p), "scenarios": [], "error": f"no results ({e})"})
    labels = [r.get("plugin", "?") for r in runs]
    by = [{s["id"]: s for s in r.get("scenarios", [])} for r in runs]
    names = {}
    for r in runs:
        for s in r.get("scenarios", []):
            names[s["id"]] = s["name"]
    width = max([len(n) for n in names.values()] + [20])
    head = f"{'#':>2}  {'scenario':<{width}}" + "".join(f"  {lb:>8} {'s':>5}" for lb in labels)
    print("\n" + head)
    print("-" * len(head))
    for sid in sorted(names):
        row = f"{sid:>2}  {names[sid]:<{width}}"
        for b in by:
            s = b.get(sid)
            row += f"  {s['status'] if s else 'none':>8} {s['time_s'] if s else 0:>5.1f}" if s else f"  {'none':>8} {'':>5}"
        print(row)
    for r in runs:
        if r.get("error"):
            print(f"\n{r['plugin']}: run error: {r['error']}")
        print(f"{r.get('plugin')}: whole run {r.get('wall_s', '?')} s")
    # Details: failures, and event sequences that differ between the runs.
    for sid in sorted(names):
        lines = []
        for lb, b in zip(labels, by):
            s = b.get(sid)
            if s and s["status"] in ("FAIL", "KNOWN"):
                lines.append(f"  {lb} {s['status']}: {s['error']}")
                for who, evs in s.get("events", {}).items():
                    lines.append(f"    {who} events: {' -> '.join(evs) or 'none'}")
                for nm, sip in s.get("sip", {}).items():
                    lines.append(f"    sipp {nm}: {' / '.join(sip) or 'no SIP'}")
                for ln in s.get("plugin_log", [])[-12:]:
                    lines.append(f"    log: {ln}")
        if len(by) > 1:
            evs = [json.dumps(b[sid].get("events", {}), sort_keys=True) if sid in b else "" for b in by]
            notes = [b[sid].get("notes", []) if sid in b else [] for b in by]
            shapes = [b[sid].get("shapes", {}) if sid in b else {} for b in by]
            for who in sorted(set().union(*[set(x) for x in shapes])):
                seqs = [x.get(who, []) for x in shapes]
                for i in range(max(len(q) for q in seqs)):
                    row = [q[i] if i < len(q) else "-" for q in seqs]
                    if len(set(row)) > 1:
                        lines.append(f"  fields differ ({who} event {i + 1}): "
                                     + " | ".join(f"{lb}: {r}" for lb, r in zip(labels, row)))
            flows = [b[sid].get("sip_flow", {}) if sid in b else {} for b in by]
            for nm in sorted(set().union(*[set(x) for x in flows])):
                row = [x.get(nm, "-") for x in flows]
                if len(set(row)) > 1:
                    lines.append(f"  SIP at sipp {nm} differs: " + " | ".join(f"{lb}: {r}" for lb, r in zip(labels, row)))
            if len(set(evs)) > 1:
                for lb, b in zip(labels, by):
                    if sid in b:
                        for who, e in b[sid].get("events", {}).items():
                            lines.append(f"  events differ: {lb} {who}: {' -> '.join(e) or 'none'}")
            if any(notes):
                for lb, n in zip(labels, notes):
                    for x in n:
                        lines.append(f"  {lb}: {x}")
        if lines:
            print(f"\n[{sid}] {names[sid]}")
            print("\n".join(lines))
    return 0
