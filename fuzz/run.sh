#!/usr/bin/env bash
# Fuzzes the readers with afl-fuzz (Debian's afl++) through SharpFuzz, one target at a time, niced.
#
#   fuzz/run.sh SECONDS [TARGET...]    each TARGET (default: all) for SECONDS; findings in fuzz/out/TARGET
#   fuzz/run.sh minimize TARGET        afl-cmin the queue of fuzz/out/TARGET into fuzz/corpus/TARGET, then keep the
#                                      CORPUS_MAX (40) inputs that add the most coverage
#
# Targets: mat npy npz idx csv model (fuzz/Backprop.Fuzz/FuzzTargets.cs). The first run publishes the harness to
# fuzz/out/bin and instruments Backprop.Core.dll there with the SharpFuzz tool
# (dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0). Delete fuzz/out/bin to rebuild, or set
# FUZZ_BIN to another folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/out
bin=${FUZZ_BIN:-$out/bin}
all=(mat npy npz idx csv model)

export PATH="$PATH:$HOME/.dotnet/tools"
export AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_AUTORESUME=1
export FUZZ_SCRATCH=${FUZZ_SCRATCH:-/dev/shm}

if [ ! -f "$bin/.instrumented" ]; then
  nice -n 19 dotnet publish "$here/Backprop.Fuzz" -c Release -o "$bin" >/dev/null
  sharpfuzz "$bin/Backprop.Core.dll"
  touch "$bin/.instrumented"
fi

if [ "${1:-}" = minimize ]; then
  target=$2
  rm -rf "$here/corpus/$target.tmp"
  nice -n 19 afl-cmin -i "$out/$target/default/queue" -o "$here/corpus/$target.tmp" -t 5000 -m none -- "$(command -v dotnet)" "$bin/Backprop.Fuzz.dll" "$target"
  # A few dozen inputs per reader: the ones that add the most coverage (fuzz/cap_corpus.py).
  rm -rf "$out/$target.maps"
  nice -n 19 afl-showmap -i "$here/corpus/$target.tmp" -o "$out/$target.maps" -t 5000 -m none -- "$(command -v dotnet)" "$bin/Backprop.Fuzz.dll" "$target" >/dev/null 2>&1 || true
  python3 "$here/cap_corpus.py" "$out/$target.maps" "$here/corpus/$target.tmp" "${CORPUS_MAX:-40}"
  i=0; for f in "$here/corpus/$target.tmp"/*; do i=$((i + 1)); mv "$f" "$here/corpus/$target.tmp/$(printf '%s-%03d' "$target" "$i")"; done
  rm -rf "$here/corpus/$target" && mv "$here/corpus/$target.tmp" "$here/corpus/$target"
  exit 0
fi

seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...] | fuzz/run.sh minimize TARGET}
shift
targets=("${@:-${all[@]}}")
for target in "${targets[@]}"; do
  echo "== $target for $seconds s"
  nice -n 19 afl-fuzz -V "$seconds" -i "$here/seeds/$target" -o "$out/$target" -t 5000 -m none -- dotnet "$bin/Backprop.Fuzz.dll" "$target" >"$out/$target.log" 2>&1 || true
  stats=$out/$target/default/fuzzer_stats
  if [ -f "$stats" ]; then
    grep -E '^(execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|run_time) ' "$stats"
  else
    tail -n 20 "$out/$target.log"
  fi
done
