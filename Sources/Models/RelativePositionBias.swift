// MPNet's relative position bias (HF MPNetEncoder.compute_position_bias and
// relative_position_bucket, T5-style): for query i and key j the relative position r = j − i is
// put in one of `buckets` buckets — half for each sign; within a half, |r| < buckets/4 gets its own
// bucket, larger distances share logarithmically sized buckets up to max_distance 128 — and
// bias[h, i, j] = W[bucket(r), h] is added to every layer's scaled attention scores. The
// positions are 0..<T whatever the padding (HF passes no position_ids), so the bias of real
// tokens does not depend on how much padding follows them.

import Foundation

public enum RelativePositionBias {
    /// HF relative_position_bucket(relative_position, num_buckets, max_distance=128), including
    /// its float32 log arithmetic (torch computes the large-distance bucket in float32).
    public static func bucket(_ relative: Int, buckets: Int, maxDistance: Int = 128) -> Int {
        let half = buckets / 2
        var ret = 0
        var n = -relative
        if n < 0 { ret += half }
        n = abs(n)
        let maxExact = half / 2
        if n < maxExact { return ret + n }
        let scale = Float(log(Double(maxDistance) / Double(maxExact)))
        let large = maxExact + Int((logf(Float(n) / Float(maxExact)) / scale) * Float(half - maxExact))
        return ret + min(large, half - 1)
    }

    /// The (T, T) bucket of every (query, key) pair.
    static func buckets(sequence T: Int, buckets: Int) -> [Int32] {
        var out = [Int32](repeating: 0, count: T * T)
        for i in 0..<T { for j in 0..<T { out[i * T + j] = Int32(bucket(j - i, buckets: buckets)) } }
        return out
    }

    /// bias (heads, T, T) from the table W (buckets, heads).
    static func expand(_ bias: UnsafeMutablePointer<Float>, table: UnsafePointer<Float>, buckets: [Int32],
                       heads: Int, sequence T: Int) {
        for h in 0..<heads {
            for k in 0..<(T * T) { bias[h * T * T + k] = table[Int(buckets[k]) * heads + h] }
        }
    }

    /// dW (buckets, heads) += the bucket sums of dBias (heads, T, T).
    static func scatter(_ dTable: UnsafeMutablePointer<Float>, dBias: UnsafePointer<Float>, buckets: [Int32],
                        heads: Int, sequence T: Int) {
        for h in 0..<heads {
            for k in 0..<(T * T) { dTable[Int(buckets[k]) * heads + h] += dBias[h * T * T + k] }
        }
    }
}
