#!/usr/bin/env bash
# Runs the README's tour as written: every `$ backprop …` line of the README's plain code blocks (continuation
# lines joined), in order, in one empty temporary folder, with `backprop` = the CLI built from this checkout.
# Fails (exit 1) at the first command that fails, printing it and the end of its output.
#
#   .ci/readme-tour.sh              quick: training commands (train, compare, sweep, report) get --epochs 2 and
#                                   bench gets --repeat 1, as the README's tour says; a few minutes on 2 cores
#   TOUR_FULL=1 .ci/readme-tour.sh  every command exactly as written (the MNIST runs take tens of minutes)
#   EX4DATA1=path/ex4data1.mat      start from this ex4data1.mat (the README writes its own with export-data)
#   BACKPROP_DLL=path/backprop.dll  use a built CLI instead of building src/Backprop.Cli
#   README=path/README.md           another README (default: the checkout's)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
readme="${README:-$root/README.md}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ -z "${BACKPROP_DLL:-}" ]; then
  dotnet build -c Release "$root/src/Backprop.Cli" -v quiet -nologo >/dev/null
  BACKPROP_DLL="$root/src/Backprop.Cli/bin/Release/net10.0/backprop.dll"
fi
[ -f "$BACKPROP_DLL" ] || { echo "readme-tour: no CLI at $BACKPROP_DLL" >&2; exit 2; }
backprop() { dotnet "$BACKPROP_DLL" "$@"; }

# The commands, one per line: `$ backprop` lines inside ``` blocks without a language, `\` continuations joined.
mapfile -t commands < <(awk '
  /^```/ { if (inblock) inblock = 0; else { inblock = 1; plain = ($0 == "```") } next }
  inblock && plain {
    line = $0
    if (cont) { sub(/^[ \t]+/, " ", line); cmd = cmd line }
    else if (line ~ /^\$ backprop /) cmd = substr(line, 3)
    else next
    if (cmd ~ /\\[ \t]*$/) { sub(/\\[ \t]*$/, "", cmd); cont = 1; next }
    cont = 0; print cmd; cmd = ""
  }' "$readme")
[ "${#commands[@]}" -gt 0 ] || { echo "readme-tour: no \$ backprop lines found in $readme" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/readme-tour.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
# What the tour assumes the reader has: the course's weights (shipped with the tests), ex4data1.mat when given, and
# "my.csv" / "my-test.csv" (the README's stand-ins for one's own CSV): the 8x8 digits, split in two.
cp "$root/tests/Backprop.Tests/Fixtures/mat/corpus/ex4weights.mat" .
# The README's commands run from a clone's top folder: its data/ and tests/ (fixtures the tour names) are there.
ln -s "$root/data" data
ln -s "$root/tests" tests
if [ -n "${EX4DATA1:-}" ]; then cp "$EX4DATA1" ex4data1.mat; fi
gzip -dc "$root/data/digits/digits.csv.gz" > digits.csv
sed -n '1,1400p' digits.csv > my.csv
sed -n '1401,$p' digits.csv > my-test.csv
rm digits.csv

ran=0; skipped=0
for cmd in "${commands[@]}"; do
  cmd="$(sed -E 's/[[:space:]]+#.*$//' <<<"$cmd")"          # the README's trailing comments
  # ex4data1.mat: written by the README's own `export-data ex4data1 --out ex4data1.mat` before the lines that read it.
  if [[ "$cmd" == *ex4data1.mat* && "$cmd" != *"--out ex4data1.mat"* && ! -f ex4data1.mat ]]; then
    echo "skip  $cmd   (needs ex4data1.mat: EX4DATA1=path)"; skipped=$((skipped + 1)); continue
  fi
  sub="$(awk '{print $2}' <<<"$cmd")"
  if [ -z "${TOUR_FULL:-}" ]; then
    case "$sub" in
      train|compare|sweep|report) [[ "$cmd" == *--resume* ]] || cmd="$(sed -E 's/ --epochs [0-9]+//' <<<"$cmd") --epochs 2" ;;
      bench) cmd="$(sed -E 's/ --repeat [0-9]+/ --repeat 1/' <<<"$cmd")" ;;
    esac
  fi
  echo "run   $cmd"
  start=$SECONDS
  if [ "$sub" = serve ] || [ "$sub" = playground ]; then
    # A server does not end: start it on a free port, wait until it listens, then stop it.
    ( eval "exec dotnet \"\$BACKPROP_DLL\" ${cmd#backprop } --urls http://127.0.0.1:0 --json" > serve.out 2> serve.err ) &
    pid=$!
    for _ in $(seq 1 600); do grep -q '"url"' serve.out 2>/dev/null && break; kill -0 $pid 2>/dev/null || break; sleep 0.5; done
    if ! grep -q '"url"' serve.out 2>/dev/null; then
      kill $pid 2>/dev/null || true; echo "FAIL  $cmd: did not start listening" >&2; tail -n 20 serve.err >&2; exit 1
    fi
    kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
  else
    set +e
    eval "$cmd" > out.txt 2>&1
    status=$?
    set -e
    if [ $status -ne 0 ]; then
      echo "FAIL  exit $status: $cmd" >&2; tail -n 20 out.txt >&2; exit 1
    fi
  fi
  echo "      ok ($((SECONDS - start)) s)"
  ran=$((ran + 1))
done
echo "readme tour: $ran commands ran and passed, $skipped skipped${TOUR_FULL:+ (full)}"
