"""Reference outputs from torchvision for tests/exec (run by /usr/bin/python3).

usage: torchvision_ref.py OUT_DIR MODEL SIZE
Builds MODEL untrained (no download) with seeded random weights and
BatchNorm running statistics moved away from 0/1 (so eval semantics
matter), in eval mode; exports it to OUT_DIR/model.onnx (BatchNorm kept:
training=PRESERVE, do_constant_folding=False) and writes a seeded input and
torchvision's output for it as OUT_DIR/input_0.pb and OUT_DIR/output_0.pb
(onnx.TensorProto, encoded here: the onnx Python package is not needed).
"""
import os
import struct
import sys
import warnings

warnings.filterwarnings("ignore")
import torch  # noqa: E402
import torchvision  # noqa: E402


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def tensor_proto(name, t):
    t = t.detach().contiguous().to(torch.float32)
    msg = bytearray()
    for d in t.shape:
        msg += varint(1 << 3 | 0) + varint(d)  # dims
    msg += varint(2 << 3 | 0) + varint(1)  # data_type FLOAT
    raw = struct.pack("<%df" % t.numel(), *t.flatten().tolist())
    nb = name.encode()
    msg += varint(8 << 3 | 2) + varint(len(nb)) + nb  # name
    msg += varint(9 << 3 | 2) + varint(len(raw)) + raw  # raw_data
    return bytes(msg)


out_dir, name, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
torch.manual_seed(0)
model = getattr(torchvision.models, name)()
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.1, 0.1)
model.eval()
x = torch.randn(1, 3, size, size)
with torch.no_grad():
    y = model(x)
torch.onnx.export(model, x, os.path.join(out_dir, "model.onnx"), input_names=["x"],
                  output_names=["y"], training=torch.onnx.TrainingMode.PRESERVE,
                  do_constant_folding=False, opset_version=13)
with open(os.path.join(out_dir, "input_0.pb"), "wb") as f:
    f.write(tensor_proto("x", x))
with open(os.path.join(out_dir, "output_0.pb"), "wb") as f:
    f.write(tensor_proto("y", y))
