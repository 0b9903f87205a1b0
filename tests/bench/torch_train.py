#!/usr/bin/python3
"""PyTorch reference for tests/bench/bench_train.c: trains the same
architectures and sizes (models/<name>/train.json) with the same batch size
and optimiser on the same corpus, one thread, and prints
    train <model> torch <target tokens/s>
timed inside the process (after a few warm-up steps, which are not counted).
Run with /usr/bin/python3 from the repository root; BENCH_STEPS overrides the
number of timed steps."""
import json
import math
import os
import random
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(1)
random.seed(1)

PAD, UNK, BOS, EOS = 0, 1, 2, 3
CORPUS = "models/corpus/en-zh/train.tsv"


def load_pairs(path):
    src, tgt = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            a, b = line.rstrip("\n").split("\t")
            src.append(a.lower().split())      # word level, as src.vocab
            tgt.append([c for c in b if not c.isspace()])  # characters, as tgt.vocab
    return src, tgt


def build_vocab(seqs):
    itos = ["<pad>", "<unk>", "<bos>", "<eos>"]
    seen = {}
    for s in seqs:
        for t in s:
            seen[t] = seen.get(t, 0) + 1
    itos += sorted(seen, key=lambda t: (-seen[t], t))
    return {t: i for i, t in enumerate(itos)}


def sinusoid(n, d):
    pos = torch.arange(n, dtype=torch.float32).unsqueeze(1)
    div = torch.pow(10000.0, torch.arange(0, d, 2, dtype=torch.float32) / d)
    pe = torch.zeros(n, d)
    pe[:, 0::2] = torch.sin(pos / div)
    pe[:, 1::2] = torch.cos(pos / div)
    return pe


class TinyTransformer(nn.Module):
    def __init__(self, cfg, vs, vt):
        super().__init__()
        d = cfg["d_model"]
        self.d = d
        self.src_embed = nn.Embedding(vs, d)
        self.tgt_embed = nn.Embedding(vt, d)
        self.transformer = nn.Transformer(
            d_model=d, nhead=cfg["nhead"], num_encoder_layers=cfg["num_encoder_layers"],
            num_decoder_layers=cfg["num_decoder_layers"], dim_feedforward=cfg["dim_feedforward"],
            dropout=0.0, batch_first=True, norm_first=cfg.get("norm_first", False))
        self.generator = nn.Linear(d, vt)
        self.register_buffer("pe", sinusoid(cfg.get("max_len", 64), d))

    def forward(self, src, tgt_in):
        s = self.src_embed(src) * math.sqrt(self.d) + self.pe[: src.size(1)]
        t = self.tgt_embed(tgt_in) * math.sqrt(self.d) + self.pe[: tgt_in.size(1)]
        causal = self.transformer.generate_square_subsequent_mask(tgt_in.size(1))
        out = self.transformer(s, t, tgt_mask=causal, src_key_padding_mask=src == PAD,
                               tgt_key_padding_mask=tgt_in == PAD,
                               memory_key_padding_mask=src == PAD)
        return self.generator(out)


class LstmAttn(nn.Module):
    """Encoder LSTM; decoder LSTM cell fed [embedding; context], additive
    attention queried by the previous decoder state (as seqstep's rnn_seq2seq)."""

    def __init__(self, cfg, vs, vt):
        super().__init__()
        E, H = cfg["embed_dim"], cfg["hidden_size"]
        A = cfg.get("attention_dim", H)
        self.enc_embed = nn.Embedding(vs, E)
        self.dec_embed = nn.Embedding(vt, E)
        self.encoder = nn.LSTM(E, H, batch_first=True)
        self.cell = nn.LSTMCell(E + H, H)
        self.W_q = nn.Linear(H, A, bias=False)
        self.W_k = nn.Linear(H, A, bias=False)
        self.w_v = nn.Linear(A, 1, bias=False)
        self.out = nn.Linear(H, vt)

    def forward(self, src, src_len, tgt_in):
        # Packing gives each sentence its own final state, as one-pair-at-a-time does.
        emb = self.enc_embed(src)
        packed = nn.utils.rnn.pack_padded_sequence(emb, src_len, batch_first=True,
                                                   enforce_sorted=False)
        enc, (h, c) = self.encoder(packed)
        enc, _ = nn.utils.rnn.pad_packed_sequence(enc, batch_first=True)
        h, c = h[0], c[0]
        kproj = self.W_k(enc)                        # (B, S, A)
        mask = src[:, : enc.size(1)] == PAD
        temb = self.dec_embed(tgt_in)
        outs = []
        for t in range(tgt_in.size(1)):
            score = self.w_v(torch.tanh(self.W_q(h).unsqueeze(1) + kproj)).squeeze(2)
            score = score.masked_fill(mask, float("-inf"))
            w = torch.softmax(score, dim=1)
            ctx = torch.bmm(w.unsqueeze(1), enc).squeeze(1)
            h, c = self.cell(torch.cat([temb[:, t], ctx], dim=1), (h, c))
            outs.append(h)
        return self.out(torch.stack(outs, dim=1))


def batches(src, tgt, svocab, tvocab, B):
    n = len(src)
    order = list(range(n))
    while True:
        random.shuffle(order)
        for i in range(0, n - B + 1, B):
            idx = order[i: i + B]
            s = [[svocab.get(w, UNK) for w in src[k]] + [EOS] for k in idx]
            y = [[tvocab.get(w, UNK) for w in tgt[k]] for k in idx]
            S = max(map(len, s))
            T = max(len(v) for v in y) + 1
            st = torch.tensor([v + [PAD] * (S - len(v)) for v in s])
            ti = torch.tensor([[BOS] + v + [PAD] * (T - 1 - len(v)) for v in y])
            to = torch.tensor([v + [EOS] + [PAD] * (T - 1 - len(v)) for v in y])
            yield st, torch.tensor([len(v) for v in s]), ti, to, sum(len(v) + 1 for v in y)


def bench(name, steps, warm=10):
    with open(f"models/{name}/train.json") as f:
        cfg = json.load(f)
    tr = cfg.get("train", {})
    src, tgt = load_pairs(CORPUS)
    sv, tv = build_vocab(src), build_vocab(tgt)
    if cfg["architecture"] == "transformer":
        model = TinyTransformer(cfg, len(sv), len(tv))
    else:
        model = LstmAttn(cfg, len(sv), len(tv))
    Opt = torch.optim.AdamW if tr.get("optimizer", "adamw") == "adamw" else torch.optim.Adam
    opt = Opt(model.parameters(), lr=tr.get("lr", 1e-3),
              betas=(tr.get("beta1", 0.9), tr.get("beta2", 0.98)), eps=tr.get("eps", 1e-9),
              weight_decay=tr.get("weight_decay", 0.0))
    clip = tr.get("clip", 1.0)
    ls = tr.get("label_smoothing", 0.0)
    gen = batches(src, tgt, sv, tv, tr.get("batch_size", 32))
    model.train()
    tokens, t0 = 0, None
    for step in range(warm + steps):
        if step == warm:
            tokens, t0 = 0, time.perf_counter()
        s, slen, ti, to, ntok = next(gen)
        if cfg["architecture"] == "transformer":
            logits = model(s, ti)
        else:
            logits = model(s, slen, ti)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), to.reshape(-1),
                               ignore_index=PAD, label_smoothing=ls)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        tokens += ntok
    dt = time.perf_counter() - t0
    print(f"train {name} torch {tokens / dt:.0f} tok/s", flush=True)


if __name__ == "__main__":
    steps = int(os.environ.get("BENCH_STEPS", "200"))
    names = sys.argv[1:] or ["en-zh-transformer", "en-zh-lstm-attn"]
    for n in names:
        bench(n, steps)
