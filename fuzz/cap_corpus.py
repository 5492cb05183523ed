"""Keeps at most N inputs of an afl-cmin'd corpus: greedily those that add the most coverage tuples not yet covered
(afl-showmap's per-input maps), smaller first on ties. Usage: cap_corpus.py MAPS_DIR CORPUS_DIR N"""
import pathlib
import sys

maps_dir, corpus_dir, limit = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
tuples = {}
for m in maps_dir.iterdir():
    inp = corpus_dir / m.name
    if inp.exists():
        tuples[inp] = {line.split(":")[0] for line in m.read_text().splitlines() if line}
covered, kept = set(), []
while len(kept) < limit and tuples:
    best = max(tuples, key=lambda f: (len(tuples[f] - covered), -f.stat().st_size))
    if not tuples[best] - covered:
        break
    covered |= tuples.pop(best)
    kept.append(best)
total = set().union(covered, *tuples.values())
for f in corpus_dir.iterdir():
    if f not in kept:
        f.unlink()
print(f"kept {len(kept)} inputs covering {len(covered)} of {len(total)} tuples")
