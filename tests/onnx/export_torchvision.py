"""Exports torchvision models to ONNX for tests/onnx and bench/onnx.

usage: export_torchvision.py OUT_DIR MODEL [MODEL...] [--opset N] [--batch N] [--fold]
Models are built untrained (no download), in eval mode, exported with
BatchNorm kept (training=PRESERVE), without constant folding unless --fold
(torch's default: shape computations become constants such as a Reshape
to [1, 512], which fixes the batch).
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
args = parser.parse_args()
for name in args.models:
    model = getattr(torchvision.models, name)()
    model.eval()
    size = 299 if name == "inception_v3" else 224
    x = torch.randn(args.batch, 3, size, size)
    torch.onnx.export(model, x, os.path.join(args.out_dir, name + ".onnx"),
                      training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=args.fold, opset_version=args.opset)
