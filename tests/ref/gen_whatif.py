#!/usr/bin/python3
"""Generates the PyTorch references of the what-if switches in tests/ref/whatif/.

Run from anywhere with Debian's python3 (python3-torch):

    /usr/bin/python3 tests/ref/gen_whatif.py

Each case takes a fixture model of tests/ref/fixtures/ (written by
gen_fixtures.py), turns switches on, and computes the teacher-forced trace by
hand in float64 with gen_fixtures.py's own code (tf_trace, rnn_trace), with
the switch applied:

    scale-off      scores = q_h k_hᵀ, no 1/√d_k
    mask-off       the decoder's self-attention without the causal mask
    positions-off  embeddings × scale, no positional encoding
    heads-off      heads zeroed before W_o (encoder self, decoder self, cross)
    temperature    probs = softmax(logits / T)

Every manual result is ASSERTED equal to what the real torch.nn modules
compute with the switch expressed in their own terms: nn.Transformer with no
tgt_mask; nn.Transformer fed the embeddings without positions; for scale off,
a copy whose W_q rows and b_q are multiplied by √d_k (so the module's
q·k/√d_k is the unscaled q·k); for a zeroed head, a copy whose out_proj
columns of that head are zero; for temperature, the module's logits / T;
for a recurrent scaled-dot model with scale off, the same model as plain dot
attention. The switches themselves are stored in expected.safetensors
(switch.*), so tests/test_whatif.c sets exactly those.

Case directories are named BASE--WHAT: the model is tests/ref/fixtures/BASE.
Output is deterministic (one thread).
"""

import copy
import json
import math
import os
import shutil
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_fixtures as gf  # noqa: E402

FIXTURES = os.path.join(HERE, "fixtures")
OUT = os.path.join(HERE, "whatif")

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

HB = {"enc_self": 0, "dec_self": 1, "dec_cross": 2}


read_safetensors = gf.read_safetensors


def load_case(base):
    d = os.path.join(FIXTURES, base)
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    weights = read_safetensors(os.path.join(d, "model.safetensors"))
    exp = read_safetensors(os.path.join(d, "expected.safetensors"))
    v_src = sum(1 for _ in open(os.path.join(d, "src.vocab")))
    v_tgt = sum(1 for _ in open(os.path.join(d, "tgt.vocab")))
    if cfg["architecture"] == "transformer":
        model = gf.TransformerModel(cfg, v_src, v_tgt)
    else:
        model = gf.Seq2Seq(cfg, v_src, v_tgt)
    sd = {k: torch.tensor(v) for k, v in weights.items()}
    model.load_state_dict(sd, strict=True)
    model.train()  # dropout is 0; keeps torch off its inference fast path
    model.double()
    src = [int(x) for x in exp["input.src_ids"]]
    tgt = [int(x) for x in exp["input.tgt_ids"]]
    return cfg, model, src, tgt


# --------------------------------------------------------------------------
# the modules with the switches in their own terms

def module_logits(model, src_ids, tgt_ids, sw):
    """The same switches in the modules' own terms (see the docstring)."""
    m = copy.deepcopy(model)
    c = m.c
    d, H = c["d_model"], c["nhead"]
    dh = d // H
    enc, dec = m.transformer.encoder, m.transformer.decoder
    with torch.no_grad():
        if sw.get("no_scale"):
            for layer in list(enc.layers) + list(dec.layers):
                mods = [layer.self_attn] + ([layer.multihead_attn] if hasattr(layer, "multihead_attn") else [])
                for mha in mods:
                    mha.in_proj_weight[:d] *= math.sqrt(dh)
                    mha.in_proj_bias[:d] *= math.sqrt(dh)
        for kind, pairs in sw.get("heads_off", {}).items():
            for (L, h) in pairs:
                layer = (enc if kind == "enc_self" else dec).layers[L]
                mha = layer.multihead_attn if kind == "dec_cross" else layer.self_attn
                mha.out_proj.weight[:, h * dh:(h + 1) * dh] = 0
    src, tgt = torch.tensor(src_ids), torch.tensor(tgt_ids)
    s = m.src_embed(src) * m.scale()
    t = m.tgt_embed(tgt) * m.scale()
    if not sw.get("no_positions"):
        s = s + m.pos("src", len(src_ids))
        t = t + m.pos("tgt", len(tgt_ids))
    mask = None
    if not sw.get("no_mask"):
        mask = nn.Transformer.generate_square_subsequent_mask(len(tgt_ids)).to(s.dtype)
    out = m.transformer(s[None], t[None], tgt_mask=mask)[0]
    if c["tie_output"]:
        return out @ m.tgt_embed.weight.T
    return m.generator(out)


# --------------------------------------------------------------------------
# cases: (base fixture, what, switches)

CASES = [
    ("tf-post-relu-h2", "scale-off", {"no_scale": 1}),
    ("tf-post-relu-h2", "mask-off", {"no_mask": 1}),
    ("tf-pre-gelu-h3-odd", "positions-off", {"no_positions": 1}),
    ("tf-post-relu-h2", "heads-off",
     {"heads_off": {"enc_self": [(1, 1)], "dec_self": [(0, 0)], "dec_cross": [(1, 1)]}}),
    ("tf-pre-gelu-h3-odd", "heads-off", {"heads_off": {"enc_self": [(0, 2)], "dec_cross": [(0, 0)]}}),
    ("tf-learned-tied-nofinal", "temperature", {"temperature": 0.5}),
    ("tf-pre-gelu-h3-odd", "all", {"no_scale": 1, "no_mask": 1, "no_positions": 1,
                                   "temperature": 3.0, "heads_off": {"dec_self": [(0, 1)]}}),
    ("gru-scaled-dot", "scale-off-temperature", {"no_scale": 1, "temperature": 2.0}),
    ("lstm-additive-2l", "temperature", {"temperature": 0.25}),
]


def switch_tensors(cfg, sw):
    n = max(cfg.get("num_encoder_layers", 1), cfg.get("num_decoder_layers", 1), 1)
    out = {"switch.no_scale": [float(sw.get("no_scale", 0))],
           "switch.no_mask": [float(sw.get("no_mask", 0))],
           "switch.no_positions": [float(sw.get("no_positions", 0))],
           "switch.temperature": [float(sw.get("temperature", 1.0))]}
    for kind, k in HB.items():
        bits = [0.0] * n
        for (L, h) in sw.get("heads_off", {}).get(kind, []):
            bits[L] += float(1 << h)
        out["switch.heads_off.%s" % kind] = bits
    return {k: np.asarray(v, dtype="<f4") for k, v in out.items()}


def build(base, what, sw):
    cfg, model, src, tgt = load_case(base)
    with torch.no_grad():
        if cfg["architecture"] == "transformer":
            tr = gf.tf_trace(model, src, tgt, sw)
            gf.close(tr["logits"], module_logits(model, src, tgt, sw), "%s--%s vs nn" % (base, what))
        else:
            m = model
            if sw.get("no_scale"):
                assert cfg["attention"] == "scaled_dot"
                m = copy.deepcopy(model)
                m.c = dict(m.c, attention="dot")
            tr = gf.rnn_trace(m, src, tgt)
            tr["probs"] = torch.softmax(tr["logits"] / sw.get("temperature", 1.0), dim=-1)
    exp = {"input.src_ids": np.asarray(src, dtype="<f4"),
           "input.tgt_ids": np.asarray(tgt, dtype="<f4")}
    exp.update(switch_tensors(cfg, sw))
    for k, v in tr.items():
        a = gf.as2d(v)
        assert not torch.isnan(a).any(), k
        exp[k] = a
    d = os.path.join(OUT, "%s--%s" % (base, what))
    os.makedirs(d)
    gf.write_safetensors(os.path.join(d, "expected.safetensors"), exp)
    print("%-40s %3d trace tensors" % (os.path.basename(d), len(tr)))


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    for case in CASES:
        build(*case)


if __name__ == "__main__":
    main()
