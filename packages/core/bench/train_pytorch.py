"""PyTorch side of `npm run bench:train -- --vs-pytorch` (bench/train.ts starts it).

The same GPT and training step as Attune's trainer: token and learned position embeddings,
pre-norm blocks of causal multi-head attention and a 4x GELU (tanh) MLP, all projections with
biases, a final LayerNorm, the output head tied to the token embedding, mean cross-entropy, the
global gradient norm (Attune's trainer computes it every step), and Adam. One thread.

Usage: train_pytorch.py CONFIG_JSON TOKENS_FILE. CONFIG_JSON holds vocabSize, seqLen, layers,
dModel, heads, mlpRatio, batchSize, learningRate and seed; TOKENS_FILE the training tokens as
int32. Then each line "run N" on stdin trains N steps and answers one JSON line:
{"ms": [duration of each step], "losses": [...]}; end of input ends it.
"""

import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    def __init__(self, d_model, heads, mlp_width, seq_len):
        super().__init__()
        self.heads = heads
        self.attention_norm = nn.LayerNorm(d_model)
        self.query = nn.Linear(d_model, d_model)
        self.key = nn.Linear(d_model, d_model)
        self.value = nn.Linear(d_model, d_model)
        self.attention_output = nn.Linear(d_model, d_model)
        self.mlp_norm = nn.LayerNorm(d_model)
        self.mlp_in = nn.Linear(d_model, mlp_width)
        self.mlp_out = nn.Linear(mlp_width, d_model)
        self.register_buffer("causal", torch.tril(torch.ones(seq_len, seq_len, dtype=torch.bool)))

    def forward(self, x):
        batch, length, d_model = x.shape
        h = self.attention_norm(x)

        def split_heads(m):
            return m.view(batch, length, self.heads, d_model // self.heads).transpose(1, 2)

        q, k, v = split_heads(self.query(h)), split_heads(self.key(h)), split_heads(self.value(h))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d_model // self.heads)
        scores = scores.masked_fill(~self.causal[:length, :length], float("-inf"))
        attended = (scores.softmax(-1) @ v).transpose(1, 2).reshape(batch, length, d_model)
        x = x + self.attention_output(attended)
        return x + self.mlp_out(F.gelu(self.mlp_in(self.mlp_norm(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        d_model = config["dModel"]
        self.token_embedding = nn.Embedding(config["vocabSize"], d_model)
        self.position_embedding = nn.Embedding(config["seqLen"], d_model)
        mlp_width = round(config["mlpRatio"] * d_model)
        self.blocks = nn.ModuleList(
            Block(d_model, config["heads"], mlp_width, config["seqLen"])
            for _ in range(config["layers"])
        )
        self.final_norm = nn.LayerNorm(d_model)
        for parameter in self.parameters():
            if parameter.dim() >= 2:
                nn.init.normal_(parameter, std=0.02)

    def forward(self, inputs, targets):
        length = inputs.shape[1]
        x = self.token_embedding(inputs) + self.position_embedding.weight[:length]
        for block in self.blocks:
            x = block(x)
        logits = self.final_norm(x) @ self.token_embedding.weight.t()
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.reshape(-1))


def main():
    torch.set_num_threads(1)
    config = json.loads(sys.argv[1])
    tokens = torch.from_numpy(np.fromfile(sys.argv[2], dtype=np.int32).astype(np.int64))
    torch.manual_seed(config["seed"])
    model = GPT(config)
    optimizer = torch.optim.Adam(model.parameters(), lr=config["learningRate"])
    batch, length = config["batchSize"], config["seqLen"]
    offsets = torch.arange(length + 1)

    def step():
        starts = torch.randint(0, len(tokens) - length - 1, (batch, 1))
        windows = tokens[starts + offsets]
        loss = model(windows[:, :-1], windows[:, 1:])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.linalg.vector_norm(
            torch.stack([torch.linalg.vector_norm(p.grad) for p in model.parameters()])
        ).item()
        optimizer.step()
        return loss.item()

    for line in sys.stdin:
        command, count = line.split()
        if command != "run":
            raise ValueError(f"unknown command {command!r}: expected 'run N'")
        durations, losses = [], []
        for _ in range(int(count)):
            started = time.perf_counter()
            losses.append(step())
            durations.append((time.perf_counter() - started) * 1000)
        print(json.dumps({"ms": durations, "losses": losses}), flush=True)


if __name__ == "__main__":
    main()
