// Correlation and ranking statistics for evaluation, with the semantics of the reference tools:
//   rank      = scipy.stats.rankdata(method="average"): 1-based, ties share the mean of their ranks
//   spearman  = scipy.stats.spearmanr(x, y).statistic = Pearson of the average ranks
//   pearson   = scipy.stats.pearsonr(x, y).statistic, clipped to [−1, 1]
//   rocAUC    = sklearn.metrics.roc_auc_score(labels, scores): P(score⁺ > score⁻) + ½·P(tie)
// All sums are two-pass (mean first, then centred products) with compensated (Neumaier)
// accumulation in Double, so n = 10⁵ values agree with numpy to ~1e-15.
// Undefined results are NaN, never a trap: fewer than 2 values, a constant side, a NaN input,
// and (for rocAUC) a single class. sklearn raises on a single class; NaN is our equivalent.

import Foundation

public enum Statistics {
    // MARK: - Sums and ranks

    /// A running compensated (Neumaier) sum: error ~1 ulp of the result whatever the magnitudes.
    public struct CompensatedSum {
        private var s = 0.0, c = 0.0
        public init() {}
        public mutating func add(_ v: Double) {
            let t = s + v
            if abs(s) >= abs(v) { c += (s - t) + v } else { c += (v - t) + s }
            s = t
        }
        public var value: Double { s + c }
    }

    /// Compensated sum of `values`.
    public static func sum(_ values: [Double]) -> Double {
        var acc = CompensatedSum()
        for v in values { acc.add(v) }
        return acc.value
    }

    /// Arithmetic mean (NaN for no values).
    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : sum(values) / Double(values.count)
    }

    /// Average ranks, 1-based, as `scipy.stats.rankdata(values, method="average")`: equal values
    /// share the mean of the ranks they span (three values tied for ranks 4,5,6 all get 5).
    /// - Precondition: no NaN (NaN has no order); callers that may see NaN check first.
    public static func rank(_ values: [Double]) -> [Double] {
        precondition(!values.contains { $0.isNaN }, "Statistics.rank: NaN has no rank")
        let n = values.count
        let order = (0..<n).sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var ranks = [Double](repeating: 0, count: n)
        var start = 0
        while start < n {
            var end = start + 1
            while end < n && values[order[end]] == values[order[start]] { end += 1 }
            // positions start..<end (0-based) hold ranks start+1 ... end; their mean:
            let shared = Double(start + 1 + end) / 2
            for k in start..<end { ranks[order[k]] = shared }
            start = end
        }
        return ranks
    }

    // MARK: - Correlations

    /// Pearson's r of `x` and `y`, clipped to [−1, 1]; NaN if n < 2, a side is constant or any
    /// value is NaN.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "Statistics.pearson: \(x.count) vs \(y.count) values")
        let n = x.count
        guard n >= 2 else { return .nan }
        // A constant side is tested directly: its computed mean need not equal the value exactly.
        guard x.contains(where: { $0 != x[0] }), y.contains(where: { $0 != y[0] }) else { return .nan }
        let mx = mean(x), my = mean(y)
        guard mx.isFinite && my.isFinite else { return .nan }
        var sxy = CompensatedSum(), sxx = CompensatedSum(), syy = CompensatedSum()
        for i in 0..<n {
            let dx = x[i] - mx, dy = y[i] - my
            sxy.add(dx * dy)
            sxx.add(dx * dx)
            syy.add(dy * dy)
        }
        let r = sxy.value / (sxx.value.squareRoot() * syy.value.squareRoot())
        return min(1, max(-1, r))
    }

    /// Spearman's ρ: Pearson's r of the average ranks (ties get the mean rank), as scipy's
    /// `spearmanr`. NaN if n < 2, a side is constant (all tied) or any value is NaN.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "Statistics.spearman: \(x.count) vs \(y.count) values")
        guard x.count >= 2, !x.contains(where: { $0.isNaN }), !y.contains(where: { $0.isNaN }) else { return .nan }
        return pearson(rank(x), rank(y))
    }

    // MARK: - Classification

    /// Area under the ROC curve of `scores` for binary `labels` (true = positive), computed exactly
    /// as the Mann–Whitney statistic: the fraction of (positive, negative) pairs ranked correctly,
    /// a tie counting ½ — identical to `sklearn.metrics.roc_auc_score`. NaN if one class is absent
    /// or a score is NaN.
    public static func rocAUC(scores: [Double], labels: [Bool]) -> Double {
        precondition(scores.count == labels.count, "Statistics.rocAUC: \(scores.count) scores vs \(labels.count) labels")
        let positives = labels.reduce(0) { $0 + ($1 ? 1 : 0) }
        let negatives = labels.count - positives
        guard positives > 0 && negatives > 0, !scores.contains(where: { $0.isNaN }) else { return .nan }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        // Walk tie groups in increasing score; count pairs (pos above neg) in integers (exact).
        var negativesBelow = 0
        var twiceCorrect = 0  // 2·(correct pairs) + (tied pairs), exact in Int
        var start = 0
        while start < order.count {
            var end = start, pos = 0, neg = 0
            while end < order.count && scores[order[end]] == scores[order[start]] {
                if labels[order[end]] { pos += 1 } else { neg += 1 }
                end += 1
            }
            twiceCorrect += pos * (2 * negativesBelow + neg)
            negativesBelow += neg
            start = end
        }
        return Double(twiceCorrect) / (2 * Double(positives) * Double(negatives))
    }

    // MARK: - Vectors

    /// Cosine similarity of two Float vectors, accumulated in Double. A zero vector has no
    /// direction; its cosine with anything is defined here as 0 (scipy would give NaN).
    public static func cosine(_ u: [Float], _ v: [Float]) -> Double {
        precondition(u.count == v.count, "Statistics.cosine: dimensions \(u.count) vs \(v.count)")
        var uv = 0.0, uu = 0.0, vv = 0.0
        for i in 0..<u.count {
            let a = Double(u[i]), b = Double(v[i])
            uv += a * b
            uu += a * a
            vv += b * b
        }
        guard uu > 0 && vv > 0 else { return 0 }
        return uv / (uu.squareRoot() * vv.squareRoot())
    }
}
