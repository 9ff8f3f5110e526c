#!/usr/bin/env python3
"""How fast dnnroof starts, against what Python pays before it counts anything.

usage: startup_ratio.py [DNNROOF] [--python /usr/bin/python3] [--runs N]

Measured in one run, each command as a whole process (fork to exit, the
median of --runs runs, run in turn so that load drifts hit both alike):
  python:  `python3 -c "import torch, torchvision"`, the least any Python
           counter (fvcore, thop, ptflops, torchinfo, calflops, torch's
           FlopCounterMode) pays before it counts;
  analyze: `dnnroof analyze` of the 17 torchvision models below in one
           process, --format json to /dev/null;
  onnx:    the same of tests/onnx/fixtures/*.onnx (torch 2.15 exports of the
           17 models, their dynamo and untrained variants) at --batch 4;
  version: `dnnroof --version`, time and peak resident memory.
Peak RSS comes from `/usr/bin/time -f %M` (GNU time forks from its own small
process): ru_maxrss of a child that Python forks or posix_spawns counts the
Python parent's pages until exec (`/bin/true` shows 14 MB that way), which
inflated the figures before. Without /usr/bin/time no RSS is printed.
Prints the ratio analyze / python (target: < 0.25), the --version figures
(targets: < 20 ms, < 20 MB) and the load average before and after, since
this is a shared machine and every figure moves with the load. The targets
are reported, never asserted: timings belong here, not in tests.

The 17 models: torchvision classification models the zoo builds, one or two
per family (docs/startup.md).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

MODELS = ["resnet18", "resnet50", "alexnet", "vgg16", "squeezenet1_0", "googlenet",
          "inception_v3", "densenet121", "shufflenet_v2_x1_0", "mobilenet_v2",
          "mobilenet_v3_large", "mnasnet1_0", "efficientnet_b0", "regnet_y_400mf",
          "convnext_tiny", "vit_b_16", "swin_t"]


def run_once(argv):
    """Seconds from spawn to exit, and the child's peak RSS in bytes."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(argv)}")
    return seconds, usage.ru_maxrss * 1024


def peak_rss(argv):
    """The command's peak RSS in bytes by GNU time, or None without it."""
    if not os.path.exists("/usr/bin/time"):
        return None
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as f:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f.name, *argv], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return int(f.read().split()[-1]) * 1024


def mb(x):
    return "unknown (no /usr/bin/time)" if x is None else f"{x / 1e6:.1f} MB"


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_bin = os.path.join(here, "..", "..", "build", "dnnroof")
    p = argparse.ArgumentParser()
    p.add_argument("dnnroof", nargs="?", default=default_bin)
    p.add_argument("--python", default="/usr/bin/python3")
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()

    commands = {
        "python": [a.python, "-c", "import torch, torchvision"],
        "analyze": [a.dnnroof, "analyze", *MODELS, "--format", "json"],
        "version": [a.dnnroof, "--version"],
    }
    # The same models as torch 2.15 exports them (tests/onnx/fixtures: the 17,
    # the dynamo exports and the untrained ones), one process.
    fixtures = os.path.join(here, "..", "..", "tests", "onnx", "fixtures")
    onnx_files = sorted(os.path.join(fixtures, f) for f in os.listdir(fixtures)
                        if f.endswith(".onnx")) if os.path.isdir(fixtures) else []
    if onnx_files:
        commands["onnx"] = [a.dnnroof, "analyze", *onnx_files, "--batch", "4", "--format", "json"]
    load_before = loadavg()
    for argv in commands.values():  # warm the page cache once
        run_once(argv)
    times = {k: [] for k in commands}
    for _ in range(a.runs):
        for k, argv in commands.items():
            s, _ = run_once(argv)
            times[k].append(s)
    # --version is short: more runs for its median.
    for _ in range(20):
        s, _ = run_once(commands["version"])
        times["version"].append(s)
    load_after = loadavg()
    rss = {k: peak_rss(argv) for k, argv in commands.items()}

    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["analyze"] / med["python"]
    print(f"load average before: {load_before}; after: {load_after}; {os.cpu_count()} CPUs")
    print(f"python -c 'import torch, torchvision': {med['python']:.3f} s "
          f"(median of {len(times['python'])}), peak RSS {mb(rss['python'])}")
    print(f"dnnroof analyze ({len(MODELS)} models):       {med['analyze']:.3f} s "
          f"(median of {len(times['analyze'])}), peak RSS {mb(rss['analyze'])}")
    print(f"ratio analyze / import: {ratio:.3f} (target < 0.25: "
          f"{'met' if ratio < 0.25 else 'NOT met'})")
    if "onnx" in med:
        print(f"dnnroof analyze ({len(onnx_files)} ONNX files): {med['onnx']:.3f} s "
              f"(median of {len(times['onnx'])}), peak RSS {mb(rss['onnx'])}, "
              f"ratio {med['onnx'] / med['python']:.3f}")
    v_ms = med["version"] * 1e3
    v_rss = rss["version"]
    rss_verdict = "unknown" if v_rss is None else ("met" if v_rss < 20e6 else "NOT met")
    print(f"dnnroof --version: {v_ms:.1f} ms (median of {len(times['version'])}; "
          f"min {min(times['version']) * 1e3:.1f} ms), peak RSS {mb(v_rss)} "
          f"(targets < 20 ms: {'met' if v_ms < 20 else 'NOT met'}, < 20 MB: {rss_verdict})")


if __name__ == "__main__":
    main()
