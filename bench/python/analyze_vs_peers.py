#!/usr/bin/env python3
"""Time of dnnroof.analyze on a torchvision module (the ONNX export included)
against thop, fvcore and ptflops on the same module, in one run.

Each tool is timed the way its README runs it, on the same module instance
and input, the median of --repeats runs after one untimed warm-up; a tool
that is not installed is skipped and said so. Run it in a venv that sees
Debian's torch and has the tools:

    /usr/bin/python3 -m venv --system-site-packages /tmp/peers
    /tmp/peers/bin/pip install thop fvcore ptflops ./   # dnnroof too
    /tmp/peers/bin/python bench/python/analyze_vs_peers.py --models resnet18,vit_b_16

Prints one row per model and tool: median seconds, the ratio to dnnroof's
(tool / dnnroof; > 1: dnnroof is faster), and what it counted (MACs, params),
plus dnnroof's export and import+analysis times apart.
"""

import argparse
import contextlib
import io
import os
import platform
import statistics
import sys
import time

import torch
import torchvision

import dnnroof


def median_time(fn, repeats):
    fn()  # warm-up (imports, first-call caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def quiet(fn):
    def run():
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return fn()
    return run


def tools(model, x):
    """name -> callable returning (macs, params), for the tools installed."""
    found = {}
    try:
        import thop

        found["thop"] = quiet(lambda: thop.profile(model, inputs=(x,), verbose=False))
    except ImportError:
        pass
    try:
        from fvcore.nn import FlopCountAnalysis, parameter_count

        def fv():
            f = FlopCountAnalysis(model, x)
            f.unsupported_ops_warnings(False)
            f.uncalled_modules_warnings(False)
            return f.total(), parameter_count(model)[""]

        found["fvcore"] = quiet(fv)
    except ImportError:
        pass
    try:
        from ptflops import get_model_complexity_info

        found["ptflops"] = quiet(lambda: get_model_complexity_info(
            model, tuple(x.shape[1:]), as_strings=False, print_per_layer_stat=False,
            verbose=False))
    except ImportError:
        pass
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default="resnet18,mobilenet_v2,resnet50,vit_b_16")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print("# torch %s, torchvision %s, dnnroof %s, python %s, load average %.1f"
          % (torch.__version__, torchvision.__version__, dnnroof.__version__,
             platform.python_version(), os.getloadavg()[0]))
    print("%-14s %-8s %10s %8s %14s %12s" % ("model", "tool", "median_s", "ratio", "MACs", "params"))
    for name in args.models.split(","):
        torch.manual_seed(0)
        model = getattr(torchvision.models, name)().eval()
        x = torch.randn(1, 3, 224, 224)
        t_ours, a = median_time(lambda: dnnroof.analyze(model, example_inputs=(x,)), args.repeats)
        # The export alone, and import + analysis of its bytes alone.
        from dnnroof._api import _export_onnx

        t_export, data = median_time(lambda: _export_onnx(model, (x,)), args.repeats)
        t_import, _ = median_time(lambda: dnnroof.analyze(data), args.repeats)
        print("%-14s %-8s %10.4f %8s %14.4g %12.0f" % (name, "dnnroof", t_ours, "1", a.macs, a.params))
        print("%-14s %-8s %10.4f %8s   (torch.onnx.export)" % (name, " export", t_export, ""))
        print("%-14s %-8s %10.4f %8s   (C++ import + cost model)" % (name, " analyze", t_import, ""))
        found = tools(model, x)
        for tool in ("thop", "fvcore", "ptflops"):
            if tool not in found:
                print("%-14s %-8s %10s   not installed" % (name, tool, "-"))
                continue
            t, (macs, params) = median_time(found[tool], args.repeats)
            print("%-14s %-8s %10.4f %8.2f %14.4g %12.0f"
                  % (name, tool, t, t / t_ours, macs, params))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
