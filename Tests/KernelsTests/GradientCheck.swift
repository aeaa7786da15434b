// Finite-difference checks of each kernel's backward pass: for L = Σ w ⊙ f(x) with a fixed random
// w, the analytic ∂L/∂x must match central differences. Float central differences with step h
// carry O(h²) truncation and O(ε/h) rounding error, hence the tolerances in the tests.

import Foundation
import Kernels

struct TestRandom {
    var rng: Rng
    init(_ seed: UInt64) { rng = Rng(seed: seed) }
    mutating func normal() -> Float {
        // Box–Muller
        let u1 = max(rng.uniform(), 1e-7), u2 = rng.uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
    mutating func normals(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in normal() * scale } }
}

/// Central-difference gradient of `loss` with respect to `x`, perturbing each element by ±h.
func numericalGradient(_ x: [Float], h: Float = 1e-2, _ loss: ([Float]) -> Double) -> [Double] {
    var x = x
    var g = [Double](repeating: 0, count: x.count)
    for i in 0..<x.count {
        let saved = x[i]
        x[i] = saved + h
        let lp = loss(x)
        x[i] = saved - h
        let lm = loss(x)
        x[i] = saved
        g[i] = (lp - lm) / (2 * Double(h))
    }
    return g
}

func weightedSum(_ y: [Float], _ w: [Float]) -> Double {
    var s = 0.0
    for i in 0..<y.count { s += Double(y[i]) * Double(w[i]) }
    return s
}
