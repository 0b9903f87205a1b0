"""The engine benchmarks of bench_engine.c, in PyTorch, for the ratio.

Run with Debian's /usr/bin/python3 (python3-torch). Pinned to one thread,
timed inside the process (import torch alone costs over a second). Prints
"engine <what> torch <ms>" lines matching bench_engine.c.
"""
import math
import statistics
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
T_SRC = T_DEC = 32


def ms(fn, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def sinusoid(T, d):
    pos = torch.arange(T).unsqueeze(1).float()
    i = torch.arange(d)
    angle = pos / torch.pow(10000.0, (i - i % 2).float() / d)
    return torch.where(i % 2 == 0, torch.sin(angle), torch.cos(angle))


def bench_transformer(label, d, heads, layers, ff, V, reps):
    model = nn.Transformer(d, heads, layers, layers, ff, dropout=0.0, batch_first=True).eval()
    src_emb, tgt_emb, gen = nn.Embedding(V, d), nn.Embedding(V, d), nn.Linear(d, V)
    pe = sinusoid(64, d)
    src = torch.tensor([[(i * 7919) % V for i in range(T_SRC)]])
    scale = math.sqrt(d)
    with torch.no_grad():
        x = src_emb(src) * scale + pe[:T_SRC]
        enc = ms(lambda: model.encoder(x), reps)
        memory = model.encoder(x)

        def decode():
            ys = [0]
            for t in range(T_DEC):
                tgt = tgt_emb(torch.tensor([ys])) * scale + pe[: len(ys)]
                mask = model.generate_square_subsequent_mask(len(ys))
                out = model.decoder(tgt, memory, tgt_mask=mask)
                ys.append(int(gen(out[:, -1]).argmax()))

        dec = ms(decode, reps)
    print(f"engine {label}.encode32 torch {enc:.3f} ms", flush=True)
    print(f"engine {label}.decode32 torch {dec:.3f} ms", flush=True)


def bench_lstm(reps):
    V, E, H = 8000, 512, 512
    emb_s, emb_t = nn.Embedding(V, E), nn.Embedding(V, E)
    enc_rnn = nn.LSTM(E, H, 2, batch_first=True)
    dec_rnn = nn.LSTM(E + H, H, 2, batch_first=True)
    wq, wk, wv = nn.Linear(H, H, bias=False), nn.Linear(H, H, bias=False), nn.Linear(H, 1, bias=False)
    out = nn.Linear(H, V)
    src = torch.tensor([[(i * 7919) % V for i in range(T_SRC)]])
    with torch.no_grad():
        enc = ms(lambda: enc_rnn(emb_s(src)), reps)
        keys, state = enc_rnn(emb_s(src))
        kproj = wk(keys)

        def decode():
            h, c = state
            tok = 0
            for t in range(T_DEC):
                q = h[-1]
                score = wv(torch.tanh(wq(q).unsqueeze(1) + kproj)).squeeze(-1)
                ctx = torch.bmm(torch.softmax(score, -1).unsqueeze(1), keys)
                x = torch.cat([emb_t(torch.tensor([[tok]])), ctx], -1)
                y, (h, c) = dec_rnn(x, (h, c))
                tok = int(out(y[:, -1]).argmax())

        dec = ms(decode, reps)
    print(f"engine lstm512x2.encode32 torch {enc:.3f} ms", flush=True)
    print(f"engine lstm512x2.decode32 torch {dec:.3f} ms", flush=True)


bench_transformer("base", 512, 8, 6, 2048, 8000, 9)
bench_transformer("tiny", 32, 2, 2, 64, 300, 31)
bench_lstm(9)
