#!/usr/bin/env python3
"""Generates tests/llm/data/flop_counter_gpt2.json: what torch 2.x's
FlopCounterMode counts for one GPT-2 (124M) prefill forward, so that
src/llm's prefill FLOPs can be checked against it without running Python in
the tests (tests/llm/flop_counter_test.cc).

Run ONCE, by hand, with PyTorch 2.x and Hugging Face transformers, e.g.

  /tmp/instant-venv/bin/pip install transformers
  /tmp/instant-venv/bin/python tests/llm/gen_flop_counter_gpt2.py \
      tests/llm/data/flop_counter_gpt2.json

The model is transformers' GPT2LMHeadModel built from data/llm/gpt2.json
(random weights: they change no count) in eval mode, on the CPU, fp32. One
forward of input_ids of shape (batch, prompt) is a prefill that computes the
logits of every prompt token (what `--all-logits` models). It is counted
twice: with attn_implementation="eager" (attention as two torch.matmul, i.e.
bmm, over the full prompt x prompt score matrix: FlopCounterMode does not
know the causal mask), and with "sdpa" (scaled_dot_product_attention;
counted by FlopCounterMode's sdpa rule where the CPU kernel has one). Per
(batch, prompt) point the file records the total, the FLOPs by aten op and
by module kind (c_attn, c_proj of attention, c_fc, c_proj of the MLP,
lm_head, attention core), and the torch and transformers versions.

FlopCounterMode counts only matrix-class ops (mm, addmm, bmm, baddbmm,
convolution, the sdpa kernels) at 2 FLOPs per multiply-add; biases (addmm's
add), LayerNorm, GELU, softmax and the residual adds are not counted.
"""
import json
import sys
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

POINTS = [(1, 128), (1, 1024), (4, 256), (8, 512)]
ROOT = Path(__file__).resolve().parents[2]


def build(attn):
    from transformers import GPT2Config, GPT2LMHeadModel

    cfg = GPT2Config.from_json_file(str(ROOT / "data" / "llm" / "gpt2.json"))
    cfg._attn_implementation = attn
    torch.manual_seed(0)
    m = GPT2LMHeadModel(cfg)
    m.eval()
    return m


def module_kind(name):
    # FlopCounterMode's per-module keys: "GPT2LMHeadModel.transformer.h.3.attn.c_attn", ...
    parts = name.split(".")
    last = parts[-1]
    if last == "lm_head":
        return "lm_head"
    if len(parts) >= 2 and parts[-2] == "attn" and last in ("c_attn", "c_proj"):
        return "attn." + last
    if len(parts) >= 2 and parts[-2] == "mlp" and last in ("c_fc", "c_proj"):
        return "mlp." + last
    return None


def count(model, batch, prompt):
    ids = torch.randint(0, model.config.vocab_size, (batch, prompt))
    counter = FlopCounterMode(display=False, depth=None)
    with torch.no_grad(), counter:
        out = model(input_ids=ids, use_cache=False)
    assert out.logits.shape == (batch, prompt, model.config.vocab_size)
    total = counter.get_total_flops()
    flops = counter.get_flop_counts()
    by_op = {str(op): int(n) for op, n in flops.get("Global", {}).items()}
    by_kind = defaultdict(int)
    for name, ops in flops.items():
        kind = module_kind(name)
        if kind is not None:
            by_kind[kind] += sum(int(n) for n in ops.values())
    # The attention core: everything not in a linear layer.
    by_kind["attention_core"] = int(total) - sum(by_kind.values())
    return {"batch": batch, "prompt": prompt, "total": int(total), "by_op": by_op,
            "by_kind": dict(by_kind)}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).parent / "data" /
                                                      "flop_counter_gpt2.json")
    result = {
        "generator": "tests/llm/gen_flop_counter_gpt2.py",
        "model": "gpt2 (transformers GPT2LMHeadModel from data/llm/gpt2.json, random weights, "
                 "eval, fp32, CPU)",
        "versions": {"torch": torch.__version__, "transformers": version("transformers"),
                     "python": sys.version.split()[0]},
        "counter": "torch.utils.flop_counter.FlopCounterMode: matrix-class ops only",
        "points": {},
    }
    for attn in ("eager", "sdpa"):
        model = build(attn)
        result["points"][attn] = [count(model, b, p) for b, p in POINTS]
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
