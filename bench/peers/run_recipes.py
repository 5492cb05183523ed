#!/usr/bin/python3
"""Whole training runs, ours beside PyTorch's, interleaved in one session: `backprop train` (the main job) and
`backprop train --preset best` against bench/peers/torch_recipe.py on the same recipes.

    /usr/bin/python3 bench/peers/run_recipes.py [--rounds 3] [--recipes main,best,main-lean,best-lean] [--torch-threads 1,2]
        [--seeds 0,1,2] [--out FILE]

A "-lean" recipe is the same run without the per-epoch pass over the training set (`--train-accuracy off` on both
sides; the validation accuracy is still measured every epoch).

Each round runs, recipe by recipe, ours and then PyTorch at every thread setting, so a ratio's two sides are
seconds apart (the machine switches between a quiet and a busy state). The time compared is the training time each
side reports — from the first epoch to the end of the last, every epoch's train and validation accuracy included —
not the process's start-up or data loading (both are listed too). PyTorch's thread setting is the one with the lower
median over the rounds (recorded). Prints a Markdown table and writes the raw rounds as JSON.
Build first: dotnet build -c Release.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CLI = os.path.join(ROOT, "src", "Backprop.Cli", "bin", "Release", "net10.0", "backprop.dll")
PY = "/usr/bin/python3"


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def ours(recipe, out_dir, seed):
    args = ["dotnet", CLI, "train", "--out", os.path.join(out_dir, f"{recipe}.json")]
    if seed:
        args += ["--seed", str(seed)]
    if recipe.startswith("best"):
        args[3:3] = ["--preset", "best"]
    if recipe.endswith("-lean"):
        args += ["--train-accuracy", "off"]
    args.append("--json")   # full-precision seconds and accuracies (the text prints tenths of a second)
    t = time.perf_counter()
    out = subprocess.run(args, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT).stdout
    wall = time.perf_counter() - t
    try:
        r = json.loads(out)
    except json.JSONDecodeError:
        raise SystemExit(f"could not read backprop's output:\n{out}")
    return {"train_seconds": r["seconds"], "test_accuracy": r["test_accuracy"], "wall_seconds": wall,
            "first_epoch_seconds": r["history"][0]["seconds"]}


def torch_run(recipe, threads, seed):
    t = time.perf_counter()
    base, lean = recipe.removesuffix("-lean"), recipe.endswith("-lean")
    out = subprocess.run([PY, os.path.join(HERE, "torch_recipe.py"), base, "--threads", str(threads),
                          "--train-accuracy", "off" if lean else "all", "--seed", str(seed)], check=True,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
                         env=dict(os.environ, OPENBLAS_NUM_THREADS="2")).stdout
    r = json.loads(out)
    r["wall_seconds"] = time.perf_counter() - t
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--recipes", default="main,best")
    ap.add_argument("--torch-threads", default="1,2")
    ap.add_argument("--seeds", default="0",
                    help="seeds of the rounds, in turn (round r runs seeds[r % len]); with several, the test accuracies "
                         "are compared as means over the rounds, the same seeds on both sides")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    recipes = a.recipes.split(",")
    threads = [int(t) for t in a.torch_threads.split(",")]
    started = datetime.datetime.now(datetime.timezone.utc)
    rounds = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(a.rounds):
            seed = seeds[r % len(seeds)]
            row = {"round": r + 1, "seed": seed, "load_before": loadavg()}
            for recipe in recipes:
                row[recipe] = {"ours": ours(recipe, tmp, seed)}
                for t in threads:
                    row[recipe][f"torch{t}"] = torch_run(recipe, t, seed)
                    row[recipe][f"torch{t}"].pop("history", None)
            rounds.append(row)
            print(f"round {r + 1}: " + "; ".join(
                f"{k} ours {row[k]['ours']['train_seconds']:.1f} s " +
                " ".join(f"torch({t}) {row[k][f'torch{t}']['train_seconds']:.1f} s" for t in threads) for k in recipes),
                flush=True)

    print()
    print("| recipe | ours: train s (rounds) | PyTorch: train s (rounds), threads | ratio per round | median ratio | test ours / PyTorch | process wall s, ours / PyTorch (medians) |")
    print("|---|---|---|---|---|---|---|")
    summary = {}
    for recipe in recipes:
        best_t = min(threads, key=lambda t: statistics.median(x[recipe][f"torch{t}"]["train_seconds"] for x in rounds))
        o = [x[recipe]["ours"]["train_seconds"] for x in rounds]
        p = [x[recipe][f"torch{best_t}"]["train_seconds"] for x in rounds]
        ratios = [a_ / b_ for a_, b_ in zip(o, p)]
        # One seed: ours is deterministic, PyTorch's median over the rounds. Several: the mean over the rounds on both sides.
        if len(seeds) == 1:
            acc_o = rounds[-1][recipe]["ours"]["test_accuracy"]
            acc_p = statistics.median(x[recipe][f"torch{best_t}"]["test_accuracy"] for x in rounds)
        else:
            acc_o = statistics.mean(x[recipe]["ours"]["test_accuracy"] for x in rounds)
            acc_p = statistics.mean(x[recipe][f"torch{best_t}"]["test_accuracy"] for x in rounds)
        summary[recipe] = {"torch_threads": best_t, "seeds": [x["seed"] for x in rounds],
                           "test_ours_per_round": [x[recipe]["ours"]["test_accuracy"] for x in rounds],
                           "test_torch_per_round": [x[recipe][f"torch{best_t}"]["test_accuracy"] for x in rounds], "ours": o, "torch": p, "ratios": ratios,
                           "median_ratio": statistics.median(ratios), "test_ours": acc_o, "test_torch": acc_p}
        print(f"| {recipe} | {', '.join(f'{v:.2f}' for v in o)} | {', '.join(f'{v:.2f}' for v in p)} ({best_t}) | "
              f"{', '.join(f'{v:.2f}' for v in ratios)} | **{statistics.median(ratios):.2f}×** | "
              f"{100 * acc_o:.2f} % / {100 * acc_p:.2f} % | "
              f"{statistics.median(x[recipe]['ours']['wall_seconds'] for x in rounds):.1f} / "
              f"{statistics.median(x[recipe][f'torch{best_t}']['wall_seconds'] for x in rounds):.1f} |")
    result = {"started": started.isoformat(timespec="seconds"), "cpu": open("/proc/cpuinfo").read().split("model name")[1].split("\n")[0].strip(": "),
              "rounds": rounds, "summary": summary, "load_after": loadavg()}
    path = a.out or os.path.join(HERE, "results", started.strftime("%Y-%m-%dT%H%M") + "-recipes.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
    print(f"\nraw rounds: {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
