#!/usr/bin/python3
"""Builds the three attention-pooling toy models of lesson 05.

    /usr/bin/python3 models/pooling-nw/make.py          # from the repository root

Writes config.json and tensors/{keys,values,queries,w,truth}.csv into
models/pooling-average, models/pooling-nw and models/pooling-parametric
(next to this script), overwriting them. Standard library only, and fully
deterministic: the same files on every machine and every Python 3.

The data (a 1-D regression problem):

  keys     x_i  40 training inputs, uniform pseudo-random in [0, 5), sorted,
                rounded to 3 decimals
  values   y_i  f(x_i) + noise_i, rounded to 4 decimals, where
                f(x) = 2 sin(x) + x^0.8 and noise_i ~ N(0, 0.3^2) (Box-Muller)
  queries  x    20 evenly spaced points 0, 0.25, 0.5, ..., 4.75
  w             kernel width factor: 1 for average and Nadaraya-Watson pooling
                (the engine ignores it there); for parametric pooling the w that
                minimises the leave-one-out squared error of the kernel
                regression on the 40 training points (grid 0.05 .. 10.00, step
                0.05, computed on the rounded keys and values above)
  truth    f(x) at each query, the noise-free function the values were drawn
                from (config "truth": true), so the explorer's plot can draw
                the true curve from the trace

The pseudo-random numbers come from a 64-bit linear congruential generator
(Knuth's MMIX constants), seed 2024, so nothing depends on Python's own
random module.
"""
import json
import math
import os

SEED = 2024
N_KEYS = 40
N_QUERIES = 20
NOISE_SD = 0.3


class Lcg:
    def __init__(self, seed):
        self.s = seed & (2**64 - 1)

    def uniform(self):
        """A float in [0, 1) from the top 53 bits of the state."""
        self.s = (6364136223846793005 * self.s + 1442695040888963407) % 2**64
        return (self.s >> 11) / float(2**53)

    def normal(self):
        """One standard normal number (Box-Muller, cosine branch)."""
        u1 = 1.0 - self.uniform()  # in (0, 1]
        u2 = self.uniform()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def f(x):
    return 2.0 * math.sin(x) + x ** 0.8


def data():
    g = Lcg(SEED)
    keys = sorted(round(5.0 * g.uniform(), 3) for _ in range(N_KEYS))
    keys = [min(k, 4.999) for k in keys]  # rounding must not reach 5
    values = [round(f(x) + NOISE_SD * g.normal(), 4) for x in keys]
    queries = [0.25 * i for i in range(N_QUERIES)]
    return keys, values, queries


def pool(x, keys, values, w, skip=None):
    """Kernel regression at x: softmax over i of -((x - x_i) w)^2 / 2, times y_i."""
    scores = [-(((x - k) * w) ** 2) / 2.0 if i != skip else -math.inf
              for i, k in enumerate(keys)]
    top = max(scores)
    e = [math.exp(s - top) for s in scores]
    total = sum(e)
    return sum(a * y for a, y in zip(e, values)) / total


def loo_error(keys, values, w):
    """Mean squared leave-one-out error: each y_i predicted from the other 39."""
    return sum((pool(k, keys, values, w, skip=i) - y) ** 2
               for i, (k, y) in enumerate(zip(keys, values))) / len(keys)


def best_w(keys, values):
    grid = [round(0.05 * j, 2) for j in range(1, 201)]
    errs = [(loo_error(keys, values, w), w) for w in grid]
    return min(errs)[1], errs


def fmt(v):
    return repr(float(v)) if not float(v).is_integer() else str(int(v))


def write_vector(path, vals):
    head = "," + ",".join(str(i) for i in range(len(vals)))
    row = "0," + ",".join(fmt(v) for v in vals)
    with open(path, "w", newline="\n") as fh:
        fh.write(head + "\n" + row + "\n")


def write_model(folder, pooling, keys, values, queries, w):
    os.makedirs(os.path.join(folder, "tensors"), exist_ok=True)
    cfg = {"architecture": "attention_pooling", "pooling": pooling,
           "n_keys": len(keys), "n_queries": len(queries), "truth": True}
    with open(os.path.join(folder, "config.json"), "w") as fh:
        json.dump(cfg, fh, indent=1)
        fh.write("\n")
    t = os.path.join(folder, "tensors")
    write_vector(os.path.join(t, "keys.csv"), keys)
    write_vector(os.path.join(t, "values.csv"), values)
    write_vector(os.path.join(t, "queries.csv"), queries)
    write_vector(os.path.join(t, "w.csv"), [w])
    write_vector(os.path.join(t, "truth.csv"), [round(f(x), 6) for x in queries])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    models = os.path.dirname(here)
    keys, values, queries = data()
    w, errs = best_w(keys, values)
    write_model(os.path.join(models, "pooling-average"), "average", keys, values, queries, 1)
    write_model(os.path.join(models, "pooling-nw"), "nadaraya_watson", keys, values, queries, 1)
    write_model(os.path.join(models, "pooling-parametric"), "parametric", keys, values, queries, w)
    print("leave-one-out mean squared error:")
    print("  w = 1.00 (Nadaraya-Watson): %.4f" % loo_error(keys, values, 1.0))
    print("  w = %.2f (best on the grid): %.4f" % (w, min(errs)[0]))
    n, total = len(values), sum(values)
    avg_err = sum(((total - y) / (n - 1) - y) ** 2 for y in values) / n
    print("  average pooling (mean of the other 39): %.4f" % avg_err)
    print("query   f(x)   average  NW(w=1)  parametric(w=%.2f)" % w)
    mean = sum(values) / len(values)
    for x in queries:
        print("%5.2f %7.4f %8.4f %8.4f %8.4f" % (x, f(x), mean, pool(x, keys, values, 1.0),
                                                pool(x, keys, values, w)))


if __name__ == "__main__":
    main()
