#!/usr/bin/python3
"""Generates the PyTorch reference fixtures in tests/ref/fixtures/.

Run from anywhere with Debian's python3 (python3-torch):

    /usr/bin/python3 tests/ref/gen_fixtures.py

Each case builds a small random PyTorch model, saves it as a seqstep model
directory (config.json, model.safetensors, src.vocab, tgt.vocab) and runs it
teacher-forced on one fixed source/target id sequence. Every intermediate is
computed by hand from the module weights and ASSERTED equal to what the real
torch.nn modules compute, then written to expected.safetensors under its
seqstep trace name (see README.md, "The trace"), together with the inputs and
the gradient of the mean cross-entropy loss w.r.t. every parameter.

Weights are drawn in float32 (so they are stored exactly); the reference is
computed in float64 from those float32 values and stored as float32, so the
fixtures hold the exact answer to float32 rounding. Output is deterministic.
"""

import json
import math
import os
import shutil
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
ATOL = 1e-5
PAD, UNK, BOS, EOS = 0, 1, 2, 3

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


# --------------------------------------------------------------------------
# files

def write_safetensors(path, tensors):
    """tensors: name -> array-like. F32, keys sorted, data in header order."""
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        a = tensors[name]
        if isinstance(a, torch.Tensor):
            a = a.detach().cpu().numpy()
        a = np.ascontiguousarray(np.asarray(a, dtype="<f4"))
        b = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape),
                        "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """The F32 tensors of a safetensors file, as numpy arrays."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        assert h["dtype"] == "F32", name
        a, b = h["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype="<f4").reshape(h["shape"]).copy()
    return out


def write_vocab(path, prefix, n):
    toks = ["<pad>", "<unk>", "<bos>", "<eos>"] + ["%s%d" % (prefix, i) for i in range(4, n)]
    with open(path, "w") as f:
        f.write("\n".join(toks) + "\n")


def tok_cfg(vocab):
    return {"tokenizer": "word", "vocab": vocab, "lowercase": False}


# --------------------------------------------------------------------------
# helpers

def close(a, b, what):
    a = a.detach()
    b = b.detach()
    assert a.shape == b.shape, "%s: shape %s vs %s" % (what, tuple(a.shape), tuple(b.shape))
    err = (a - b).abs().max().item() if a.numel() else 0.0
    assert err <= ATOL, "%s: manual vs torch.nn differ by %g" % (what, err)


def randomize(model, scale):
    """Replaces PyTorch's init (zero biases, unit LayerNorms) by random
    float32 values so that every parameter matters."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".norm" in name or name.startswith("norm"):
                if name.endswith("weight"):
                    p.copy_(1.0 + 0.3 * (2 * torch.rand_like(p) - 1))
                else:
                    p.copy_(0.2 * (2 * torch.rand_like(p) - 1))
            else:
                p.copy_(scale * (2 * torch.rand_like(p) - 1))


def sinusoid(T, d):
    p = torch.zeros(T, d, dtype=torch.float64)
    for i in range(T):
        for c in range(d):
            j2 = c - (c % 2)  # 2j
            ang = i / (10000.0 ** (j2 / d))
            p[i, c] = math.sin(ang) if c % 2 == 0 else math.cos(ang)
    return p


def ids_tensor(ids):
    return torch.tensor(ids, dtype=torch.float64).reshape(1, -1)


def make_ids(g, v_src, v_tgt, t_src, t_tgt):
    src = torch.randint(4, v_src, (t_src - 1,), generator=g).tolist() + [EOS]
    body = torch.randint(4, v_tgt, (t_tgt - 1,), generator=g).tolist()
    return src, [BOS] + body, body + [EOS]


def as2d(t):
    t = t.detach()
    return t.reshape(1, -1) if t.dim() == 1 else t


# --------------------------------------------------------------------------
# transformer

class TransformerModel(nn.Module):
    def __init__(self, c, v_src, v_tgt):
        super().__init__()
        d = c["d_model"]
        self.c = c
        kw = dict(dim_feedforward=c["dim_feedforward"], dropout=0.0,
                  activation=c["activation"], layer_norm_eps=c["layer_norm_eps"],
                  batch_first=True, norm_first=c["norm_first"])
        self.src_embed = nn.Embedding(v_src, d)
        self.tgt_embed = nn.Embedding(v_tgt, d)
        if c["positional"] == "learned":
            self.src_pos = nn.Embedding(c["max_len"], d)
            self.tgt_pos = nn.Embedding(c["max_len"], d)
        if c["final_norm"]:
            self.transformer = nn.Transformer(d, c["nhead"], c["num_encoder_layers"],
                                              c["num_decoder_layers"], **kw)
        else:
            enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(d, c["nhead"], **kw),
                                        c["num_encoder_layers"], norm=None)
            dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(d, c["nhead"], **kw),
                                        c["num_decoder_layers"], norm=None)
            self.transformer = nn.Transformer(d, c["nhead"], custom_encoder=enc,
                                              custom_decoder=dec, **kw)
        if not c["tie_output"]:
            self.generator = nn.Linear(d, v_tgt)

    def scale(self):
        return math.sqrt(self.c["d_model"]) if self.c["embed_scale"] == "sqrt" else 1.0

    def pos(self, which, T):
        if self.c["positional"] == "learned":
            return getattr(self, which + "_pos").weight[:T]
        return sinusoid(T, self.c["d_model"])

    def inputs(self, src, tgt):
        s = self.src_embed(src) * self.scale() + self.pos("src", src.shape[-1])
        t = self.tgt_embed(tgt) * self.scale() + self.pos("tgt", tgt.shape[-1])
        return s, t

    def forward(self, src, tgt):
        s, t = self.inputs(src, tgt)
        mask = nn.Transformer.generate_square_subsequent_mask(tgt.shape[-1]).to(s.dtype)
        out = self.transformer(s[None], t[None], tgt_mask=mask)[0]
        if self.c["tie_output"]:
            return out @ self.tgt_embed.weight.T
        return self.generator(out)


def record_weights(pre):
    """The trace's copies of the weights (math orientation) are kept for
    layer 0 only, to keep the fixtures small: the other layers' weights are
    checked through their products (q, k, v, ffn.pre, ...)."""
    return pre.split(".")[1] == "0"


def tf_attention(tr, pre, mha, xq, xkv, nhead, mask, scaled=True, off=()):
    """Manual multi-head attention; records under pre (e.g. enc.0.self_attn)
    and checks against the nn.MultiheadAttention module. A what-if run
    (gen_whatif.py) may drop the 1/sqrt(d_k) (scaled False) and zero the
    heads in off before W_o; the module check is then left to the caller."""
    d = xq.shape[-1]
    dh = d // nhead
    W, b = mha.in_proj_weight, mha.in_proj_bias
    Wq, Wk, Wv = W[:d], W[d:2 * d], W[2 * d:]
    bq, bk, bv = b[:d], b[d:2 * d], b[2 * d:]
    q = xq @ Wq.T + bq
    k = xkv @ Wk.T + bk
    v = xkv @ Wv.T + bv
    tr[pre + ".x"] = xq
    if record_weights(pre):
        for nm, w in (("w_q", Wq), ("w_k", Wk), ("w_v", Wv), ("w_o", mha.out_proj.weight)):
            tr[pre + "." + nm] = w.T
        for nm, bb in (("b_q", bq), ("b_k", bk), ("b_v", bv), ("b_o", mha.out_proj.bias)):
            tr[pre + "." + nm] = bb
    tr[pre + ".q"], tr[pre + ".k"], tr[pre + ".v"] = q, k, v
    heads, ws = [], []
    for h in range(nhead):
        sl = slice(h * dh, (h + 1) * dh)
        sc = q[:, sl] @ k[:, sl].T
        if scaled:
            sc = sc / math.sqrt(dh)
        if mask is not None:
            sc = sc + mask
        w = torch.softmax(sc, dim=-1)
        o = w @ v[:, sl]
        tr["%s.h%d.scores" % (pre, h)] = sc
        tr["%s.h%d.weights" % (pre, h)] = w
        tr["%s.h%d.out" % (pre, h)] = o  # what the head computed, zeroed or not
        heads.append(torch.zeros_like(o) if h in off else o)
        ws.append(w)
    concat = torch.cat(heads, dim=-1)
    out = concat @ mha.out_proj.weight.T + mha.out_proj.bias
    tr[pre + ".weights_avg"] = torch.stack(ws).mean(0)
    tr[pre + ".concat"] = concat
    tr[pre + ".out"] = out
    if not scaled or off:
        return out
    # The real module.
    ref_out, ref_w = mha(xq[None], xkv[None], xkv[None], attn_mask=mask, need_weights=True,
                         average_attn_weights=False)
    close(out, ref_out[0], pre + ".out")
    for h in range(nhead):
        close(ws[h], ref_w[0, h], "%s.h%d.weights" % (pre, h))
    _, ref_avg = mha(xq[None], xkv[None], xkv[None], attn_mask=mask, need_weights=True,
                     average_attn_weights=True)
    close(tr[pre + ".weights_avg"], ref_avg[0], pre + ".weights_avg")
    return out


def layer_norm(x, ln):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    y = (x - mu) / torch.sqrt(var + ln.eps) * ln.weight + ln.bias
    close(y, ln(x), "layer_norm")
    return y


def tf_ffn(tr, pre, layer, x, activation):
    h_pre = x @ layer.linear1.weight.T + layer.linear1.bias
    if activation == "relu":
        hid = torch.clamp(h_pre, min=0)
    else:
        hid = 0.5 * h_pre * (1 + torch.erf(h_pre / math.sqrt(2)))
        close(hid, F.gelu(h_pre), pre + ".ffn.hidden (gelu)")
    out = hid @ layer.linear2.weight.T + layer.linear2.bias
    tr[pre + ".ffn.x"] = x
    if record_weights(pre):
        tr[pre + ".ffn.w1"] = layer.linear1.weight.T
        tr[pre + ".ffn.b1"] = layer.linear1.bias
        tr[pre + ".ffn.w2"] = layer.linear2.weight.T
        tr[pre + ".ffn.b2"] = layer.linear2.bias
    tr[pre + ".ffn.pre"] = h_pre
    tr[pre + ".ffn.hidden"] = hid
    tr[pre + ".ffn.out"] = out
    return out


def tf_trace(model, src_ids, tgt_ids, sw=None):
    """The teacher-forced trace by hand, checked against the modules. sw
    (gen_whatif.py) holds what-if switches: no_scale, no_mask,
    no_positions, temperature, heads_off {"enc_self"|"dec_self"|"dec_cross":
    [(layer, head)]}; with any of them the module checks are the caller's."""
    sw = sw or {}
    c = model.c
    H = c["nhead"]
    scaled = not sw.get("no_scale")
    off = {k: set(v) for k, v in sw.get("heads_off", {}).items()}

    def heads(kind, L):
        return {h for (l, h) in off.get(kind, set()) if l == L}

    tr = {}
    src = torch.tensor(src_ids)
    tgt = torch.tensor(tgt_ids)
    Ts, Tt = len(src_ids), len(tgt_ids)
    tr["src.tokens"] = ids_tensor(src_ids)
    tr["tgt.tokens"] = ids_tensor(tgt_ids)
    for side, ids, emb, T in (("src", src, model.src_embed, Ts), ("tgt", tgt, model.tgt_embed, Tt)):
        tr[side + ".embed"] = emb.weight[ids]
        if sw.get("no_positions"):
            tr[side + ".pos"] = torch.zeros(T, c["d_model"], dtype=torch.float64)
        else:
            tr[side + ".pos"] = model.pos(side, T)
        tr[side + ".input"] = tr[side + ".embed"] * model.scale() + tr[side + ".pos"]
    s_in, t_in = model.inputs(src, tgt)
    if not sw:
        close(tr["src.input"], s_in, "src.input")
        close(tr["tgt.input"], t_in, "tgt.input")
    pre_norm = c["norm_first"]
    enc = model.transformer.encoder
    dec = model.transformer.decoder

    x = tr["src.input"]
    for L, layer in enumerate(enc.layers):
        p = "enc.%d" % L
        hs = heads("enc_self", L)
        if pre_norm:
            n1 = layer_norm(x, layer.norm1)
            a = tf_attention(tr, p + ".self_attn", layer.self_attn, n1, n1, H, None, scaled, hs)
            add1 = x + a
            n2 = layer_norm(add1, layer.norm2)
            f = tf_ffn(tr, p, layer, n2, c["activation"])
            add2 = add1 + f
            out = add2
        else:
            a = tf_attention(tr, p + ".self_attn", layer.self_attn, x, x, H, None, scaled, hs)
            add1 = x + a
            n1 = layer_norm(add1, layer.norm1)
            f = tf_ffn(tr, p, layer, n1, c["activation"])
            add2 = n1 + f
            n2 = layer_norm(add2, layer.norm2)
            out = n2
        tr[p + ".add1"], tr[p + ".norm1"] = add1, n1
        tr[p + ".add2"], tr[p + ".norm2"] = add2, n2
        tr[p + ".out"] = out
        if not sw:
            close(out, layer(x[None])[0], p + ".out")
        x = out
    if enc.norm is not None:
        x = layer_norm(x, enc.norm)
    tr["enc.out"] = x
    mem = x

    mask = None
    if not sw.get("no_mask"):
        mask = nn.Transformer.generate_square_subsequent_mask(Tt).to(torch.float64)
    x = tr["tgt.input"]
    for L, layer in enumerate(dec.layers):
        p = "dec.%d" % L
        hs, hc = heads("dec_self", L), heads("dec_cross", L)
        if pre_norm:
            n1 = layer_norm(x, layer.norm1)
            a = tf_attention(tr, p + ".self_attn", layer.self_attn, n1, n1, H, mask, scaled, hs)
            add1 = x + a
            n2 = layer_norm(add1, layer.norm2)
            ca = tf_attention(tr, p + ".cross_attn", layer.multihead_attn, n2, mem, H, None,
                              scaled, hc)
            add2 = add1 + ca
            n3 = layer_norm(add2, layer.norm3)
            f = tf_ffn(tr, p, layer, n3, c["activation"])
            add3 = add2 + f
            out = add3
        else:
            a = tf_attention(tr, p + ".self_attn", layer.self_attn, x, x, H, mask, scaled, hs)
            add1 = x + a
            n1 = layer_norm(add1, layer.norm1)
            ca = tf_attention(tr, p + ".cross_attn", layer.multihead_attn, n1, mem, H, None,
                              scaled, hc)
            add2 = n1 + ca
            n2 = layer_norm(add2, layer.norm2)
            f = tf_ffn(tr, p, layer, n2, c["activation"])
            add3 = n2 + f
            n3 = layer_norm(add3, layer.norm3)
            out = n3
        tr[p + ".add1"], tr[p + ".norm1"] = add1, n1
        tr[p + ".add2"], tr[p + ".norm2"] = add2, n2
        tr[p + ".add3"], tr[p + ".norm3"] = add3, n3
        tr[p + ".out"] = out
        if not sw:
            close(out, layer(x[None], mem[None], tgt_mask=mask)[0], p + ".out")
        x = out
    if dec.norm is not None:
        x = layer_norm(x, dec.norm)
    tr["dec.out"] = x
    if not sw:
        ref_out = model.transformer(s_in[None], t_in[None], tgt_mask=mask)[0]
        close(x, ref_out, "dec.out vs nn.Transformer")
    if c["tie_output"]:
        W, b = model.tgt_embed.weight, None
    else:
        W, b = model.generator.weight, model.generator.bias
    tr["generator.w"] = W.T
    logits = x @ W.T
    if b is not None:
        tr["generator.b"] = b
        logits = logits + b
    tr["logits"] = logits
    tr["probs"] = torch.softmax(logits / sw.get("temperature", 1.0), dim=-1)
    return tr


def tf_names(c):
    """The README's tensor names for a transformer config."""
    names = ["src_embed.weight", "tgt_embed.weight"]
    if c["positional"] == "learned":
        names += ["src_pos.weight", "tgt_pos.weight"]
    attn = ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    ffn = ["linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias"]
    for L in range(c["num_encoder_layers"]):
        p = "transformer.encoder.layers.%d." % L
        names += [p + "self_attn." + a for a in attn] + [p + f for f in ffn]
        names += [p + "norm%d.%s" % (i, wb) for i in (1, 2) for wb in ("weight", "bias")]
    for L in range(c["num_decoder_layers"]):
        p = "transformer.decoder.layers.%d." % L
        names += [p + "self_attn." + a for a in attn] + [p + "multihead_attn." + a for a in attn]
        names += [p + f for f in ffn]
        names += [p + "norm%d.%s" % (i, wb) for i in (1, 2, 3) for wb in ("weight", "bias")]
    if c["final_norm"]:
        names += ["transformer.%s.norm.%s" % (ed, wb) for ed in ("encoder", "decoder")
                  for wb in ("weight", "bias")]
    if not c["tie_output"]:
        names += ["generator.weight", "generator.bias"]
    return names


# --------------------------------------------------------------------------
# rnn_seq2seq

GATES = {"rnn": [], "lstm": ["i", "f", "g", "o"], "gru": ["r", "z", "n"]}
RNN_CLASS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class Encoder(nn.Module):
    def __init__(self, c, v):
        super().__init__()
        self.embedding = nn.Embedding(v, c["embed_dim"])
        self.rnn = RNN_CLASS[c["cell"]](c["embed_dim"], c["hidden_size"], c["num_layers"],
                                        batch_first=True)


class Attention(nn.Module):
    def __init__(self, h, a):
        super().__init__()
        self.W_q = nn.Linear(h, a, bias=False)
        self.W_k = nn.Linear(h, a, bias=False)
        self.w_v = nn.Linear(a, 1, bias=False)


class Decoder(nn.Module):
    def __init__(self, c, v):
        super().__init__()
        E, Hd = c["embed_dim"], c["hidden_size"]
        self.embedding = nn.Embedding(v, E)
        self.rnn = RNN_CLASS[c["cell"]](E + Hd, Hd, c["num_layers"], batch_first=True)
        if c["attention"] == "additive":
            self.attention = Attention(Hd, c["attention_dim"])
        self.out = nn.Linear(Hd, v)


class Seq2Seq(nn.Module):
    def __init__(self, c, v_src, v_tgt):
        super().__init__()
        self.c = c
        self.encoder = Encoder(c, v_src)
        self.decoder = Decoder(c, v_tgt)

    def context(self, q, enc):
        """q [H], enc [T_src, H] -> scores [T_src], weights, context [H]."""
        kind = self.c["attention"]
        if kind == "additive":
            a = self.decoder.attention
            s = a.w_v(torch.tanh(a.W_q(q)[None, :] + a.W_k(enc)))[:, 0]
        elif kind == "dot":
            s = enc @ q
        else:
            s = enc @ q / math.sqrt(self.c["hidden_size"])
        w = torch.softmax(s, dim=-1)
        return s, w, w @ enc

    def forward(self, src, tgt):
        """Teacher forcing through the real nn.RNN/LSTM/GRU modules."""
        enc_out, state = self.encoder.rnn(self.encoder.embedding(src)[None])
        enc = enc_out[0]
        top_final = enc[-1]
        emb = self.decoder.embedding(tgt)
        logits, hs = [], []
        for t in range(tgt.shape[0]):
            h_all = state[0] if isinstance(state, tuple) else state
            if self.c["attention"] == "none":
                ctx = top_final
            else:
                _, _, ctx = self.context(h_all[-1, 0], enc)
            x = torch.cat([emb[t], ctx])[None, None]
            out, state = self.decoder.rnn(x, state)
            hs.append(state)
            logits.append(self.decoder.out(out[0, 0]))
        return torch.stack(logits), enc_out[0], hs


def cell_step(cell, W_ih, W_hh, b_ih, b_hh, x, h, c):
    """One manual step; returns (gates dict, h, c)."""
    gi = x @ W_ih.T + b_ih
    gh = h @ W_hh.T + b_hh
    if cell == "rnn":
        return {}, torch.tanh(gi + gh), None
    if cell == "lstm":
        i, f, g, o = (gi + gh).chunk(4)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c2 = f * c + i * g
        return {"i": i, "f": f, "g": g, "o": o}, o * torch.tanh(c2), c2
    ir, iz, inn = gi.chunk(3)
    hr, hz, hn = gh.chunk(3)
    r = torch.sigmoid(ir + hr)
    z = torch.sigmoid(iz + hz)
    n = torch.tanh(inn + r * hn)
    return {"r": r, "z": z, "n": n}, (1 - z) * n + z * h, None


def rnn_params(rnn, l):
    return tuple(getattr(rnn, "%s_l%d" % (n, l)) for n in ("weight_ih", "weight_hh",
                                                         "bias_ih", "bias_hh"))


def rnn_trace(model, src_ids, tgt_ids):
    c = model.c
    cell, Hd, NL = c["cell"], c["hidden_size"], c["num_layers"]
    tr = {}
    src = torch.tensor(src_ids)
    tgt = torch.tensor(tgt_ids)
    Ts, Tt = len(src_ids), len(tgt_ids)
    dt = torch.float64
    tr["src.tokens"] = ids_tensor(src_ids)
    tr["tgt.tokens"] = ids_tensor(tgt_ids)
    tr["src.embed"] = model.encoder.embedding.weight[src]
    tr["tgt.embed"] = model.decoder.embedding.weight[tgt]

    def record_weights(pre, rnn, l):
        W_ih, W_hh, b_ih, b_hh = rnn_params(rnn, l)
        tr[pre + ".w_ih"], tr[pre + ".w_hh"] = W_ih.T, W_hh.T
        tr[pre + ".b_ih"], tr[pre + ".b_hh"] = b_ih, b_hh

    # encoder, layer by layer over the whole sequence
    x = tr["src.embed"]
    enc_final_h, enc_final_c = [], []
    for l in range(NL):
        pre = "enc.l%d" % l
        W = rnn_params(model.encoder.rnn, l)
        h = torch.zeros(Hd, dtype=dt)
        cc = torch.zeros(Hd, dtype=dt)
        tr[pre + ".x"] = x
        record_weights(pre, model.encoder.rnn, l)
        tr[pre + ".h0"] = h
        if cell == "lstm":
            tr[pre + ".c0"] = cc
        hs, cs, gates = [], [], {g: [] for g in GATES[cell]}
        for t in range(Ts):
            gd, h, cc = cell_step(cell, *W, x[t], h, cc)
            hs.append(h)
            cs.append(cc)
            for g in gates:
                gates[g].append(gd[g])
        tr[pre + ".h"] = torch.stack(hs)
        if cell == "lstm":
            tr[pre + ".c"] = torch.stack(cs)
        for g in gates:
            tr["%s.gate.%s" % (pre, g)] = torch.stack(gates[g])
        enc_final_h.append(h)
        enc_final_c.append(cc)
        x = tr[pre + ".h"]
    enc = x  # top-layer outputs [T_src, H]

    # decoder, step by step
    h = list(enc_final_h)
    cc = list(enc_final_c)
    for l in range(NL):
        pre = "dec.l%d" % l
        record_weights(pre, model.decoder.rnn, l)
        tr[pre + ".h0"] = h[l]
        if cell == "lstm":
            tr[pre + ".c0"] = cc[l]
    rec = {k: [] for k in ("context", "query", "scores", "weights", "x", "qproj")}
    lay = [{"x": [], "h": [], "c": [], **{g: [] for g in GATES[cell]}} for _ in range(NL)]
    emb = tr["tgt.embed"]
    dec_states = []
    for t in range(Tt):
        q = h[NL - 1]
        if c["attention"] == "none":
            ctx = enc[-1]
        else:
            if c["attention"] == "additive":
                a = model.decoder.attention
                qp = q @ a.W_q.weight.T
                kp = enc @ a.W_k.weight.T
                s = (torch.tanh(qp[None, :] + kp) @ a.w_v.weight[0])
                rec["qproj"].append(qp)
            elif c["attention"] == "dot":
                s = enc @ q
            else:
                s = enc @ q / math.sqrt(Hd)
            w = torch.softmax(s, dim=-1)
            ctx = w @ enc
            ms, mw, mctx = model.context(q, enc)
            close(s, ms, "dec.attn.scores")
            close(ctx, mctx, "dec.context")
            rec["query"].append(q)
            rec["scores"].append(s)
            rec["weights"].append(w)
        rec["context"].append(ctx)
        xin = torch.cat([emb[t], ctx])
        rec["x"].append(xin)
        for l in range(NL):
            W = rnn_params(model.decoder.rnn, l)
            gd, h[l], cc[l] = cell_step(cell, *W, xin, h[l], cc[l])
            lay[l]["x"].append(xin)
            lay[l]["h"].append(h[l])
            lay[l]["c"].append(cc[l])
            for g in GATES[cell]:
                lay[l][g].append(gd[g])
            xin = h[l]
        dec_states.append((torch.stack(h), torch.stack(cc) if cell == "lstm" else None))
    tr["dec.context"] = torch.stack(rec["context"])
    if c["attention"] != "none":
        tr["dec.query"] = torch.stack(rec["query"])
        tr["dec.attn.scores"] = torch.stack(rec["scores"])
        tr["dec.attn.weights"] = torch.stack(rec["weights"])
    if c["attention"] == "additive":
        a = model.decoder.attention
        tr["dec.attn.qproj"] = torch.stack(rec["qproj"])
        tr["dec.attn.kproj"] = enc @ a.W_k.weight.T
        tr["dec.attn.w_v"] = a.w_v.weight
    tr["dec.x"] = torch.stack(rec["x"])
    for l in range(NL):
        pre = "dec.l%d" % l
        tr[pre + ".x"] = torch.stack(lay[l]["x"])
        tr[pre + ".h"] = torch.stack(lay[l]["h"])
        if cell == "lstm":
            tr[pre + ".c"] = torch.stack(lay[l]["c"])
        for g in GATES[cell]:
            tr["%s.gate.%s" % (pre, g)] = torch.stack(lay[l][g])
    top = tr["dec.l%d.h" % (NL - 1)]
    tr["dec.out.w"] = model.decoder.out.weight.T
    tr["dec.out.b"] = model.decoder.out.bias
    logits = top @ model.decoder.out.weight.T + model.decoder.out.bias
    tr["logits"] = logits
    tr["probs"] = torch.softmax(logits, dim=-1)

    # Tie the manual computation to the real modules.
    ref_logits, ref_enc, ref_states = model(src, tgt)
    close(enc, ref_enc, "encoder top-layer outputs vs nn.%s" % cell.upper())
    ref_enc_all, ref_state = model.encoder.rnn(model.encoder.embedding(src)[None])
    ref_h = ref_state[0] if cell == "lstm" else ref_state
    for l in range(NL):
        close(enc_final_h[l], ref_h[l, 0], "enc.l%d final h" % l)
        if cell == "lstm":
            close(enc_final_c[l], ref_state[1][l, 0], "enc.l%d final c" % l)
    for t, st in enumerate(ref_states):
        rh = st[0] if cell == "lstm" else st
        close(dec_states[t][0], rh[:, 0], "decoder h step %d" % t)
        if cell == "lstm":
            close(dec_states[t][1], st[1][:, 0], "decoder c step %d" % t)
    close(logits, ref_logits, "logits vs module")
    return tr


def rnn_names(c):
    names = ["encoder.embedding.weight", "decoder.embedding.weight"]
    for part in ("encoder", "decoder"):
        for l in range(c["num_layers"]):
            names += ["%s.rnn.%s_l%d" % (part, n, l)
                      for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    if c["attention"] == "additive":
        names += ["decoder.attention.W_q.weight", "decoder.attention.W_k.weight",
                  "decoder.attention.w_v.weight"]
    names += ["decoder.out.weight", "decoder.out.bias"]
    return names


# --------------------------------------------------------------------------
# cases

def tf_cfg(**kw):
    c = {"architecture": "transformer", "d_model": 8, "nhead": 2, "num_encoder_layers": 2,
         "num_decoder_layers": 2, "dim_feedforward": 12, "activation": "relu",
         "norm_first": False, "final_norm": True, "layer_norm_eps": 1e-5,
         "positional": "sinusoidal", "embed_scale": "sqrt", "tie_output": False,
         "max_len": 16}
    c.update(kw)
    return c


def rnn_cfg(**kw):
    c = {"architecture": "rnn_seq2seq", "cell": "lstm", "embed_dim": 6, "hidden_size": 8,
         "num_layers": 1, "attention": "none", "max_len": 16}
    c.update(kw)
    return c


# name, config, V_src, V_tgt, T_src, T_tgt
CASES = [
    ("tf-post-relu-h2", tf_cfg(), 12, 13, 6, 5),
    ("tf-pre-gelu-h3-odd", tf_cfg(d_model=9, nhead=3, num_encoder_layers=2,
                                  num_decoder_layers=1, dim_feedforward=14,
                                  activation="gelu", norm_first=True), 12, 15, 7, 6),
    ("tf-learned-tied-nofinal", tf_cfg(num_encoder_layers=1, num_decoder_layers=2,
                                       positional="learned", tie_output=True,
                                       final_norm=False, embed_scale=1), 14, 13, 5, 4),
    ("lstm-additive-2l", rnn_cfg(cell="lstm", num_layers=2, attention="additive",
                                 attention_dim=7), 13, 14, 6, 5),
    ("lstm-none", rnn_cfg(cell="lstm"), 12, 13, 5, 4),
    ("gru-additive", rnn_cfg(cell="gru", embed_dim=5, hidden_size=7, attention="additive",
                             attention_dim=6), 14, 12, 7, 6),
    ("gru-none-2l", rnn_cfg(cell="gru", num_layers=2), 13, 12, 6, 5),
    ("rnn-additive", rnn_cfg(cell="rnn", attention="additive", attention_dim=5), 12, 14, 6, 5),
    ("rnn-none", rnn_cfg(cell="rnn"), 14, 13, 5, 6),
    ("lstm-dot", rnn_cfg(cell="lstm", attention="dot"), 13, 15, 7, 5),
    ("gru-scaled-dot", rnn_cfg(cell="gru", num_layers=2, attention="scaled_dot"),
     15, 13, 6, 5),
]


def build_case(idx, name, cfg, v_src, v_tgt, t_src, t_tgt):
    torch.manual_seed(1000 + idx)
    g = torch.Generator().manual_seed(2000 + idx)
    if cfg["architecture"] == "transformer":
        model = TransformerModel(cfg, v_src, v_tgt)
        randomize(model, 0.5)
        expect = tf_names(cfg)
    else:
        model = Seq2Seq(cfg, v_src, v_tgt)
        randomize(model, 0.6)
        expect = rnn_names(cfg)
    model.train()  # dropout is 0; train mode keeps PyTorch off its inference fast path
    sd = model.state_dict()
    assert sorted(sd) == sorted(expect), "%s: state_dict %s\nREADME %s" % (
        name, sorted(set(sd) ^ set(expect)), "")
    weights = {k: v.detach().clone() for k, v in sd.items()}  # float32, as saved
    model.double()

    src_ids, tgt_ids, tgt_out = make_ids(g, v_src, v_tgt, t_src, t_tgt)
    trace_fn = tf_trace if cfg["architecture"] == "transformer" else rnn_trace
    with torch.no_grad():
        tr = trace_fn(model, src_ids, tgt_ids)

    # loss and gradients through the real modules
    model.zero_grad()
    out = model(torch.tensor(src_ids), torch.tensor(tgt_ids))
    logits = out[0] if isinstance(out, tuple) else out
    close(logits, tr["logits"], "logits (grad pass)")
    loss = F.cross_entropy(logits, torch.tensor(tgt_out))
    loss.backward()

    exp = {"input.src_ids": torch.tensor(src_ids, dtype=torch.float32),
           "input.tgt_ids": torch.tensor(tgt_ids, dtype=torch.float32),
           "input.tgt_out_ids": torch.tensor(tgt_out, dtype=torch.float32),
           "loss": loss.detach().reshape(1, 1)}
    for k, v in tr.items():
        exp[k] = as2d(v)
    for k, p in model.named_parameters():
        assert p.grad is not None, k
        exp["grad." + k] = p.grad
    for k, v in exp.items():
        a = v.detach()
        assert not torch.isnan(a).any(), k
        if not (k.endswith(".scores") and k.startswith("dec.") and ".self_attn." in k):
            assert torch.isfinite(a).all(), k

    d = os.path.join(OUT, name)
    os.makedirs(d)
    cfg = dict(cfg)
    cfg["src"] = tok_cfg("src.vocab")
    cfg["tgt"] = tok_cfg("tgt.vocab")
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    write_vocab(os.path.join(d, "src.vocab"), "s", v_src)
    write_vocab(os.path.join(d, "tgt.vocab"), "t", v_tgt)
    write_safetensors(os.path.join(d, "model.safetensors"), weights)
    write_safetensors(os.path.join(d, "expected.safetensors"), exp)
    n_trace = sum(1 for k in exp if not k.startswith(("input.", "grad.")) and k != "loss")
    size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    print("%-24s %3d trace tensors, loss %.6f, %6d bytes" % (name, n_trace, loss.item(), size))


def main():
    only = set(sys.argv[1:])
    unknown = only - {c[0] for c in CASES}
    if unknown:
        sys.exit("unknown case(s): %s" % ", ".join(sorted(unknown)))
    if not only and os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT, exist_ok=True)
    for i, case in enumerate(CASES):
        if only and case[0] not in only:
            continue
        d = os.path.join(OUT, case[0])
        if os.path.isdir(d):
            shutil.rmtree(d)
        build_case(i, *case)


if __name__ == "__main__":
    main()
