#!/usr/bin/env python3
"""Fits the token-coverage truncation model of src/checks/truncation.rs (coverage_log_odds).

Input: the JSON lines of `examples/truncation_features.rs` (every 1-1 link of `mtcheck eval`
reports, with its length ratio, z and coverage). A link is positive when it holds a labelled
truncation of its pair, negative when it touches no labelled error. Links at or above the
candidate length ratio are left out, as the checker never examines them.

Prints the leave-one-set-out recall/false-candidate trade-off (a "set" is the folder of
reports) and the constants to paste into truncation.rs. Pure Python: no numpy needed.

    for s in SET1 SET2 ...; do mtcheck eval $s --reports $s-r; done
    cargo run --release --example truncation_features -- SET1-r SET2-r ... > f.jsonl
    python3 devset/fit_truncation.py f.jsonl
"""
import json
import math
import os
import sys

CANDIDATE_RATIO = 0.9
FEATURES = ["log_ratio", "tail_drop", "extent", "reach", "z"]


def labelled(rows):
    labels = {}
    for r in rows:
        rep = r["report"]
        if rep not in labels:
            report = json.load(open(rep))
            folder = os.path.dirname(report["target"]["path"])
            labels[rep] = json.load(open(os.path.join(folder, "labels.json")))["errors"]
        errs = labels[rep]
        cut = [e for e in errs if e["type"] == "truncation" and (e.get("target_text") or "").strip()[:30] in r["tgt"]]
        other = [e for e in errs if e["type"] != "truncation" and (
            ((e.get("target_text") or "").strip()[:30] or "\0") in r["tgt"]
            or ((e.get("source_text") or "").strip()[:30] or "\0") in r["src"])]
        if cut:
            yield r, 1
        elif not other:
            yield r, 0


def vector(r):
    return [math.log(max(r["ratio"], 0.05)), r["tail_drop"], r["extent"], r["reach"], r["z"]]


def fit(data, lam=0.01, iters=400, rate=0.5):
    """Class-balanced, L2-regularised logistic regression on standardised features."""
    d = len(FEATURES)
    mu = [sum(x[i] for x, _ in data) / len(data) for i in range(d)]
    sd = [max(1e-6, math.sqrt(sum((x[i] - mu[i]) ** 2 for x, _ in data) / len(data))) for i in range(d)]
    xs = [[(x[i] - mu[i]) / sd[i] for i in range(d)] for x, _ in data]
    ys = [y for _, y in data]
    pos = sum(ys)
    wpos = (len(ys) - pos) / max(pos, 1)
    w, b = [0.0] * d, 0.0
    for _ in range(iters):
        gw, gb, total = [0.0] * d, 0.0, 0.0
        for x, y in zip(xs, ys):
            p = 1 / (1 + math.exp(-(sum(a * c for a, c in zip(w, x)) + b)))
            c = wpos if y else 1.0
            g = (p - y) * c
            total += c
            for i in range(d):
                gw[i] += g * x[i]
            gb += g
        w = [wi - rate * (gi / total + lam * wi) for wi, gi in zip(w, gw)]
        b -= rate * gb / total
    return mu, sd, w, b


def log_odds(model, x):
    mu, sd, w, b = model
    return b + sum(wi * (xi - m) / s for wi, xi, m, s in zip(w, x, mu, sd))


def main():
    rows = [json.loads(line) for path in sys.argv[1:] for line in open(path)]
    rows = [r for r in rows if r["ratio"] < CANDIDATE_RATIO and math.isfinite(r["z"])]
    data = [(vector(r), y, os.path.dirname(r["report"])) for r, y in labelled(rows)]
    sets = sorted({s for _, _, s in data})
    print(f"{sum(y for _, y, _ in data)} truncated and {sum(1 - y for _, y, _ in data)} complete candidate links in {len(sets)} sets")
    held = []
    for s in sets:
        model = fit([(x, y) for x, y, t in data if t != s])
        held += [(log_odds(model, x), y) for x, y, t in data if t == s]
    print("leave-one-set-out: threshold, truncations found, complete links flagged")
    for th in (3.0, 2.0, 1.5, 1.0, 0.5):
        print(f"  {th:4.1f} {sum(1 for v, y in held if y and v >= th):4d} {sum(1 for v, y in held if not y and v >= th):5d}")
    mu, sd, w, b = fit([(x, y) for x, y, _ in data])
    r4 = lambda v: ", ".join(f"{x:.4f}" for x in v)
    print(f"const MEAN: [f32; 5] = [{r4(mu)}];")
    print(f"const SPREAD: [f32; 5] = [{r4(sd)}];")
    print(f"const WEIGHT: [f32; 5] = [{r4(w)}];")
    print(f"const BIAS: f32 = {b:.4f};")


if __name__ == "__main__":
    main()
