"""Exports torchvision models to ONNX for tests/onnx and bench/onnx.

usage: export_torchvision.py OUT_DIR MODEL [MODEL...] [--opset N] [--batch N] [--fold]
                              [--dynamic-batch]
Models are built untrained (no download), in eval mode, exported with
BatchNorm kept (training=PRESERVE), without constant folding unless --fold
(torch's default: shape computations become constants such as a Reshape
to [1, 512], which fixes the batch). --dynamic-batch makes dim 0 of the
input and the output symbolic ("batch"), so the exporter writes the shape
arithmetic that carries it.

Every parameter and buffer gets seeded noise (1e-3) first: an untrained
model has many equal tensors (BatchNorm's ones and zeros), which torch's
exporter de-duplicates into one initializer shared through Identity nodes,
and the file would then hold fewer tensors than the model.
"""
import argparse
import os
import warnings

warnings.filterwarnings("ignore")
import torch  # noqa: E402
import torchvision  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("out_dir")
parser.add_argument("models", nargs="+")
parser.add_argument("--opset", type=int, default=13)
parser.add_argument("--batch", type=int, default=1)
parser.add_argument("--fold", action="store_true")
parser.add_argument("--dynamic-batch", action="store_true")
args = parser.parse_args()
generator = torch.Generator().manual_seed(0)
for name in args.models:
    model = getattr(torchvision.models, name)()
    model.eval()
    with torch.no_grad():
        for t in list(model.parameters()) + list(model.buffers()):
            if t.is_floating_point():
                t.add_(torch.randn(t.shape, generator=generator) * 1e-3)
    size = 299 if name == "inception_v3" else 224
    x = torch.randn(args.batch, 3, size, size)
    dynamic = {"input": {0: "batch"}, "output": {0: "batch"}} if args.dynamic_batch else None
    torch.onnx.export(model, x, os.path.join(args.out_dir, name + ".onnx"),
                      training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=args.fold, opset_version=args.opset,
                      input_names=["input"], output_names=["output"], dynamic_axes=dynamic)
