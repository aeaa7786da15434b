// AdamW against torch.optim.AdamW trajectories (Tests/Fixtures/training/adamw.json): three
// tensors in one flat buffer, the middle one never gets a gradient (its fixture gradient is NaN,
// so reading it would show).

import Kernels
import Testing
import TestSupport
@testable import Training

private struct AdamWFixture: Decodable {
    struct Options: Decodable {
        let lr, beta1, beta2, eps, weight_decay: Double
        let warmup_steps: Int
    }
    struct Case: Decodable {
        let name: String
        let options: Options
        let initial: [Float]
        let grads: [[Float?]]  // null: NaN, a gradient outside the ranges
        let params, exp_avg, exp_avg_sq: [[Float]]
    }
    let sizes: [Int]
    let cases: [Case]
}

@Suite struct AdamWTests {
    private static let fixture = try? TrainingFixture.json("adamw.json", as: AdamWFixture.self)

    @Test func fixturesLoad() { #expect(Self.fixture?.cases.count == 4) }

    @Test(arguments: ["reference_defaults", "large_lr", "no_decay_custom_betas", "warmup4"])
    func matchesTorch(name: String) throws {
        let f = try #require(Self.fixture)
        let c = try #require(f.cases.first { $0.name == name })
        let o = c.options
        var adam = AdamW(options: .init(learningRate: o.lr, beta1: o.beta1, beta2: o.beta2, epsilon: o.eps,
                                        weightDecay: o.weight_decay, warmupSteps: o.warmup_steps))
        let n = c.initial.count
        let pooler = f.sizes[0]..<(f.sizes[0] + f.sizes[1])
        let ranges = [0..<f.sizes[0], pooler.upperBound..<n]
        var p = c.initial
        var m = [Float](repeating: 0, count: n), v = m
        var worst = (params: 0.0, moments: 0.0, displacement: 0.0)
        for t in 0..<c.grads.count {
            let g = c.grads[t].map { $0 ?? .nan }
            adam.update(parameters: &p, gradients: g, firstMoment: &m, secondMoment: &v, ranges: ranges)
            #expect(adam.step == t + 1)
            let expected = c.params[t]
            let cp = closeness("\(name) params step \(t + 1)", p, expected, atol: 1e-30, rtol: 1e-6)
            let cm = closeness("\(name) exp_avg step \(t + 1)", m, c.exp_avg[t], atol: 1e-30, rtol: 1e-6)
            let cv = closeness("\(name) exp_avg_sq step \(t + 1)", v, c.exp_avg_sq[t], atol: 1e-30, rtol: 1e-6)
            #expect(cp.ok, "\(cp)")
            #expect(cm.ok, "\(cm)")
            #expect(cv.ok, "\(cv)")
            // The update itself, p_t − p_0, relative to its own size (float rounding of p limits it).
            let moved = zip(p, c.initial).map { Double($0) - Double($1) }
            let movedExpected = zip(expected, c.initial).map { Double($0) - Double($1) }
            worst.params = max(worst.params, maxRelative(p, expected))
            worst.moments = max(worst.moments, maxRelative(m, c.exp_avg[t]),
                                maxRelative(v, c.exp_avg_sq[t]))
            worst.displacement = max(worst.displacement, normRelativeError(moved, movedExpected))
            // The pooler range is untouched, its moments stay zero.
            #expect(pooler.allSatisfy { p[$0] == c.initial[$0] && m[$0] == 0 && v[$0] == 0 })
        }
        print("AdamW \(name): worst relative error params \(worst.params), moments \(worst.moments), "
              + "displacement max|diff|/max|Δp| \(worst.displacement)")
        #expect(worst.displacement <= 1e-3)
    }

    @Test func warmUpSchedule() {
        let adam = AdamW(options: .init(learningRate: 1e-3, warmupSteps: 4))
        #expect(adam.learningRate(atStep: 1) == 2.5e-4)
        #expect(adam.learningRate(atStep: 2) == 5e-4)
        #expect(adam.learningRate(atStep: 4) == 1e-3)
        #expect(adam.learningRate(atStep: 100) == 1e-3)
        #expect(AdamW().learningRate(atStep: 1) == 2e-5)
    }

    /// The two-thread split gives bit-identical results to one thread, and ranges are honoured
    /// across chunk boundaries.
    @Test func threadsDoNotChangeResults() {
        let n = 300_000
        var rng = Rng(seed: 3)
        let initial = (0..<n).map { _ in rng.uniform() - 0.5 }
        let ranges = [0..<1000, 5000..<150_001, 150_002..<n]
        var runs: [[Float]] = []
        for threads in [1, 2, 3] {
            var adam = AdamW(options: .init(learningRate: 1e-3))
            adam.threads = threads
            var p = initial, m = [Float](repeating: 0, count: n), v = m
            var g = [Float](repeating: 0, count: n)
            for _ in 0..<3 {
                for i in 0..<n { g[i] = rng.uniform() - 0.5 }
                for i in 1000..<5000 { g[i] = .nan }  // outside the ranges
                g[150_001] = .nan
                adam.update(parameters: &p, gradients: g, firstMoment: &m, secondMoment: &v, ranges: ranges)
            }
            runs.append(p + m + v)
            #expect((1000..<5000).allSatisfy { p[$0] == initial[$0] && m[$0] == 0 })
            #expect(p[150_001] == initial[150_001])
            rng = Rng(seed: 3)
            _ = (0..<n).map { _ in rng.uniform() }
        }
        #expect(runs[0] == runs[1])
        #expect(runs[0] == runs[2])
        #expect(splitRanges(ranges, into: 2).count == 2)
    }

    @Test func resumesFromStep() {
        var a = AdamW(options: .init(learningRate: 1e-2))
        var p: [Float] = [1, -2, 3], m: [Float] = [0, 0, 0], v: [Float] = [0, 0, 0]
        a.update(parameters: &p, gradients: [0.5, -1, 2], firstMoment: &m, secondMoment: &v)
        var b = AdamW(options: a.options, step: a.step)
        var p2 = p, m2 = m, v2 = v
        a.update(parameters: &p, gradients: [1, 1, 1], firstMoment: &m, secondMoment: &v)
        b.update(parameters: &p2, gradients: [1, 1, 1], firstMoment: &m2, secondMoment: &v2)
        #expect(p == p2 && m == m2 && v == v2 && b.step == 2)
    }
}

private func maxRelative(_ a: [Float], _ e: [Float]) -> Double {
    zip(a, e).reduce(0) { worst, pair in
        let (x, y) = (Double(pair.0), Double(pair.1))
        return x == y ? worst : max(worst, abs(x - y) / abs(y))
    }
}
