"""Exports a small masked-attention module (GPT-2's pattern: a causal mask
buffer sliced to the sequence length, torch.where on the scores, comparisons
and float casts on run-time tensors) for tests/onnx.

usage: export_masked_attention.py OUT.onnx OPSET
"""
import sys
import warnings

warnings.filterwarnings("ignore")
import torch  # noqa: E402


class MaskedScores(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("bias", torch.tril(torch.ones(8, 8)).view(1, 1, 8, 8))
        self.q = torch.nn.Linear(16, 16)
    def forward(self, x):
        a = (self.q(x) @ x.transpose(-1, -2)).unsqueeze(1)
        mask = self.bias[:, :, : x.size(1), : x.size(1)]
        a = torch.where(mask.bool(), a, torch.tensor(-1e4))
        keep = (a > 0).float() * (a == a).float()
        return torch.softmax(a, -1) * keep + torch.exp(-torch.abs(a)).pow(2).clamp(max=1e3)


torch.onnx.export(MaskedScores().eval(), torch.randn(2, 8, 16), sys.argv[1],
                  opset_version=int(sys.argv[2]), do_constant_folding=False)
