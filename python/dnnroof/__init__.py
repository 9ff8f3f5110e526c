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
