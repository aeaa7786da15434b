// InfoNCE against pytorch-metric-learning's NTXentLoss (autograd through torch, float32 and
// float64), a finite-difference check of the same code in Double, and the real batch size.

import Foundation
import Kernels
import Testing
import TestSupport
@testable import Training

private struct InfoNCEManifest: Decodable {
    struct Case: Decodable {
        let name: String
        let batch, rows, dim: Int
        let temperature: Double
        let kind: String
        let loss_f32, loss_f64: Double
        let embeddings, gradient_f32, gradient_f64, count: Int
    }
    let cases: [Case]
}

@Suite struct InfoNCETests {
    // Optional so that a missing fixture fails `fixturesLoad` instead of crashing the suite.
    private static let loaded = try? TrainingFixture.json("infonce.json", as: InfoNCEManifest.self)
    private static let manifest = loaded ?? InfoNCEManifest(cases: [])
    private static let blob = (try? TrainingFixture.floats("infonce.bin")) ?? []

    @Test func fixturesLoad() {
        #expect(Self.loaded != nil)
        #expect(Self.manifest.cases.count == 14)
        #expect(Self.blob.count == Self.manifest.cases.reduce(0) { $0 + 3 * $1.count })
    }

    @Test(arguments: manifest.cases.map(\.name))
    func matchesNTXentLoss(name: String) throws {
        let c = try #require(Self.manifest.cases.first { $0.name == name })
        let e = Array(Self.blob[c.embeddings..<(c.embeddings + c.count)])
        let g32 = Array(Self.blob[c.gradient_f32..<(c.gradient_f32 + c.count)])
        let g64 = Array(Self.blob[c.gradient_f64..<(c.gradient_f64 + c.count)])
        let loss = InfoNCE(temperature: Float(c.temperature))
        var grad = [Float](repeating: .nan, count: c.count)
        let value = e.withUnsafeBufferPointer { ep in
            grad.withUnsafeMutableBufferPointer { gp in
                loss.forward(embeddings: ep.baseAddress!, rows: c.rows, dim: c.dim, gradient: gp.baseAddress!)
            }
        }
        let lossVsF32 = closeness("\(name) loss vs PML f32", [value], [c.loss_f32])
        let gradVsF32 = closeness("\(name) grad vs PML f32", grad, g32)
        // Against float64 autograd, with the absolute tolerance scaled to the gradient's size.
        let scale = g64.map { abs(Double($0)) }.max() ?? 0
        let lossVsF64 = closeness("\(name) loss vs PML f64", [value], [c.loss_f64], atol: 1e-6, rtol: 1e-5)
        let gradVsF64 = closeness("\(name) grad vs PML f64", grad, g64, atol: 1e-5 * scale, rtol: 1e-4)
        print("InfoNCE \(name): loss rel err vs f64 \(relative(Double(value), c.loss_f64)), "
              + "grad max|diff|/max|g| vs f64 \(normRelativeError(grad, g64)), vs f32 \(normRelativeError(grad, g32))")
        #expect(lossVsF32.ok, "\(lossVsF32)")
        #expect(gradVsF32.ok, "\(gradVsF32)")
        #expect(lossVsF64.ok, "\(lossVsF64)")
        #expect(gradVsF64.ok, "\(gradVsF64)")
        if c.batch == 1 { #expect(value == 0 && grad.allSatisfy { $0 == 0 }) }
    }

    @Test func lossWithoutGradientIsTheSame() throws {
        let c = try #require(Self.manifest.cases.first { $0.name == "b16_h37_t004" })
        let e = Array(Self.blob[c.embeddings..<(c.embeddings + c.count)])
        let loss = InfoNCE(temperature: Float(c.temperature))
        var grad = [Float](repeating: 0, count: c.count)
        let withGradient = loss.forward(embeddings: e, rows: c.rows, dim: c.dim, gradient: &grad)
        let without = loss.forward(embeddings: e, rows: c.rows, dim: c.dim, gradient: nil)
        #expect(withGradient == without)
    }

    /// Central differences with one Richardson step on the Double instantiation of the core.
    @Test(arguments: [
        (3, 5, 0.04, false), (4, 7, 0.2, false), (5, 6, 0.04, true), (2, 3, 0.07, false), (6, 4, 0.2, true),
    ])
    func finiteDifferenceInDouble(batch: Int, dim: Int, temperature: Double, duplicates: Bool) {
        let n = 2 * batch
        var rng = Rng(seed: UInt64(batch * 1000 + dim))
        var x = (0..<(n * dim)).map { _ in Double(rng.uniform()) * 2 - 1 }
        if duplicates {  // a negative identical to the anchor, and a positive identical to its anchor
            for k in 0..<dim { x[1 * dim + k] = x[k]; x[(batch + 2) * dim + k] = x[2 * dim + k] }
        }
        let ws = InfoNCEWorkspace<Double>()
        func f(_ v: [Double]) -> Double {
            infoNCEForward(v, rows: n, dim: dim, temperature: temperature, gradient: nil, workspace: ws)
        }
        var analytic = [Double](repeating: 0, count: n * dim)
        _ = infoNCEForward(x, rows: n, dim: dim, temperature: temperature, gradient: &analytic, workspace: ws)
        var numeric = [Double](repeating: 0, count: n * dim)
        let h = 1e-4
        for i in 0..<(n * dim) {
            func central(_ step: Double) -> Double {
                var plus = x, minus = x
                plus[i] += step
                minus[i] -= step
                return (f(plus) - f(minus)) / (2 * step)
            }
            numeric[i] = (4 * central(h / 2) - central(h)) / 3
        }
        let rel = normRelativeError(analytic, numeric)
        print("InfoNCE finite difference B=\(batch) H=\(dim) τ=\(temperature) dup=\(duplicates): "
              + "max|diff|/max|g| \(rel)")
        #expect(rel <= 1e-6)
        let c = closeness("fd", analytic, numeric, atol: 1e-9, rtol: 1e-6)
        #expect(c.ok, "\(c)")
    }

    /// B = 200, H = 768: the Float/BLAS path against the Double path of the same code.
    @Test func realBatchSizeAgreesWithDouble() {
        let b = 200, h = 768, n = 2 * b
        var rng = Rng(seed: 42)
        var x = [Float](repeating: 0, count: n * h)
        for i in 0..<(b * h) { x[i] = rng.uniform() * 2 - 1 }
        for i in 0..<(b * h) { x[b * h + i] = x[i] + 4 * (rng.uniform() * 2 - 1) }
        let loss = InfoNCE(temperature: 0.04)
        var grad = [Float](repeating: 0, count: n * h)
        let start = Date()
        let value = loss.forward(embeddings: x, rows: n, dim: h, gradient: &grad)
        let seconds = Date().timeIntervalSince(start)
        let again = loss.forward(embeddings: x, rows: n, dim: h, gradient: &grad)  // reused scratch
        #expect(value == again)

        let xd = x.map(Double.init)
        var gd = [Double](repeating: 0, count: n * h)
        let vd = infoNCEForward(xd, rows: n, dim: h, temperature: 0.04, gradient: &gd, workspace: InfoNCEWorkspace())
        let rel = normRelativeError(grad, gd)
        print("InfoNCE B=200 H=768 τ=0.04: loss \(value) (Double \(vd), rel \(relative(Double(value), vd))), "
              + "grad max|diff|/max|g| \(rel), forward+backward \(seconds) s")
        #expect(value.isFinite && grad.allSatisfy(\.isFinite))
        #expect(abs(Double(value) - vd) <= 1e-5 * abs(vd) + 1e-6)
        #expect(rel <= 1e-4)
    }
}

private func relative(_ a: Double, _ e: Double) -> Double { e == 0 ? abs(a) : abs(a - e) / abs(e) }
