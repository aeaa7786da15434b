// Alignment and uniformity against the Wang & Isola formulas computed with torch in float64
// (Tests/Fixtures/training/align_uniform.json).

import Foundation
import Kernels
import Testing
import TestSupport
@testable import Training

private struct AlignUniformFixture: Decodable {
    let rows, dim: Int
    let x, y: [Float]
    let alignment, uniformity_x, uniformity_xy: Double
}

@Suite struct AlignmentUniformityTests {
    @Test func matchesTorch() throws {
        let f = try TrainingFixture.json("align_uniform.json", as: AlignUniformFixture.self)
        let alignment = Alignment.of(f.x, f.y, dim: f.dim)
        let ux = Uniformity.of(f.x, dim: f.dim)
        let uxy = Uniformity.of(f.x + f.y, dim: f.dim)
        let results = [alignment, ux, uxy], expected = [f.alignment, f.uniformity_x, f.uniformity_xy]
        let c = closeness("alignment, uniformity(x), uniformity(x∪y)", results, expected, atol: 1e-9, rtol: 1e-6)
        print("Alignment/Uniformity relative errors: "
              + zip(results, expected).map { "\(abs($0 - $1) / abs($1))" }.joined(separator: ", "))
        #expect(c.ok, "\(c)")
    }

    @Test func blockBoundaryAndNormalizedFlag() {
        // 600 rows crosses the 256-row blocks; compare with a direct Double computation.
        let n = 600, h = 8
        var rng = Rng(seed: 1)
        var x = (0..<(n * h)).map { _ in rng.uniform() - 0.5 }
        for i in 0..<n {
            let norm = (0..<h).reduce(Float(0)) { $0 + x[i * h + $1] * x[i * h + $1] }.squareRoot()
            for k in 0..<h { x[i * h + k] /= norm }
        }
        var total = 0.0
        for i in 0..<n {
            for j in (i + 1)..<n {
                var d2 = 0.0
                for k in 0..<h { let d = Double(x[i * h + k]) - Double(x[j * h + k]); d2 += d * d }
                total += exp(-2 * d2)
            }
        }
        let direct = log(total / Double(n * (n - 1) / 2))
        let blocked = Uniformity.of(x, dim: h, normalized: true)
        #expect(abs(blocked - direct) <= 1e-6 * abs(direct))
        #expect(abs(Uniformity.of(x, dim: h) - blocked) <= 1e-6 * abs(direct))
    }

    @Test func extremes() {
        let same: [Float] = [1, 2, 3, 2, 4, 6]  // two rows, the same direction
        #expect(Alignment.of(same, same.map { $0 * 3 }, dim: 3) < 1e-15)
        #expect(abs(Uniformity.of(same, dim: 3)) < 1e-7)
        let opposite: [Float] = [1, 0, -1, 0]
        #expect(abs(Alignment.of([1, 0], [-1, 0], dim: 2) - 4) < 1e-12)
        #expect(abs(Uniformity.of(opposite, dim: 2) - -8) < 1e-6)
    }
}
