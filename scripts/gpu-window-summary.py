#!/usr/bin/env python3
"""gpu-window-summary.py - the table of scripts/gpu-window.sh: each ladder figure it measured
(ladder-KERNEL-N.json, schema whygpu.ladder/1) beside the mean SM clock, power and
temperature nvidia-smi sampled while that step ran (smi-samples.csv, steps.csv).

    scripts/gpu-window-summary.py OUT_DIR

Standard library only. A step with no samples shows '-' for them."""
import csv
import datetime
import glob
import json
import os
import sys


def samples(path):
    """(unix time, SM MHz, W, deg C) rows of nvidia-smi's CSV; unreadable rows are skipped."""
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for rec in csv.reader(f):
            if len(rec) < 5:
                continue
            try:
                stamp = datetime.datetime.strptime(rec[0].strip(), "%Y/%m/%d %H:%M:%S.%f")
                rows.append((stamp.timestamp(), float(rec[1]), float(rec[3]), float(rec[4])))
            except ValueError:
                continue
    return rows


def steps(path):
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for rec in csv.reader(f):
                if len(rec) == 4:
                    out[rec[0]] = (float(rec[1]), float(rec[2]), int(rec[3]))
    return out


def mean_during(rows, t0, t1, column):
    vals = [r[column] for r in rows if t0 <= r[0] <= t1]
    return sum(vals) / len(vals) if vals else None


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gpu-window-summary.py OUT_DIR")
    out = sys.argv[1]
    rows = samples(os.path.join(out, "smi-samples.csv"))
    timing = steps(os.path.join(out, "steps.csv"))
    print("%-22s %6s %9s %9s %8s %10s %8s %8s %6s  %s" % (
        "entry", "n", "TFLOP/s", "%cuBLAS", "error", "step", "SM MHz", "power W", "temp", "check"))
    seen = set()
    for path in sorted(glob.glob(os.path.join(out, "ladder-*.json"))):
        step = os.path.basename(path)[:-5]
        t0, t1, rc = timing.get(step, (0.0, 0.0, -1))
        mhz, watts, temp = (mean_during(rows, t0, t1, c) for c in (1, 2, 3))
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print("%-22s unreadable: %s" % (step, e))
            continue
        for run in doc.get("runs", []):
            for r in run.get("rungs", []):
                key = (r.get("name"), run.get("n"), step)
                if key in seen:
                    continue
                seen.add(key)
                check = "skipped: %s" % r["skipped"] if r.get("skipped") else (
                    "ok" if r.get("check_passed") else "FAILED")
                print("%-22s %6s %9s %9s %8s %10s %8s %8s %6s  %s" % (
                    r.get("name"), run.get("n"), fmt(r.get("tflops"), ".1f"),
                    fmt(r.get("percent_of_cublas"), ".1f"), fmt(r.get("relative_error"), ".1e"),
                    step.replace("ladder-", "")[:10], fmt(mhz, ".0f"), fmt(watts, ".0f"),
                    fmt(temp, ".0f"), check))
    failed = [name for name, (_, _, rc) in timing.items() if rc != 0]
    print("\nsteps that failed (see NAME.log): %s" % (", ".join(sorted(failed)) or "none"))
    print("SM clock / power: means of the 200 ms nvidia-smi samples during each step (the entry "
          "and its cuBLAS reference ran in the same step)")


if __name__ == "__main__":
    main()
