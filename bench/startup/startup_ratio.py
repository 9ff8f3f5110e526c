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
  version: `dnnroof --version`, time and peak resident memory (ru_maxrss of
           the child from wait4, what /usr/bin/time -v reports).
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
    load_before = loadavg()
    for argv in commands.values():  # warm the page cache once
        run_once(argv)
    times = {k: [] for k in commands}
    rss = {k: [] for k in commands}
    for _ in range(a.runs):
        for k, argv in commands.items():
            s, m = run_once(argv)
            times[k].append(s)
            rss[k].append(m)
    # --version is short: more runs for its median.
    for _ in range(20):
        s, m = run_once(commands["version"])
        times["version"].append(s)
        rss["version"].append(m)
    load_after = loadavg()

    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["analyze"] / med["python"]
    print(f"load average before: {load_before}; after: {load_after}; {os.cpu_count()} CPUs")
    print(f"python -c 'import torch, torchvision': {med['python']:.3f} s "
          f"(median of {len(times['python'])}), peak RSS {max(rss['python']) / 1e6:.0f} MB")
    print(f"dnnroof analyze ({len(MODELS)} models):       {med['analyze']:.3f} s "
          f"(median of {len(times['analyze'])}), peak RSS {max(rss['analyze']) / 1e6:.0f} MB")
    print(f"ratio analyze / import: {ratio:.3f} (target < 0.25: "
          f"{'met' if ratio < 0.25 else 'NOT met'})")
    v_ms = med["version"] * 1e3
    v_mb = max(rss["version"]) / 1e6
    print(f"dnnroof --version: {v_ms:.1f} ms (median of {len(times['version'])}; "
          f"min {min(times['version']) * 1e3:.1f} ms), peak RSS {v_mb:.1f} MB "
          f"(targets < 20 ms: {'met' if v_ms < 20 else 'NOT met'}, "
          f"< 20 MB: {'met' if v_mb < 20 else 'NOT met'})")


if __name__ == "__main__":
    main()
