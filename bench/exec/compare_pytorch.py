#!/usr/bin/python3
"""dnnroof bench versus PyTorch eager, in one run.

For each model and batch size: `dnnroof bench` measures inference latency
(LibTorch, through dnnroof's executor and measurement loop) in a child
process, and a child Python process measures PyTorch eager on the same
torchvision model (random weights, eval, torch.inference_mode, same threads,
same batch) with the same method: warm-up until the time per iteration stops
falling (median of the last 5 within 2% of the 5 before, at least 0.2 s),
then samples until the median's distribution-free 95% confidence interval is
within the target or the budget ends. Peak memory is each child's peak
resident set (ru_maxrss from wait4), measured the same way for both; the
peak dnnroof records itself (VmHWM since the configuration started) is shown
too.

Run with Debian's python3-torch (/usr/bin/python3, not a venv without torch):

    /usr/bin/python3 bench/exec/compare_pytorch.py --dnnroof build/dnnroof --threads 1

Targets (docs/bench.md): latency ratio dnnroof / PyTorch <= 1.0 and peak
memory within 10% of PyTorch's. The machine this runs on may be shared and
noisy: the two sides alternate per configuration, and --rounds N repeats the
whole comparison and reports the median ratio over rounds.
"""

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time

# ---------------------------------------------------------------------------
# The PyTorch side, run as `compare_pytorch.py --child MODEL BATCH THREADS
# TARGET BUDGET` so that its peak memory is its own.


def binom_cdf(k, n):
    """P(B <= k) for B ~ Binomial(n, 1/2)."""
    if k < 0:
        return 0.0
    return sum(math.comb(n, i) for i in range(0, k + 1)) / 2.0**n


def median_ci(samples, confidence=0.95):
    """Distribution-free CI of the median (same rule as src/measure)."""
    x = sorted(samples)
    n = len(x)
    best = None
    for lower in range(1, n // 2 + 1):
        coverage = 1 - 2 * binom_cdf(lower - 1, n)
        if coverage >= confidence:
            best = lower
        else:
            break
    if best is None:
        return x[0], x[-1], False
    return x[best - 1], x[n - best], True


def child(model_name, batch, threads, target, budget_s):
    import torch
    import torchvision

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = getattr(torchvision.models, model_name)(weights=None).eval()
    x = torch.randn(batch, 3, 224, 224)

    def once():
        t0 = time.perf_counter()
        model(x)
        return time.perf_counter() - t0

    with torch.inference_mode():
        warm = []
        start = time.perf_counter()
        while time.perf_counter() - start < 10.0:
            warm.append(once())
            if len(warm) >= 10 and sum(warm) >= 0.2:
                last = statistics.median(warm[-5:])
                before = statistics.median(warm[-10:-5])
                if last >= 0.98 * before:
                    break
        samples = []
        start = time.perf_counter()
        measured = 0.0
        converged = False
        while True:
            samples.append(once())
            measured += samples[-1]
            if len(samples) >= 10 and measured >= 0.5:
                med = statistics.median(samples)
                low, high, ok = median_ci(samples)
                if ok and max(med - low, high - med) / med <= target:
                    converged = True
                    break
            if time.perf_counter() - start >= budget_s:
                break
    med = statistics.median(samples)
    low, high, _ = median_ci(samples)
    print(json.dumps({"median_s": med, "n": len(samples), "warmup": len(warm),
                      "ci_rel": max(med - low, high - med) / med, "converged": converged,
                      "threads": torch.get_num_threads(), "torch": torch.__version__}))


# ---------------------------------------------------------------------------
# The parent: runs both sides per configuration and prints the ratios.


def peak_of(cmd, env):
    """Runs cmd in a child (fork + exec) and returns its stdout, stderr and its own
    peak resident set (ru_maxrss from os.wait4) in bytes."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        pid = os.fork()
        if pid == 0:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            try:
                os.execvpe(cmd[0], cmd, env)
            finally:
                os._exit(127)
        _, status, usage = os.wait4(pid, 0)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({code}):\n{stderr[-2000:]}")
    return stdout, stderr, usage.ru_maxrss * 1024.0


def dnnroof_side(args, model, batch, env, tmp):
    out_path = os.path.join(tmp, f"{model}-{batch}.json")
    if os.path.exists(out_path):
        os.remove(out_path)
    cmd = [args.dnnroof, "bench", model, "--batch", str(batch), "--mode", "infer",
           "--threads", str(args.threads), "--target", args.target, "--budget",
           f"{args.budget}s", "--out", out_path, "--format", "json"]
    _, _, peak = peak_of(cmd, env)
    with open(out_path) as f:
        rec = json.load(f)["records"][0]
    if rec["status"] == "failed":
        raise RuntimeError(f"dnnroof bench {model} batch {batch} failed: {rec['status_reason']}")
    fwd = rec["timings"]["forward"]
    return {"median_s": fwd["median_s"], "n": fwd["n"], "ci_rel": fwd["ci_rel_half_width"],
            "status": rec["status"], "peak_rss": peak, "recorded_peak": rec["memory_peak_bytes"],
            "threads": rec["conditions"]["threads"],
            "libs": rec["conditions"].get("library_versions", {})}


def pytorch_side(args, model, batch, env):
    target = float(args.target.rstrip("%")) / 100 if args.target.endswith("%") else float(args.target)
    cmd = [sys.executable, os.path.abspath(__file__), "--child", model, str(batch),
           str(args.threads), str(target), str(args.budget)]
    stdout, _, peak = peak_of(cmd, env)
    result = json.loads(stdout.strip().splitlines()[-1])
    result["peak_rss"] = peak
    return result


def baselines(args, env):
    """Peak RSS of each side's runtime alone, with no model: `dnnroof version`
    (the binary with LibTorch loaded and its operators registered) and
    `import torch, torchvision`. Subtracted, they leave what running the
    model added on each side."""
    _, _, d = peak_of([args.dnnroof, "version"], env)
    _, _, t = peak_of([sys.executable, "-c", "import torch, torchvision"], env)
    return d, t


def mib(b):
    return f"{b / 2**20:.0f} MiB"


def ms(s):
    return f"{s * 1e3:.2f} ms"


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        model, batch, threads, target, budget = sys.argv[2:7]
        child(model, int(batch), int(threads), float(target), float(budget))
        return
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dnnroof", default="build/dnnroof", help="the dnnroof binary")
    p.add_argument("--models", default="resnet18,alexnet,mobilenet_v2")
    p.add_argument("--batches", default="1,8")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--target", default="2%")
    p.add_argument("--budget", type=float, default=10.0, help="sampling budget per side [s]")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--json", help="also write every measurement here")
    args = p.parse_args()
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = str(args.threads)
    env["MKL_NUM_THREADS"] = str(args.threads)
    # dnnroof restarts itself with OPENBLAS_CORETYPE set when OpenBLAS falls
    # back to old kernels on a CPU it does not know (apps/dnnroof/main.cc);
    # Python would not. Both sides get the same BLAS kernels: OpenBLAS's own
    # choice, or the OPENBLAS_CORETYPE the caller exported.
    env["DNNROOF_KEEP_BLAS"] = "1"

    models = args.models.split(",")
    batches = [int(b) for b in args.batches.split(",")]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for model in models:
                for batch in batches:
                    # Alternate which side goes first, round by round.
                    sides = ["dnnroof", "pytorch"] if r % 2 == 0 else ["pytorch", "dnnroof"]
                    for side in sides:
                        print(f"round {r + 1}/{args.rounds}: {side} {model} batch {batch} ...",
                              file=sys.stderr, flush=True)
                        res = (dnnroof_side(args, model, batch, env, tmp) if side == "dnnroof"
                               else pytorch_side(args, model, batch, env))
                        results.setdefault((model, batch), {}).setdefault(side, []).append(res)

    base_d, base_t = baselines(args, env)
    header = (f"{'model':<13} {'batch':>5} {'dnnroof':>10} {'PyTorch':>10} {'ratio':>6}  "
              f"{'dnnroof RSS':>11} {'PyTorch RSS':>11} {'ratio':>6}  "
              f"{'d - base':>9} {'p - base':>9} {'ratio':>6}  CI d/p")
    print(f"threads {args.threads}, target ±{args.target}, budget {args.budget:g} s per side, "
          f"{args.rounds} round(s); medians over rounds; runtime baselines (no model): "
          f"dnnroof {mib(base_d)}, PyTorch {mib(base_t)}")
    print(header)
    rows = []
    for (model, batch), sides in results.items():
        d, t = sides["dnnroof"], sides["pytorch"]
        d_med = statistics.median(x["median_s"] for x in d)
        t_med = statistics.median(x["median_s"] for x in t)
        lat_ratio = statistics.median(a["median_s"] / b["median_s"] for a, b in zip(d, t))
        d_rss = statistics.median(x["peak_rss"] for x in d)
        t_rss = statistics.median(x["peak_rss"] for x in t)
        rec = statistics.median(x["recorded_peak"] for x in d)
        ci = "/".join(f"{100 * statistics.median(x['ci_rel'] for x in side):.1f}%"
                      for side in (d, t))
        inc_d, inc_t = d_rss - base_d, t_rss - base_t
        print(f"{model:<13} {batch:>5} {ms(d_med):>10} {ms(t_med):>10} {lat_ratio:>6.3f}  "
              f"{mib(d_rss):>11} {mib(t_rss):>11} {d_rss / t_rss:>6.3f}  "
              f"{mib(inc_d):>9} {mib(inc_t):>9} {inc_d / inc_t:>6.3f}  {ci}")
        rows.append({"model": model, "batch": batch, "dnnroof_median_s": d_med,
                     "pytorch_median_s": t_med, "latency_ratio": lat_ratio,
                     "dnnroof_peak_rss_bytes": d_rss, "pytorch_peak_rss_bytes": t_rss,
                     "memory_ratio": d_rss / t_rss, "dnnroof_recorded_peak_bytes": rec,
                     "dnnroof_baseline_rss_bytes": base_d, "pytorch_baseline_rss_bytes": base_t,
                     "memory_increment_ratio": inc_d / inc_t, "runs": sides})
    first = next(iter(results.values()))
    print(f"dnnroof: {first['dnnroof'][0]['libs']}, {first['dnnroof'][0]['threads']} threads; "
          f"PyTorch {first['pytorch'][0]['torch']}, {first['pytorch'][0]['threads']} threads")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
