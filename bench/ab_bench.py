#!/usr/bin/python3
"""`backprop bench` of two builds, interleaved in one session: before and after a change that should not move speed.

    git worktree add --detach /tmp/before REV && dotnet build -c Release /tmp/before/src/Backprop.Cli
    dotnet build -c Release src/Backprop.Cli
    /usr/bin/python3 bench/ab_bench.py /tmp/before [--rounds 5] [--repeat 10] [--dtype float32] [--out FILE]

Each round runs the before build's `bench --json`, then this checkout's, alternating which goes first, so the two
sides of a ratio are seconds apart (the machine switches between a quiet and a busy state). Prints, per workload,
the median over the rounds of each side's per-round median, and the after/before ratio of every round; writes the raw
rounds as JSON.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, ".."))


def cli(checkout):
    return os.path.join(checkout, "src", "Backprop.Cli", "bin", "Release", "net10.0", "backprop.dll")


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def bench(checkout, repeat, dtype):
    out = subprocess.run(["dotnet", cli(checkout), "bench", "--json", "--repeat", str(repeat), "--dtype", dtype],
                         check=True, stdout=subprocess.PIPE, text=True, cwd=checkout).stdout
    return {w["name"]: w["median_ms"] for w in json.loads(out)["workloads"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("before", help="a checkout of the earlier revision, built with dotnet build -c Release")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    for side in (a.before, ROOT):
        if not os.path.exists(cli(side)):
            raise SystemExit(f"{cli(side)} is missing: dotnet build -c Release {side}/src/Backprop.Cli")
    started = datetime.datetime.now(datetime.timezone.utc)
    rounds = []
    for r in range(a.rounds):
        row = {"round": r + 1, "load_before": loadavg()}
        order = [("before", a.before), ("after", ROOT)]
        if r % 2:
            order.reverse()
        for name, checkout in order:
            row[name] = bench(checkout, a.repeat, a.dtype)
        row["load_after"] = loadavg()
        rounds.append(row)
        print(f"round {r + 1}: load {row['load_before']} -> {row['load_after']}", flush=True)
    names = list(rounds[0]["after"])
    print(f"\n`backprop bench --dtype {a.dtype} --repeat {a.repeat}`, {a.rounds} rounds, "
          f"{started:%Y-%m-%d %H:%M} UTC; before = {a.before}\n")
    print("| workload | before (ms) | after (ms) | after / before per round | median ratio |")
    print("|---|---|---|---|---|")
    for n in names:
        b = [row["before"][n] for row in rounds]
        f = [row["after"][n] for row in rounds]
        ratios = [y / x for x, y in zip(b, f)]
        print(f"| {n} | {statistics.median(b):.2f} | {statistics.median(f):.2f} | "
              f"{', '.join(f'{x:.2f}' for x in ratios)} | {statistics.median(ratios):.2f} |")
    if a.out:
        with open(a.out, "w") as fh:
            json.dump({"started": started.isoformat(), "before": a.before, "dtype": a.dtype, "repeat": a.repeat,
                       "rounds": rounds}, fh, indent=1)


if __name__ == "__main__":
    main()
