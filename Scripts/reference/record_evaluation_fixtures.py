#!/usr/bin/env python3
"""Records the Evaluation module's reference fixtures (dev tool only; never run by the tests).

Pinned: scipy==1.17.1, scikit-learn==1.9.1, numpy==2.4.6 (Scripts/reference/requirements.txt).
Usage:  /work/venv-ref/bin/python Scripts/reference/record_evaluation_fixtures.py [--data DIR]
Writes: Tests/Fixtures/evaluation/statistics.json  (rank, Spearman, Pearson, ROC-AUC)
        Tests/Fixtures/evaluation/evaluator.json   (whole-set scores with a fake embedder)

Large vectors are not stored: both sides regenerate them from a seed with splitmix64 and the
same IEEE double operations in the same order, so the values are bit-identical in Swift.
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import scipy
import scipy.stats
import sklearn
import sklearn.metrics

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "evaluation")
MASK = (1 << 64) - 1


# ---------------------------------------------------------------- generator (mirrored in Swift)
class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        """A double in [0, 1) with 53 random bits (exact)."""
        return (self.next() >> 11) / 9007199254740992.0


def generate_pairs(seed, n, levels_x, levels_noise, slope):
    """x_i = u or floor(u*levels_x); y_i = slope*x_i + (u' or floor(u'*levels_noise))."""
    g = SplitMix64(seed)
    x, y = [], []
    for _ in range(n):
        u1 = g.uniform()
        u2 = g.uniform()
        xi = u1 if levels_x == 0 else float(math.floor(u1 * levels_x))
        ni = u2 if levels_noise == 0 else float(math.floor(u2 * levels_noise))
        x.append(xi)
        y.append(slope * xi + ni)
    return x, y


def generate_labelled(seed, n, levels, signal):
    """score_i = u or floor(u*levels); label_i = u' < 0.5 + signal*(u - 0.5)."""
    g = SplitMix64(seed)
    scores, labels = [], []
    for _ in range(n):
        u1 = g.uniform()
        u2 = g.uniform()
        scores.append(u1 if levels == 0 else float(math.floor(u1 * levels)))
        labels.append(u2 < 0.5 + signal * (u1 - 0.5))
    return scores, labels


def num(v):
    v = float(v)
    return v if math.isfinite(v) else None


# ---------------------------------------------------------------- statistics.json
def statistics_fixture():
    explicit = [
        ("n2", [1.0, 2.0], [3.0, 1.0]),
        ("n3", [1.0, 2.0, 3.0], [2.0, 1.0, 4.0]),
        ("n3_one_tie", [1.0, 1.0, 3.0], [5.0, 6.0, 7.0]),
        ("ties_both", [1, 2, 2, 3, 3, 3, 4, 5, 5, 6], [2, 2, 1, 4, 3, 3, 5, 6, 6, 6]),
        ("many_ties", [0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 0, 1, 2, 0], [1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1]),
        ("negative", [1.5, 2.5, 3.0, 4.25, 10.0, 11.0], [9.0, 8.0, 8.0, 3.0, 1.0, -2.0]),
        ("perfect_negative", [1, 2, 3, 4, 5], [50, 40, 30, 20, 10]),
        ("x_constant", [4.0, 4.0, 4.0, 4.0], [1.0, 2.0, 3.0, 4.0]),
        ("y_constant", [1.0, 2.0, 3.0, 4.0], [0.1, 0.1, 0.1, 0.1]),
        ("both_constant", [2.0, 2.0, 2.0], [3.0, 3.0, 3.0]),
        ("large_offset", [1e9 + 0.25, 1e9 + 0.5, 1e9 + 0.125, 1e9 + 1.0, 1e9 + 0.75],
                         [3.0, 2.5, 2.75, 4.0, 1.0]),
        ("tiny_values", [1e-12, 3e-12, 2e-12, 5e-12], [7e-9, 1e-9, 4e-9, 9e-9]),
        ("negative_zero", [-0.0, 0.0, 1.0, -1.0], [0.5, 0.25, 1.0, 0.0]),
    ]
    cases = []
    for name, x, y in explicit:
        x = [float(v) for v in x]
        y = [float(v) for v in y]
        with np.errstate(all="ignore"):
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rho = scipy.stats.spearmanr(x, y).statistic
                r = scipy.stats.pearsonr(x, y).statistic
        cases.append({"name": name, "x": x, "y": y, "spearman": num(rho), "pearson": num(r),
                      "rank_x": [float(v) for v in scipy.stats.rankdata(x, method="average")],
                      "rank_y": [float(v) for v in scipy.stats.rankdata(y, method="average")]})

    generated = []
    for name, seed, n, lx, ln, slope in [
        ("n5000_random_ties", 20211107, 5000, 40, 25, 1.0),
        ("n5000_negative_ties", 7, 5000, 12, 9, -1.0),
        ("n5000_continuous", 99, 5000, 0, 0, 0.5),
        ("n20000_heavy_ties", 31337, 20000, 5, 4, 2.0),
        ("n5000_uncorrelated", 4242, 5000, 50, 50, 0.0),
    ]:
        x, y = generate_pairs(seed, n, lx, ln, slope)
        rx = scipy.stats.rankdata(x, method="average")
        generated.append({"name": name, "seed": seed, "n": n, "levels_x": lx, "levels_noise": ln,
                          "slope": slope,
                          "spearman": num(scipy.stats.spearmanr(x, y).statistic),
                          "pearson": num(scipy.stats.pearsonr(x, y).statistic),
                          "rank_x_head": [float(v) for v in rx[:8]],
                          "rank_x_sum": float(np.sum(rx)),
                          "x_head": x[:4], "y_head": y[:4]})

    auc_explicit = [
        ("simple", [0.1, 0.4, 0.35, 0.8], [False, False, True, True]),
        ("all_tied", [0.5, 0.5, 0.5, 0.5], [True, False, True, False]),
        ("ties_across_classes", [1, 2, 2, 3, 3, 3, 4], [False, True, False, True, True, False, True]),
        ("perfect", [0.9, 0.8, 0.2, 0.1], [True, True, False, False]),
        ("inverted", [0.9, 0.8, 0.2, 0.1], [False, False, True, True]),
        ("n2", [0.3, 0.7], [False, True]),
        ("negative_scores", [-0.5, -0.2, -0.9, 0.1, -0.2], [True, False, False, True, True]),
    ]
    auc_cases = []
    for name, scores, labels in auc_explicit:
        scores = [float(v) for v in scores]
        auc_cases.append({"name": name, "scores": scores, "labels": labels,
                          "auc": float(sklearn.metrics.roc_auc_score(labels, scores))})
    auc_generated = []
    for name, seed, n, levels, signal in [
        ("n5000_ties", 1234, 5000, 30, 0.6),
        ("n5000_continuous", 5678, 5000, 0, 0.3),
        ("n10000_heavy_ties", 9, 10000, 4, 0.8),
        ("n4463_anti", 4463, 4463, 100, -0.5),
    ]:
        scores, labels = generate_labelled(seed, n, levels, signal)
        auc_generated.append({"name": name, "seed": seed, "n": n, "levels": levels, "signal": signal,
                              "positives": int(sum(labels)),
                              "auc": float(sklearn.metrics.roc_auc_score(labels, scores))})

    return {
        "generator": "scipy %s, scikit-learn %s, numpy %s" % (scipy.__version__, sklearn.__version__, np.__version__),
        "correlation": cases,
        "correlation_generated": generated,
        "auc": auc_cases,
        "auc_generated": auc_generated,
    }


# ---------------------------------------------------------------- evaluator.json
FAKE_DIM = 48


def fake_embed(text):
    """Signed hashed bag of code points (weight 1) and code-point bigrams (weight 0.5), float32.
    All entries are multiples of 0.5, so every dot product is exact in float64."""
    v = np.zeros(FAKE_DIM, dtype=np.float32)
    cps = [ord(c) for c in text]

    def add(key, weight):
        h = (key * 2654435761) & 0xFFFFFFFF
        sign = -1.0 if (h >> 20) & 1 else 1.0
        v[h % FAKE_DIM] += np.float32(sign * weight)

    for i, cp in enumerate(cps):
        add(cp, 1.0)
        if i + 1 < len(cps):
            add(cp * 1000003 + cps[i + 1], 0.5)
    return v


def cosine(u, v):
    u = u.astype(np.float64)
    v = v.astype(np.float64)
    uv = float(np.dot(u, v))
    uu = float(np.dot(u, u))
    vv = float(np.dot(v, v))
    if uu == 0 or vv == 0:
        return 0.0
    return uv / (math.sqrt(uu) * math.sqrt(vv))


def read_set(path, labelled):
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    a, b, gold = [], [], []
    for line in lines:
        if line.endswith("\r"):
            line = line[:-1]
        fields = line.split("\t")
        gold.append(float(int(fields[0])) if labelled else float(fields[0]))
        a.append(fields[1])
        b.append(fields[2])
    return a, b, gold


def evaluator_fixture(data):
    sets = [("sts12", "eval/sts12/test.tsv", "spearman"),
            ("simlex999", "eval/simlex999/test.tsv", "spearman"),
            ("multisimlex-cmn", "eval/multisimlex/cmn.tsv", "spearman"),
            ("qnli", "eval/qnli/dev.rest.tsv", "roc_auc")]
    out = []
    for name, rel, metric in sets:
        a, b, gold = read_set(os.path.join(data, rel), metric == "roc_auc")
        distinct = list(dict.fromkeys(a + b))
        cache = {t: fake_embed(t) for t in distinct}
        sims = [cosine(cache[x], cache[y]) for x, y in zip(a, b)]
        if metric == "spearman":
            score = scipy.stats.spearmanr(gold, sims).statistic
        else:
            score = sklearn.metrics.roc_auc_score([g == 1 for g in gold], sims)
        out.append({"set": name, "path": rel, "metric": metric, "n": len(gold), "distinct_texts": len(distinct),
                    "score": 100.0 * float(score), "cosines_head": sims[:5],
                    "first_vector": [float(x) for x in cache[a[0]]]})
    return {"fake_embedder": {"dim": FAKE_DIM, "multiplier": 2654435761, "bigram_multiplier": 1000003},
            "sets": out}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("MIRROR_BERT_DATA",
                                                         os.path.join(os.path.dirname(ROOT), "shared", "data")))
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    for name, payload in [("statistics.json", statistics_fixture()), ("evaluator.json", evaluator_fixture(args.data))]:
        path = os.path.join(OUT, name)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(payload, f, indent=1, ensure_ascii=False)
            f.write("\n")
        print("wrote", os.path.relpath(path, ROOT), os.path.getsize(path), "bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
