// AdamW (Loshchilov & Hutter 2019) with torch.optim.AdamW's semantics (torch 2.13, single-tensor
// path, amsgrad and maximize off), over flat Float buffers in the llm.c style: parameters,
// gradients and both moments share one layout, and only the given index ranges are touched (a
// tensor whose gradient PyTorch leaves as None, such as an unused pooler, is skipped with its
// moments).
//
// Step t (1-based), learning rate η_t = η · w(t), w(t) = min(1, t / warmup) or 1 without warm-up:
//   p ← p · (1 − η_t λ)                                   decoupled weight decay, before Adam
//   m ← m + (1 − β₁)(g − m)                               (torch's lerp_, weight < 0.5 branch)
//   v ← β₂ v + (1 − β₂) g²
//   p ← p − (η_t / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
// Scalars are formed in Double and rounded to Float where torch passes a Python float to a Float32
// kernel, and the two fused multiply-adds of torch's AVX2 kernels are reproduced, so on the
// fixtures the results are bit-identical to torch 2.13 (CPU capability AVX2).

import Foundation
import Kernels

/// The AdamW optimizer over flat Float buffers.
public struct AdamW: Sendable {
    /// Hyper-parameters; the defaults are the reference's (lr 2e-5, weight decay 0.01) and torch's.
    public struct Options: Sendable, Equatable {
        public var learningRate: Double
        public var beta1: Double
        public var beta2: Double
        public var epsilon: Double
        public var weightDecay: Double
        /// Linear warm-up length in steps: step t uses lr · min(1, t / warmupSteps); 0 = none.
        public var warmupSteps: Int

        public init(
            learningRate: Double = 2e-5, beta1: Double = 0.9, beta2: Double = 0.999,
            epsilon: Double = 1e-8, weightDecay: Double = 0.01, warmupSteps: Int = 0
        ) {
            precondition(learningRate >= 0 && epsilon >= 0 && weightDecay >= 0, "AdamW: negative hyper-parameter")
            precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "AdamW: betas must be in [0, 1)")
            precondition(warmupSteps >= 0, "AdamW: negative warm-up")
            self.learningRate = learningRate
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
            self.weightDecay = weightDecay
            self.warmupSteps = warmupSteps
        }
    }

    public var options: Options
    /// The number of updates taken so far (torch's `state["step"]`); the next update is step + 1.
    public private(set) var step: Int
    /// Threads the update loop is split across (results do not depend on it: the update is
    /// element-wise).
    public var threads: Int = 2

    /// `step` > 0 resumes from a checkpoint whose moments the caller restores.
    public init(options: Options = Options(), step: Int = 0) {
        precondition(step >= 0, "AdamW: negative step")
        self.options = options
        self.step = step
    }

    /// The learning rate step `t` (1-based) uses: lr · min(1, t / warmupSteps).
    public func learningRate(atStep t: Int) -> Double {
        if options.warmupSteps == 0 { return options.learningRate }
        return options.learningRate * min(1, Double(t) / Double(options.warmupSteps))
    }

    /// One update of `parameters` from `gradients`, with moments `firstMoment` (m) and
    /// `secondMoment` (v); all four have length `count` and the same layout. Only indices inside
    /// `ranges` (disjoint, within 0..<count) are read or written.
    public mutating func update(
        parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
        firstMoment: UnsafeMutablePointer<Float>, secondMoment: UnsafeMutablePointer<Float>,
        count: Int, ranges: [Range<Int>]
    ) {
        let sorted = ranges.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        for (k, r) in sorted.enumerated() {
            precondition(r.lowerBound >= 0 && r.upperBound <= count, "AdamW: range \(r) outside 0..<\(count)")
            if k > 0 { precondition(sorted[k - 1].upperBound <= r.lowerBound, "AdamW: overlapping ranges") }
        }
        step += 1
        let t = Double(step)
        let lr = learningRate(atStep: step)
        let o = options
        let coefficients = Coefficients(
            decay: Float(1 - lr * o.weightDecay),
            lerpWeight: Float(1 - o.beta1),
            beta2: Float(o.beta2),
            oneMinusBeta2: Float(1 - o.beta2),
            correction2Sqrt: Float((1 - pow(o.beta2, t)).squareRoot()),
            epsilon: Float(o.epsilon),
            negativeStepSize: Float(-(lr / (1 - pow(o.beta1, t)))),
            decays: o.weightDecay != 0)

        let chunks = splitRanges(sorted, into: max(1, threads))
        let p = SendablePointer(parameters), g = SendablePointer(UnsafeMutablePointer(mutating: gradients))
        let m = SendablePointer(firstMoment), v = SendablePointer(secondMoment)
        let work = { (chunk: [Range<Int>]) in
            for r in chunk {
                adamWKernel(p.pointer, g.pointer, m.pointer, v.pointer, r, coefficients)
            }
        }
        Parallel.each(chunks.count) { work(chunks[$0]) }
    }

    /// Array convenience for `update(parameters:gradients:firstMoment:secondMoment:count:ranges:)`.
    public mutating func update(
        parameters: inout [Float], gradients: [Float], firstMoment: inout [Float], secondMoment: inout [Float],
        ranges: [Range<Int>]? = nil
    ) {
        let n = parameters.count
        precondition(gradients.count == n && firstMoment.count == n && secondMoment.count == n,
                     "AdamW: buffers of different lengths")
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in
                firstMoment.withUnsafeMutableBufferPointer { m in
                    secondMoment.withUnsafeMutableBufferPointer { v in
                        update(parameters: p.baseAddress!, gradients: g.baseAddress!, firstMoment: m.baseAddress!,
                               secondMoment: v.baseAddress!, count: n, ranges: ranges ?? [0..<n])
                    }
                }
            }
        }
    }
}

// MARK: - Kernel

struct Coefficients: Sendable {
    let decay, lerpWeight, beta2, oneMinusBeta2, correction2Sqrt, epsilon, negativeStepSize: Float
    let decays: Bool
}

struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
}

// p, g, m, v over one index range; c from the step's scalars.
@inline(__always)
func adamWKernel(
    _ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>,
    _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
    _ range: Range<Int>, _ c: Coefficients
) {
    for i in range {
        let grad = g[i]
        var param = p[i]
        if c.decays { param *= c.decay }
        // torch lerp_ is fmadd(w, end − self, self): one rounding. The Double product of two Floats is
        // exact, so rounding the Double sum once gives the fused result (barring double-rounding
        // ties) without a libm fmaf call per element on targets built without FMA.
        let mi = Float(Double(m[i]) + Double(c.lerpWeight) * Double(grad - m[i]))
        // torch mul_(β₂) then addcmul_, whose AVX2 kernel contracts to fma(value·g, g, self)
        let vi = Float(Double(v[i] * c.beta2) + Double(c.oneMinusBeta2 * grad) * Double(grad))
        let denominator = vi.squareRoot() / c.correction2Sqrt + c.epsilon
        p[i] = param + c.negativeStepSize * mi / denominator  // torch addcdiv: self + (value·t1)/t2
        m[i] = mi
        v[i] = vi
    }
}

/// Splits sorted disjoint ranges into at most `parts` lists of about equal element counts.
func splitRanges(_ ranges: [Range<Int>], into parts: Int) -> [[Range<Int>]] {
    let total = ranges.reduce(0) { $0 + $1.count }
    let parts = total < 65_536 ? 1 : parts
    if parts == 1 { return [ranges] }
    let target = (total + parts - 1) / parts
    var result: [[Range<Int>]] = [[]]
    var filled = 0
    for r in ranges {
        var lower = r.lowerBound
        while lower < r.upperBound {
            if filled == target && result.count < parts { result.append([]); filled = 0 }
            let take = min(r.upperBound - lower, result.count < parts ? target - filled : Int.max)
            result[result.count - 1].append(lower..<(lower + take))
            filled += take
            lower += take
        }
    }
    return result
}
