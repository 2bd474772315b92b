"""PyTorch side of `npm run bench:finetune` (bench/finetune.ts starts it, once per mode).

The GPT of bench/train_pytorch.py (the same model as Attune's) in one of three fine-tuning modes:
full (every weight trains), lora (r=8, alpha 16 adapters on query and value, written out by hand
as PEFT's LoRA Linear computes them: x W^T + b + (x A^T B^T) * alpha / r, the base frozen) or
freeze (the last block and the final norm train). AdamW over the trained weights, the global
gradient norm each step (as Attune's trainer), one thread.

Usage: finetune_pytorch.py CONFIG_JSON TOKENS_FILE. CONFIG_JSON holds the model's shape, batchSize,
learningRate, steps, seed and mode. Trains one warm-up step and `steps` timed ones, then prints one
JSON line: {"ms": [duration of each timed step], "peakMb": peak resident set size}.
"""

import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_pytorch import GPT  # noqa: E402


class LoraLinear(nn.Module):
    def __init__(self, base, rank, alpha):
        super().__init__()
        self.base = base
        self.lora_A = nn.Linear(base.in_features, rank, bias=False)
        self.lora_B = nn.Linear(rank, base.out_features, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.scaling = alpha / rank

    def forward(self, x):
        return self.base(x) + self.lora_B(self.lora_A(x)) * self.scaling


def prepare(model, mode):
    if mode == "full":
        return
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    if mode == "lora":
        for block in model.blocks:
            block.query = LoraLinear(block.query, 8, 16)
            block.value = LoraLinear(block.value, 8, 16)
    elif mode == "freeze":
        for parameter in [*model.blocks[-1].parameters(), *model.final_norm.parameters()]:
            parameter.requires_grad_(True)
    else:
        raise ValueError(f"unknown mode {mode!r}")


def main():
    torch.set_num_threads(1)
    config = json.loads(sys.argv[1])
    tokens = torch.from_numpy(np.fromfile(sys.argv[2], dtype=np.int32).astype(np.int64))
    torch.manual_seed(config["seed"])
    model = GPT(config)
    prepare(model, config["mode"])
    trained = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trained, lr=config["learningRate"])
    batch, length = config["batchSize"], config["seqLen"]
    offsets = torch.arange(length + 1)

    def step():
        starts = torch.randint(0, len(tokens) - length - 1, (batch, 1))
        windows = tokens[starts + offsets]
        loss = model(windows[:, :-1], windows[:, 1:])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.linalg.vector_norm(
            torch.stack([torch.linalg.vector_norm(p.grad) for p in trained])
        ).item()
        optimizer.step()
        return loss.item()

    step()
    durations = []
    for _ in range(config["steps"]):
        started = time.perf_counter()
        step()
        durations.append((time.perf_counter() - started) * 1000)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"ms": durations, "peakMb": peak_mb}), flush=True)


if __name__ == "__main__":
    main()
