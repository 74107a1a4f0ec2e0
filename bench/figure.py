#!/usr/bin/env python3
"""Writes one benchmark figure as bench/results/<figure>.json in the format of DESIGN.md.

Input: one JSON line per figure on stdin, as the benchmark mains print it
  {"figure": ..., "unit": ..., "samples": [...], "baseline": {"name": ..., "samples": [...]}}
or, with --jmh FILE --figure NAME, a JMH result file (-rf json); its raw iteration scores are the
samples. Percentiles, commit, date and machine are added here, once for every benchmark.
"""
import argparse, datetime, json, os, platform, subprocess, sys


def percentile(values, p):
    s = sorted(values)
    if not s:
        return None
    k = (len(s) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return round(s[lo] + (s[hi] - s[lo]) * (k - lo), 3)


def summary(samples):
    return {"n": len(samples), "p50": percentile(samples, 50), "p99": percentile(samples, 99),
            "max": round(max(samples), 3) if samples else None}


def machine():
    cores = os.cpu_count()
    try:
        with open("/etc/os-release") as f:
            pretty = dict(l.rstrip().split("=", 1) for l in f if "=" in l).get("PRETTY_NAME", "").strip('"')
    except OSError:
        pretty = platform.system()
    return f"{cores} cores, {pretty}, kernel {platform.release()}"


def commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip() + ("-dirty" if subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


UNIT_SCALE = {"ns/op": ("ms", 1e-6), "us/op": ("ms", 1e-3), "ms/op": ("ms", 1.0), "s/op": ("ms", 1e3)}


def from_jmh(path, figure):
    with open(path) as f:
        runs = json.load(f)
    if len(runs) != 1:
        sys.exit(f"{path}: expected one JMH benchmark, found {len(runs)}")
    metric = runs[0]["primaryMetric"]
    unit, scale = UNIT_SCALE.get(metric["scoreUnit"], (metric["scoreUnit"], 1.0))
    samples = [v * scale for fork in metric["rawData"] for v in fork]
    return {"figure": figure, "unit": unit, "samples": samples, "jmh": runs[0]["benchmark"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--command", required=True, help="the command that reruns this figure")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results"))
    ap.add_argument("--jmh", help="JMH result file instead of JSON lines on stdin")
    ap.add_argument("--figure", help="figure name for --jmh")
    ap.add_argument("--aim", help="the figure the issue asks for, e.g. '< 5 ms'")
    args = ap.parse_args()
    inputs = [from_jmh(args.jmh, args.figure)] if args.jmh else [json.loads(l) for l in sys.stdin if l.strip().startswith("{")]
    if not inputs:
        print("  no figure: the benchmark printed none (it says why above)")
        return
    os.makedirs(args.out, exist_ok=True)
    for raw in inputs:
        samples = [float(s) for s in raw["samples"]]
        out = {"figure": raw["figure"], "unit": raw["unit"], **summary(samples),
               "samples": [round(s, 4) for s in samples]}
        if "baseline" in raw:
            b = dict(raw["baseline"])
            if "samples" in b:
                b.update({k: v for k, v in summary([float(s) for s in b["samples"]]).items() if k != "n"})
                b["n"] = len(b.pop("samples"))
            out["baseline"] = b
        for extra in ("jmh", "notes"):
            if extra in raw:
                out[extra] = raw[extra]
        if args.aim:
            out["aim"] = args.aim
        out.update({"command": args.command, "commit": commit(),
                    "date": datetime.date.today().isoformat(), "machine": machine()})
        path = os.path.join(args.out, raw["figure"] + ".json")
        with open(path + ".tmp", "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        os.replace(path + ".tmp", path)
        base = f"  baseline {out['baseline'].get('name')}: p50 {out['baseline'].get('p50')}" if "baseline" in out else ""
        print(f"{raw['figure']}: p50 {out['p50']} {out['unit']}, p99 {out['p99']}, max {out['max']} (n={out['n']}){base}")


if __name__ == "__main__":
    main()
