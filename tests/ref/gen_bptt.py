#!/usr/bin/python3
"""PyTorch references for the BPTT lab (engine/bptt.h), in tests/ref/bptt/.

Run from the repository root with Debian's python3 (python3-torch):

    /usr/bin/python3 tests/ref/gen_bptt.py

Each case takes a shipped lab model (models/recall-rnn, models/recall-lstm),
optionally with the encoder's W_hh rescaled to a spectral radius, and one
sequence of models/corpus/recall/test.tsv, teacher-forced. In float64 from
the float32 weights it unrolls the encoder step by step (asserted equal to
the real nn.RNN / nn.LSTM), runs the decoder through the real modules, and
gets from autograd: the gradient of the mean cross-entropy reaching every
encoder state (h_t, and c_t for the LSTM: what c_t hands on to the next step
and the decoder, h_t held fixed, the state's own component), the global norm of the
parameter gradient, and each step's Jacobian d s_t / d s_{t-1}
(torch.autograd.functional.jacobian) with its spectral norm
(torch.linalg.matrix_norm, ord 2). It writes, under the trace names the
engine uses:

    grad.enc.l0.h, grad.enc.l0.c, grad.enc.l0.state, grad.enc.l0.ratio, grad.enc.l0.decades,
    grad.enc.l0.jac, grad.enc.l0.jacprod, grad.enc.l0.bound, grad.enc.l0.fprod,
    enc.l0.radius, grad.norm

to bptt/CASE/expected.safetensors, and the model folder, radius, source and
target to bptt/CASE/input.txt. Deterministic: one thread, no randomness.
Retraining the lab models means running this again.
"""

import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import gen_fixtures as G  # noqa: E402  (its Seq2Seq, cell_step and writer)

OUT = os.path.join(HERE, "bptt")
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

# (case, model, test.tsv line (1-based), radius or None)
CASES = [
    ("recall-rnn", "models/recall-rnn", 53, None),
    ("recall-lstm", "models/recall-lstm", 53, None),
    ("recall-rnn-r0.5", "models/recall-rnn", 21, 0.5),
    ("recall-rnn-r6", "models/recall-rnn", 171, 6.0),
]


def read_vocab(path):
    with open(path) as f:
        return [line.rstrip("\n") for line in f]


def load(model_dir):
    d = os.path.join(ROOT, model_dir)
    with open(os.path.join(d, "config.json")) as f:
        c = json.load(f)
    c.setdefault("num_layers", 1)
    src_v = read_vocab(os.path.join(d, "src.vocab"))
    tgt_v = read_vocab(os.path.join(d, "tgt.vocab"))
    w = G.read_safetensors(os.path.join(d, "model.safetensors"))
    m = G.Seq2Seq(c, len(src_v), len(tgt_v))
    m.load_state_dict({k: torch.from_numpy(v) for k, v in w.items()})
    return c, src_v, tgt_v, m


def radius(W):
    return torch.linalg.eigvals(W).abs().max().item()


def run_case(name, model_dir, line, r):
    c, src_v, tgt_v, model = load(model_dir)
    assert c["attention"] == "none" and c["num_layers"] == 1
    cell, H = c["cell"], c["hidden_size"]
    with open(os.path.join(ROOT, "models/corpus/recall/test.tsv")) as f:
        src_text, tgt_text = f.read().split("\n")[line - 1].split("\t")
    src = [src_v.index(t) for t in src_text.split()] + [3]
    tgt_in = [2] + [tgt_v.index(t) for t in tgt_text.split()]
    tgt_out = tgt_in[1:] + [3]
    enc = model.encoder
    if r is not None:
        # As the engine does it: k in double, the product in float32.
        W32 = enc.rnn.weight_hh_l0.detach().numpy()
        k = np.float32(r / radius(torch.from_numpy(W32).double()))
        with torch.no_grad():
            enc.rnn.weight_hh_l0.copy_(torch.from_numpy(W32 * k))
    model = model.double()
    enc = model.encoder
    params = dict(model.named_parameters())
    W_ih, W_hh, b_ih, b_hh = G.rnn_params(enc.rnn, 0)
    x = enc.embedding.weight[torch.tensor(src)]
    Ts = len(src)

    # The encoder by hand, every state kept for its gradient.
    h = torch.zeros(H, dtype=torch.float64)
    cc = torch.zeros(H, dtype=torch.float64) if cell == "lstm" else None
    hs, cs, fs, prev = [], [], [], []
    for t in range(Ts):
        prev.append((h, cc))
        gates, h, cc = G.cell_step(cell, W_ih, W_hh, b_ih, b_hh, x[t], h, cc)
        h.retain_grad()
        hs.append(h)
        if cell == "lstm":
            # The state's c component: what c_t passes on (the next step, the
            # decoder) with h_t held fixed, so a node of its own.
            cc = cc.clone()
            cc.retain_grad()
            cs.append(cc)
            fs.append(gates["f"])
    ref_out, _ = enc.rnn(x[None])
    G.close(torch.stack(hs), ref_out[0], name + ": encoder states")

    # The decoder through the real module, from the encoder's final state.
    dec = model.decoder
    state = (hs[-1][None, None], cs[-1][None, None]) if cell == "lstm" else hs[-1][None, None]
    emb = dec.embedding.weight[torch.tensor(tgt_in)]
    logits = []
    for t in range(len(tgt_in)):
        inp = torch.cat([emb[t], hs[-1]])[None, None]
        out, state = dec.rnn(inp, state)
        logits.append(dec.out(out[0, 0]))
    loss = torch.nn.functional.cross_entropy(torch.stack(logits), torch.tensor(tgt_out))
    loss.backward()
    gnorm = torch.sqrt(sum((p.grad ** 2).sum() for p in params.values()))

    exp = {}
    gh = torch.stack([v.grad for v in hs])
    exp["grad.enc.l0.h"] = gh.norm(dim=1)
    state_n = gh.norm(dim=1)
    if cell == "lstm":
        gc = torch.stack([v.grad for v in cs])
        exp["grad.enc.l0.c"] = gc.norm(dim=1)
        state_n = torch.sqrt(state_n ** 2 + gc.norm(dim=1) ** 2)
        exp["grad.enc.l0.state"] = state_n
        f = torch.stack(fs).detach()  # (T, H)
        fprod = []
        for t in range(Ts):
            p = torch.ones(H, dtype=torch.float64)
            for s in range(t + 1, Ts):
                p = p * f[s]
            fprod.append(p.max())
        exp["grad.enc.l0.fprod"] = torch.stack(fprod)
    exp["grad.enc.l0.ratio"] = state_n / state_n[-1]
    exp["grad.enc.l0.decades"] = torch.log10(exp["grad.enc.l0.ratio"])

    # Each step's Jacobian d s_t / d s_{t-1}, s = h or (h, c).
    Wd = [v.detach() for v in (W_ih, W_hh, b_ih, b_hh)]
    jac = []
    for t in range(Ts):
        hp, cp = prev[t]
        xt = x[t].detach()
        if cell == "lstm":
            def step(s, xt=xt):
                _, h2, c2 = G.cell_step(cell, *Wd, xt, s[:H], s[H:])
                return torch.cat([h2, c2])
            s0 = torch.cat([hp.detach(), cp.detach()])
        else:
            def step(s, xt=xt):
                return G.cell_step(cell, *Wd, xt, s, None)[1]
            s0 = hp.detach()
        J = torch.autograd.functional.jacobian(step, s0)
        jac.append(torch.linalg.matrix_norm(J, 2))
    jac = torch.stack(jac)
    prod = torch.ones(Ts, dtype=torch.float64)
    for t in range(Ts - 2, -1, -1):
        prod[t] = prod[t + 1] * jac[t + 1]
    exp["grad.enc.l0.jac"] = jac
    exp["grad.enc.l0.jacprod"] = prod
    exp["grad.enc.l0.bound"] = state_n[-1] * prod
    if cell == "rnn":
        exp["enc.l0.radius"] = torch.tensor([radius(W_hh.detach())], dtype=torch.float64)
    exp["grad.norm"] = gnorm.reshape(1)
    exp["loss"] = loss.reshape(1)

    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    G.write_safetensors(os.path.join(d, "expected.safetensors"),
                        {k: G.as2d(v) for k, v in exp.items()})
    with open(os.path.join(d, "input.txt"), "w") as f:
        f.write("%s\n%s\n%s\n%s\n" % (model_dir, "%g" % r if r else "trained", src_text, tgt_text))
    ratio = exp["grad.enc.l0.ratio"]
    far = ratio[Ts - 1 - 50].item() if Ts > 50 else float("nan")
    print("%-18s T %3d  loss %.4f  ratio at distance 50 %.3g  |grad| %.3g" %
          (name, Ts, loss.item(), far, gnorm.item()))


def main():
    for case in CASES:
        run_case(*case)


if __name__ == "__main__":
    main()
