#!/usr/bin/python3
"""Regenerates the safetensors and CSV bad-input files in tests/data/bad/, the
good zero-size file in tests/data/good/, and this script's lines of
tests/data/bad/EXPECT (lines for other files are kept). Stdlib only.

    /usr/bin/python3 tests/data/make-bad-io.py
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
BAD = os.path.join(HERE, "bad")
GOOD = os.path.join(HERE, "good")


def st_bytes(header, data=b"", hlen=None):
    """A safetensors file from a header (dict or raw bytes) and data bytes."""
    if not isinstance(header, bytes):
        header = json.dumps(header, separators=(",", ":")).encode()
    n = len(header) if hlen is None else hlen
    return struct.pack("<Q", n) + header + data


def ent(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


F4 = b"\0" * 4

# name -> (bytes, substring expected in the error message)
FILES = {
    "st-short.safetensors": (b"\x05\0\0", "too short"),
    "st-empty.safetensors": (b"", "too short"),
    "st-header-past-end.safetensors": (st_bytes(b'{"a":1}', hlen=4096), "past the end of the file"),
    "st-header-huge.safetensors": (st_bytes(b"{}", hlen=200_000_000), "above the 100 MB limit"),
    "st-not-json.safetensors": (st_bytes(b'{"w": {"dtype": "F32",'), "not valid JSON"),
    "st-header-invalid-utf8.safetensors": (st_bytes(b'{"w\xff": {}}'), "not valid JSON"),
    "st-not-object.safetensors": (st_bytes(b"[1, 2, 3]"), "not a JSON object"),
    "st-entry-not-object.safetensors": (st_bytes({"w": [1, 2]}), "entry is not a JSON object"),
    "st-missing-dtype.safetensors": (st_bytes({"w": {"shape": [1], "data_offsets": [0, 4]}}, F4),
                                     'missing "dtype"'),
    "st-missing-shape.safetensors": (st_bytes({"w": {"dtype": "F32", "data_offsets": [0, 4]}}, F4),
                                     'missing "shape"'),
    "st-missing-offsets.safetensors": (st_bytes({"w": {"dtype": "F32", "shape": [1]}}, F4),
                                       'missing "data_offsets"'),
    "st-dtype-not-string.safetensors": (st_bytes({"w": ent(32, [1], 0, 4)}, F4),
                                        '"dtype" is not a string'),
    "st-unknown-dtype.safetensors": (st_bytes({"w": ent("F33", [1], 0, 4)}, F4), "unknown dtype"),
    "st-shape-not-array.safetensors": (st_bytes({"w": ent("F32", 1, 0, 4)}, F4),
                                       '"shape" is not an array'),
    "st-shape-float.safetensors": (st_bytes({"w": ent("F32", [1.0], 0, 4)}, F4),
                                   "shape[0] is not an integer"),
    "st-negative-shape.safetensors": (st_bytes({"w": ent("F32", [2, -1], 0, 4)}, F4),
                                      "shape[1] is negative"),
    "st-too-many-dims.safetensors": (st_bytes({"w": ent("F32", [1] * 9, 0, 4)}, F4),
                                     "at most 8 are supported"),
    "st-shape-overflow.safetensors": (st_bytes({"w": ent("F32", [2**32, 2**32, 2], 0, 4)}, F4),
                                      "overflows 64 bits"),
    "st-bytes-mismatch.safetensors": (st_bytes({"w": ent("F32", [2, 3], 0, 20)}, b"\0" * 20),
                                      "bytes but data_offsets span"),
    "st-offsets-not-pair.safetensors": (st_bytes({"w": {"dtype": "F32", "shape": [1],
                                                         "data_offsets": [0, 4, 8]}}, F4),
                                        "is not [begin, end]"),
    "st-offsets-reversed.safetensors": (st_bytes({"w": ent("F32", [0], 4, 0)}, F4), "are reversed"),
    "st-offsets-past-end.safetensors": (st_bytes({"w": ent("F32", [2], 0, 8)}, F4),
                                        "past the end of the data section"),
    "st-offsets-overlap.safetensors": (st_bytes({"a": ent("F32", [2], 0, 8),
                                                 "b": ent("F32", [2], 4, 12)}, b"\0" * 12), "overlap"),
    "st-offsets-gap.safetensors": (st_bytes({"a": ent("F32", [1], 0, 4),
                                             "b": ent("F32", [1], 8, 12)}, b"\0" * 12),
                                   "bytes 4..8 of the data section belong to no tensor"),
    "st-offsets-trailing.safetensors": (st_bytes({"a": ent("F32", [1], 0, 4)}, b"\0" * 8),
                                        "after the last one"),
    "st-duplicate-name.safetensors": (st_bytes(b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
                                               b'"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', F4),
                                      "duplicate tensor name"),
    "st-metadata-not-strings.safetensors": (st_bytes({"__metadata__": {"format": 1},
                                                      "w": ent("F32", [1], 0, 4)}, F4),
                                            "__metadata__"),
    "csv-empty.csv": (b"", "file is empty"),
    "csv-no-rows.csv": (b"token,d0,d1\n", "no data rows"),
    "csv-no-columns.csv": (b"token\na\nb\n", "no column labels"),
    "csv-ragged.csv": (b"token,d0,d1,d2,d3,d4\na,1,2,3,4,5\nb,1,2,3,4,5\nc,1,2,3,4,5\nd,1,2,3\n",
                       "row 5 has 3 values, expected 5"),
    "csv-not-number.csv": (b"token,d0,d1\na,1,2\nb,3,abc\n", "row 3, column 3: 'abc' is not a number"),
    "csv-nan.csv": (b"token,d0,d1\na,1,nan\n", "'nan' is not a finite number"),
    "csv-inf.csv": (b"token,d0,d1\na,-inf,2\n", "'-inf' is not a finite number"),
    "csv-out-of-range.csv": (b"token,d0\na,1e39\n", "outside the float range"),
    "csv-empty-value.csv": (b"token,d0,d1\na,1,\n", "empty cell"),
    "csv-invalid-utf8.csv": (b"token,d0\ncaf\xe9,1\n", "line 2: is not valid UTF-8"),
    "csv-nul.csv": (b"token,d0\na\0,1\n", "NUL byte"),
    "csv-unclosed-quote.csv": (b'token,d0\n"a,1\n', "quoted cell is not closed"),
    "csv-stray-quote.csv": (b'token,d0\na"b,1\n', "quote inside an unquoted cell"),
    "csv-after-quote.csv": (b'token,d0\n"a"b,1\n', "unexpected text after a closing quote"),
}


def main():
    os.makedirs(BAD, exist_ok=True)
    os.makedirs(GOOD, exist_ok=True)
    for name, (data, _) in FILES.items():
        with open(os.path.join(BAD, name), "wb") as f:
            f.write(data)
    with open(os.path.join(GOOD, "st-zero-dim.safetensors"), "wb") as f:
        f.write(st_bytes({"__metadata__": {"format": "pt"},
                          "empty": ent("F32", [0, 4], 0, 0),
                          "one": ent("F32", [1], 0, 4)}, struct.pack("<f", 1.5)))

    expect = os.path.join(BAD, "EXPECT")
    kept = []
    if os.path.exists(expect):
        with open(expect, encoding="utf-8") as f:
            kept = [l for l in f.read().splitlines()
                    if l.strip() and l.split("\t", 1)[0] not in FILES]
    with open(expect, "w", encoding="utf-8") as f:
        for line in kept:
            f.write(line + "\n")
        for name, (_, sub) in FILES.items():
            f.write(f"{name}\t{sub}\n")


if __name__ == "__main__":
    main()
