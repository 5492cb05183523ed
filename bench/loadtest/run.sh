#!/usr/bin/env bash
# Bounded loopback load test of `backprop serve` (docs/robustness.md): wrk posts one 28x28 image to /api/predict for
# 30 s over 32 connections from 2 threads, on 127.0.0.1 only; then prints the server's resident memory and stops it.
# Usage: bench/loadtest/run.sh [MODEL.json]   (default models/mnist-mlp.json; needs `wrk`: apt-get install wrk)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
model="${1:-models/mnist-mlp.json}"
[[ -f "$model" ]] || { echo "run.sh: model file '$model' does not exist (train one: backprop train)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "run.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
cli="$root/src/Backprop.Cli/bin/Release/net10.0/backprop"
[[ -x "$cli" ]] || dotnet build -c Release "$root/src/Backprop.Cli" >/dev/null

log="$(mktemp)"
"$cli" serve --model "$model" --urls http://127.0.0.1:0 --json >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q '"url"' "$log" && break; sleep 0.2; done
url="$(grep -o '"url": "[^"]*"' "$log" | cut -d'"' -f4)"
[[ -n "$url" ]] || { echo "run.sh: the server did not start:" >&2; cat "$log" >&2; exit 1; }
case "$url" in http://127.0.0.1:*) ;; *) echo "run.sh: refusing a non-loopback address $url" >&2; exit 2 ;; esac

echo "server     $url (pid $server), model $model, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
curl -fsS "$url/healthz" >/dev/null && echo "healthz    Healthy"
wrk -t2 -c32 -d30s --latency -s "$here/predict.lua" "$url/api/predict"
echo "server RSS $(awk '/VmRSS/ {print $2, $3}' "/proc/$server/status") after the run (peak $(awk '/VmHWM/ {print $2, $3}' "/proc/$server/status"))"
