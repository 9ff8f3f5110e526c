"""dnnroof: roofline analysis and benchmarking of deep neural networks.

The C++ library (the same one the ``dnnroof`` program runs) bound for Python:
static analysis of a ``torch.nn.Module``, an ONNX file or a zoo model, the
chip catalog, roofline figures, measurement through the C++ harness, and the
whole study as a report. See docs/python.md.

    import dnnroof, torchvision
    a = dnnroof.analyze(torchvision.models.resnet18(), input_size=(1, 3, 224, 224))
    a.flops, a.params, a.layers        # totals as attributes, layers as a DataFrame
"""

import os as _os

# The executor module (LibTorch) sits beside the extension in an installed
# package; it is loaded only when something is measured.
_exec_module = _os.path.join(_os.path.dirname(__file__), "libdnnroof_exec.so")
if not _os.environ.get("DNNROOF_EXEC_MODULE") and _os.path.exists(_exec_module):
    _os.environ["DNNROOF_EXEC_MODULE"] = _exec_module



def _choose_openblas_core():
    """Debian 12's OpenBLAS (0.3.21) does not know CPUs newer than itself
    (Sapphire Rapids: AMX) and falls back to its slowest kernels; the
    ``dnnroof`` program restarts itself with OPENBLAS_CORETYPE set (docs/exec.md),
    which a Python process cannot do. OpenBLAS reads the variable when it
    loads, so it is set here, before LibTorch (or numpy) loads it, on such
    CPUs only. OPENBLAS_CORETYPE already set or DNNROOF_KEEP_BLAS=1 keep
    OpenBLAS's own choice."""
    if _os.environ.get("OPENBLAS_CORETYPE") or _os.environ.get("DNNROOF_KEEP_BLAS"):
        return
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
            else:
                return
    except OSError:
        return
    if {"amx_tile", "avx512f", "avx512bw"} <= flags:
        _os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"


_choose_openblas_core()

from . import _dnnroof  # noqa: E402
from ._dnnroof import Error  # noqa: E402
from ._api import (  # noqa: E402
    Analysis,
    ChipInfo,
    Roofline,
    analyze,
    bench,
    chip,
    chips,
    models,
    profile,
    report,
    roofline,
)

__version__ = _dnnroof.__version__

__all__ = [
    "Analysis",
    "ChipInfo",
    "Error",
    "Roofline",
    "analyze",
    "bench",
    "chip",
    "chips",
    "models",
    "profile",
    "report",
    "roofline",
]
