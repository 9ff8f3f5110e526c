"""The Python API over dnnroof's C++ library (the extension ``_dnnroof``).

Models are given the way notebook users hold them: a ``torch.nn.Module``
(exported to ONNX in memory and imported by the C++ importer), an ONNX file
path or its bytes, or a zoo name ("resnet18"). Results are plain attributes
and pandas DataFrames.
"""

import html
import io
import json
import os
import sys
import tempfile

from . import _dnnroof

# ---------------------------------------------------------------- models


def _is_module(model):
    try:
        import torch
    except ImportError:
        return False
    return isinstance(model, torch.nn.Module)


def _example_inputs(input_size, example_inputs):
    import torch

    if example_inputs is not None:
        if isinstance(example_inputs, torch.Tensor):
            return (example_inputs,)
        return tuple(example_inputs)
    return (torch.zeros(*input_size),)


def _module_name(model, name=None):
    return name or type(model).__name__.lower()


def _export_onnx(model, inputs, path=None, dynamic_batch=False):
    """``model`` exported to ONNX in eval mode: the bytes, or written to
    ``path`` when given. The model's training flag is kept.

    torch.onnx.export's eval-mode passes change what the model is: the
    "eval peephole" folds BatchNorm into the preceding Conv, and its
    initializer de-duplication merges parameters that merely hold equal
    values (every freshly initialised BatchNorm's ones and zeros), so the
    parameters would be miscounted. TrainingMode.PRESERVE on a model in eval
    mode skips the first; the second is limited to tensors that really are
    shared (the same storage), as torch does for a model in training mode."""
    import warnings

    import torch

    target = path if path is not None else io.BytesIO()
    names = ["input%d" % i for i in range(len(inputs))]
    dynamic_axes = {n: {0: "batch"} for n in names} if dynamic_batch else None
    was_training = model.training
    dedup = getattr(torch._C, "_jit_pass_onnx_deduplicate_initializers", None)
    try:
        model.eval()
        if dedup is not None:
            torch._C._jit_pass_onnx_deduplicate_initializers = (
                lambda graph, params, is_train: dedup(graph, params, True))
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model,
                inputs,
                target,
                input_names=names,
                dynamic_axes=dynamic_axes,
                opset_version=17,
                do_constant_folding=True,
                training=torch.onnx.TrainingMode.PRESERVE,
            )
    finally:
        if dedup is not None:
            torch._C._jit_pass_onnx_deduplicate_initializers = dedup
        model.train(was_training)
    return None if path is not None else target.getvalue()


def _source(model, input_size, example_inputs, name=None):
    """(source name, onnx bytes or None, batch, image size) for the C++ side."""
    if _is_module(model):
        inputs = _example_inputs(input_size, example_inputs)
        data = _export_onnx(model, inputs)
        return _module_name(model, name) + ".onnx", data, int(inputs[0].shape[0]), 0
    if isinstance(model, (bytes, bytearray, memoryview)):
        return (name or "model") + ".onnx", bytes(model), _batch_of(input_size, example_inputs), 0
    if isinstance(model, os.PathLike):
        model = os.fspath(model)
    if not isinstance(model, str):
        raise TypeError(
            "model must be a torch.nn.Module, an .onnx path, ONNX bytes or a zoo name, not %s"
            % type(model).__name__
        )
    image = 0
    shape = _shape_of(input_size, example_inputs)
    if not model.lower().endswith(".onnx") and shape is not None and len(shape) == 4:
        image = int(shape[-1])
    return model, None, _batch_of(input_size, example_inputs), image


def _shape_of(input_size, example_inputs):
    if example_inputs is not None:
        first = example_inputs if hasattr(example_inputs, "shape") else example_inputs[0]
        return tuple(first.shape)
    return tuple(input_size) if input_size is not None else None


def _batch_of(input_size, example_inputs):
    shape = _shape_of(input_size, example_inputs)
    return int(shape[0]) if shape else 0


# -------------------------------------------------------------- analysis

_SHOWN = [
    ("model", "model", None),
    ("batch", "batch", None),
    ("dtype", "dtype", None),
    ("convention", "convention", None),
    ("params", "parameters", ""),
    ("macs_fwd", "MACs fwd", "MAC"),
    ("flops_fwd", "FLOPs fwd", "FLOP"),
    ("flops_bwd", "FLOPs bwd", "FLOP"),
    ("activation_bytes", "activations", "B"),
    ("traffic_no_reuse_bytes", "traffic (no reuse)", "B"),
    ("traffic_compulsory_bytes", "traffic (compulsory)", "B"),
    ("intensity_no_reuse", "OI no reuse [FLOP/B]", "."),
    ("intensity_compulsory", "OI compulsory [FLOP/B]", "."),
    ("convention_macs", "convention MACs", "MAC"),
    ("convention_params", "convention params", ""),
]


def _si(value, unit):
    if unit is None or not isinstance(value, (int, float)):
        return str(value)
    if unit == ".":
        return "%.4g" % value
    for factor, prefix in ((1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return ("%.4g %s%s" % (value / factor, prefix, unit)).strip()
    return ("%.4g %s" % (value, unit)).strip()


class Analysis:
    """The static analysis of one model at one batch size: every total of
    ``dnnroof analyze`` as an attribute (``params``, ``macs_fwd``,
    ``flops_fwd``, ``flops_bwd``, ``activation_bytes``, ``intensity_no_reuse``,
    ``convention_macs``, ...; ``macs`` and ``flops`` are the forward pass's),
    ``totals`` as a dict and ``layers`` as a pandas DataFrame, one row per node.
    Counting rules: docs/cost-model.md."""

    def __init__(self, result):
        self.totals = dict(result["totals"])
        self._layer_columns = result["layers"]
        self._layers = None
        for key, value in self.totals.items():
            setattr(self, key, value)
        self.macs = self.totals["macs_fwd"]
        self.flops = self.totals["flops_fwd"]
        self.bytes = self.totals["bytes_fwd"]
        self.intensity = self.totals["intensity_no_reuse"]

    @property
    def layers(self):
        if self._layers is None:
            import pandas as pd

            self._layers = pd.DataFrame(self._layer_columns)
        return self._layers

    def __repr__(self):
        return "Analysis(%s)" % ", ".join(
            "%s=%s" % (k, _si(self.totals[k], u)) for k, _, u in _SHOWN[:8] if k in self.totals
        )

    def _repr_html_(self):
        rows = []
        for key, label, unit in _SHOWN:
            if key not in self.totals:
                continue
            if key in ("flops_bwd",) and not self.totals.get("training"):
                continue
            if key.startswith("convention_") and self.totals["convention"] == "dnnroof":
                continue
            rows.append(
                "<tr><th style='text-align:left'>%s</th><td style='text-align:right'>%s</td></tr>"
                % (html.escape(label), html.escape(_si(self.totals[key], unit)))
            )
        head = "<table><caption>dnnroof analysis: %s (%d nodes; %s)</caption>%s</table>" % (
            html.escape(str(self.totals["model"])),
            self.totals["nodes"],
            html.escape(self.totals["coverage"]),
            "".join(rows),
        )
        top = self.layers.sort_values("flops_fwd", ascending=False).head(10)
        return head + "<p>Top layers by forward FLOPs</p>" + top.to_html(index=False)


def analyze(
    model,
    input_size=(1, 3, 224, 224),
    example_inputs=None,
    training=False,
    convention="dnnroof",
    dtype="fp32",
    dims=None,
    name=None,
):
    """Static analysis of ``model``: a torch.nn.Module (exported to ONNX in
    memory at ``input_size``, or with ``example_inputs``), an ONNX path or
    bytes, or a zoo name (built at ``input_size``'s batch and image size).
    ``training`` counts the backward pass too; ``convention`` names whose
    counting rules the FLOP columns follow (dnnroof, thop, fvcore, ptflops,
    ptflops-no-functional, ptflops-aten, calflops, torch, torchinfo).
    ``name`` names a module or bytes in results (default: the module's class
    name, "model"). Raises dnnroof.Error with the C++ message (file, node,
    op) on bad input."""
    source, data, batch, image = _source(model, input_size, example_inputs, name)
    onnx_file = isinstance(model, (bytes, bytearray, memoryview)) or (
        isinstance(model, (str, os.PathLike)) and os.fspath(model).lower().endswith(".onnx"))
    if onnx_file and example_inputs is None and tuple(input_size) == (1, 3, 224, 224):
        batch = 0  # the file's own batch unless another is asked for
    return Analysis(
        _dnnroof.analyze(
            source,
            data,
            batch=batch,
            training=training,
            convention=convention,
            dtype=dtype,
            dims=dict(dims or {}),
            image_size=image,
        )
    )


def profile(model, inputs=None, convention="thop", input_size=(1, 3, 224, 224)):
    """``(macs, params)`` as the peer tool ``convention`` reports them for
    ``model`` run on ``inputs``, like ``thop.profile(model, inputs=(x,))``:
    convention="thop" gives thop's numbers, "fvcore" fvcore's
    ``FlopCountAnalysis(...).total()`` and parameter count, "ptflops"
    ptflops' ``get_model_complexity_info``. Forward pass only."""
    a = analyze(model, input_size=input_size, example_inputs=inputs, convention=convention)
    return a.convention_macs, a.convention_params


def models():
    """The names of the built-in zoo models."""
    return list(_dnnroof.zoo_models())


# ----------------------------------------------------------------- chips


def chips(kind=None, precision="fp32", catalog=None):
    """The chip catalog as a DataFrame (``dnnroof chips``): id, name, kind,
    vendor, year, peak at ``precision`` [FLOP/s], main-memory bandwidth [B/s]
    and ridge point [FLOP/B]. ``kind``: cpu, gpu, asic or soc."""
    import pandas as pd

    rows = _dnnroof.chips(kind=kind, precision=precision, catalog=list(catalog or []))
    return pd.DataFrame(
        rows,
        columns=[
            "id",
            "name",
            "kind",
            "vendor",
            "year",
            "peak_flops",
            "bandwidth_bytes_per_s",
            "ridge_flop_per_byte",
        ],
    )


class ChipInfo:
    """One chip with every figure and its source or derivation
    (``dnnroof chips show ID``): attributes id, name, kind, vendor, year,
    source, defined_in, notes; ``figures`` a DataFrame (figure, value, unit,
    source); ``figure(name)`` one value."""

    def __init__(self, d):
        import pandas as pd

        for key in ("id", "name", "kind", "vendor", "year", "source", "defined_in", "notes"):
            setattr(self, key, d[key])
        self.figures = pd.DataFrame(d["figures"], columns=["figure", "value", "unit", "source"])

    def figure(self, name):
        hit = self.figures[self.figures["figure"] == name]
        if hit.empty:
            raise KeyError("%s has no figure '%s' (it has: %s)"
                           % (self.id, name, ", ".join(self.figures["figure"])))
        return hit["value"].iloc[0]

    def __repr__(self):
        return "ChipInfo(%s: %s, %d figures)" % (self.id, self.name, len(self.figures))

    def _repr_html_(self):
        return "<p><b>%s</b> (%s, %s %s)</p>%s" % (
            html.escape(self.name),
            html.escape(self.id),
            html.escape(self.vendor),
            self.year,
            self.figures.to_html(index=False),
        )


def chip(id, catalog=None):
    """Every figure of chip ``id`` with its source or derivation."""
    return ChipInfo(_dnnroof.chip(id, catalog=list(catalog or [])))


# -------------------------------------------------------------- roofline


class Roofline:
    """A roofline figure: shown inline in Jupyter (SVG); ``save(path)``
    writes it as .svg, .png or .pdf. ``points`` holds each model's
    intensity."""

    def __init__(self, chips, precision, points, title):
        self.chips = list(chips)
        self.precision = precision
        self.points = list(points)
        self.title = title or ""
        self._svg = None

    @property
    def svg(self):
        if self._svg is None:
            self._svg = _dnnroof.roofline(self.chips, self.precision, self.points, self.title)
        return self._svg

    def _repr_svg_(self):
        return self.svg

    def save(self, path):
        path = os.fspath(path)
        _dnnroof.roofline(self.chips, self.precision, self.points, self.title, path)
        return path


def roofline(chips, models=(), batch=1, precision="fp32", training=False,
             traffic="no-reuse", title=None, input_size=None):
    """The rooflines of ``chips`` (catalog ids or "host") at ``precision``,
    one continuous line per chip, with each model of ``models`` (zoo names,
    .onnx paths, torch.nn.Modules or Analysis objects) placed on each roof at
    its operational intensity (``traffic``: "no-reuse" or "compulsory")."""
    if isinstance(chips, str):
        chips = [chips]
    if traffic not in ("no-reuse", "compulsory"):
        raise ValueError("traffic must be 'no-reuse' or 'compulsory', not %r" % (traffic,))
    points = []
    for m in models if not isinstance(models, (str, bytes)) else [models]:
        if isinstance(m, Analysis):
            a = m
        else:
            size = input_size or (batch, 3, 224, 224)
            a = analyze(m, input_size=size, training=training, dtype=precision)
        oi = a.intensity_no_reuse if traffic == "no-reuse" else a.intensity_compulsory
        points.append(("%s b%d" % (a.model, a.batch), oi))
    return Roofline(chips, precision, points, title)


# ----------------------------------------------------------------- bench


def _flatten(record):
    row = {
        "model": record["model"],
        "batch": record["batch"],
        "mode": record["mode"],
        "device": record["device"],
        "dtype": record["dtype"],
        "threads": record.get("threads"),
        "status": record["status"],
        "status_reason": record.get("status_reason", ""),
    }
    timings = record.get("timings", {})
    head = "step" if "step" in timings else ("forward" if "forward" in timings else None)
    if head:
        t = timings[head]
        row.update(
            latency_s=t["median_s"],
            throughput_per_s=record["batch"] / t["median_s"] if t["median_s"] > 0 else None,
            n=t["n"],
            ci_low_s=t["ci_low_s"],
            ci_high_s=t["ci_high_s"],
            converged=t["converged"],
        )
    for phase, t in timings.items():
        row["%s_median_s" % phase] = t["median_s"]
    cost = record.get("cost") or {}
    for key in ("forward_flops", "backward_flops", "forward_bytes", "backward_bytes"):
        if key in cost:
            row[key] = cost[key]
    if head and cost and timings[head]["median_s"] > 0:
        flops = cost.get("forward_flops", 0)
        if head == "step":
            flops += cost.get("backward_flops", 0)
        row["achieved_flops_per_s"] = flops / timings[head]["median_s"]
    return row


def _records_frame(records, interrupted):
    import pandas as pd

    df = pd.DataFrame([_flatten(r) for r in records])
    df.attrs["interrupted"] = interrupted
    df.attrs["records"] = records
    return df


def bench(model, batch=(1,), mode="infer", dtype="fp32", device="cpu", threads=0, budget=10.0,
          target=0.02, layers=False, out=None, input_size=None, example_inputs=None,
          progress=True, name=None):
    """Measures ``model`` (or a list of models: zoo names, .onnx paths,
    torch.nn.Modules) at each batch size and mode ("infer", "train", or a
    list) with the C++ harness (warm-up, then sampling until the median's 95%
    interval is within ``target`` or ``budget`` seconds end), through the
    LibTorch executor module as ``dnnroof bench``. Returns a DataFrame, one
    row per configuration (latency = median of the step, or of the forward
    pass for inference). Progress lines go to stderr (shown in a notebook),
    or to ``progress`` when it is a callable.
    The GIL is released while measuring; Ctrl-C (a notebook's interrupt)
    stops the sweep and returns what finished, with
    ``df.attrs["interrupted"] = True``. ``name`` names a module in the
    results (default: its class name). ``out``: a results file
    (docs/results-schema.md) each finished configuration is appended to."""
    if not _dnnroof.has_executor:
        raise RuntimeError("dnnroof.bench needs the LibTorch executor, which this build of dnnroof "
                           "lacks (install libtorch-dev, configure with -DDNNROOF_WITH_TORCH=ON "
                           "and rebuild)")
    models_in = model if isinstance(model, (list, tuple)) else [model]
    batches = [batch] if isinstance(batch, int) else list(batch)
    modes = [mode] if isinstance(mode, str) else list(mode)
    with tempfile.TemporaryDirectory(prefix="dnnroof-bench-") as tmp:
        sources = []
        for m in models_in:
            if _is_module(m):
                inputs = _example_inputs(input_size or (1, 3, 224, 224), example_inputs)
                path = os.path.join(tmp, _module_name(m, name) + ".onnx")
                _export_onnx(m, inputs, path=path, dynamic_batch=True)
                sources.append(path)
            elif isinstance(m, (bytes, bytearray)):
                path = os.path.join(tmp, "model%d.onnx" % len(sources))
                with open(path, "wb") as f:
                    f.write(bytes(m))
                sources.append(path)
            else:
                sources.append(os.fspath(m))

        def show(line):
            if callable(progress):
                progress(line)
            elif progress:
                print("dnnroof bench: " + line, file=sys.stderr, flush=True)

        text, interrupted = _dnnroof.bench(
            sources, batches, modes, dtype, device, int(threads), float(budget), float(target),
            bool(layers), os.fspath(out) if out else "", show, None)
    if interrupted:
        show("interrupted: the configurations finished so far are kept")
    df = _records_frame(json.loads(text)["records"], interrupted)
    if out:
        df.attrs["results_file"] = os.fspath(out)
    return df


# ---------------------------------------------------------------- report


def report(out="study", models=("resnet18", "mobilenet_v2"), batch=(1, 8), mode=("infer",),
           results=None, chips=(), title="dnnroof study", measure=True, budget=2.0,
           include_host=True, figures=True, precision="fp32", progress=True):
    """The whole study as a folder ``out`` (index.html, report.md, figures/,
    data/), as ``dnnroof report`` writes it. With ``results`` (results files,
    or DataFrames returned by bench(..., out=FILE)) the measured sections come
    from them; else, with ``measure``, the models are measured here first
    (bench into ``out/data/results.json``). Returns the index.html path."""
    files = []
    if results is None:
        given = []
    elif isinstance(results, (str, os.PathLike)) or hasattr(results, "attrs"):
        given = [results]
    else:
        given = list(results)
    for r in given:
        if hasattr(r, "attrs") and "results_file" in getattr(r, "attrs", {}):
            files.append(r.attrs["results_file"])
        else:
            files.append(os.fspath(r))
    model_list = [models] if isinstance(models, str) else list(models)
    batches = [batch] if isinstance(batch, int) else list(batch)
    if not files and measure:
        os.makedirs(os.path.join(out, "data"), exist_ok=True)
        path = os.path.join(out, "data", "results.json")
        if os.path.exists(path):
            os.remove(path)
        bench(model_list, batch=batches, mode=list(mode) if not isinstance(mode, str) else mode,
              budget=budget, out=path, progress=progress)
        files = [path]

    def show(line):
        if progress:
            print("dnnroof report: " + line, file=sys.stderr, flush=True)

    written, notes = _dnnroof.report(
        os.fspath(out), model_list, batches, files, list(chips), title, include_host, figures,
        precision, [], show)
    for n in notes:
        show("note: " + n)
    return os.path.join(os.fspath(out), "index.html")
