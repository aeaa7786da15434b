// Helpers for the statistics tests: the fixtures' seeded generators (mirroring
// Scripts/reference/record_evaluation_fixtures.py operation for operation) and fixture decoding.

import Foundation
import TestSupport
@testable import Evaluation

// MARK: - Generators (bit-identical to the Python script: TestSupport's SplitMix64)

func generatePairs(seed: UInt64, n: Int, levelsX: Int, levelsNoise: Int, slope: Double) -> (x: [Double], y: [Double]) {
    var g = SplitMix64(seed: seed)
    var x: [Double] = [], y: [Double] = []
    for _ in 0..<n {
        let u1 = g.uniform(), u2 = g.uniform()
        let xi = levelsX == 0 ? u1 : (u1 * Double(levelsX)).rounded(.down)
        let ni = levelsNoise == 0 ? u2 : (u2 * Double(levelsNoise)).rounded(.down)
        x.append(xi)
        y.append(slope * xi + ni)
    }
    return (x, y)
}

func generateLabelled(seed: UInt64, n: Int, levels: Int, signal: Double) -> (scores: [Double], labels: [Bool]) {
    var g = SplitMix64(seed: seed)
    var scores: [Double] = [], labels: [Bool] = []
    for _ in 0..<n {
        let u1 = g.uniform(), u2 = g.uniform()
        scores.append(levels == 0 ? u1 : (u1 * Double(levels)).rounded(.down))
        labels.append(u2 < 0.5 + signal * (u1 - 0.5))
    }
    return (scores, labels)
}

// MARK: - Fixtures

struct StatisticsFixture: Decodable {
    struct Correlation: Decodable {
        let name: String
        let x: [Double], y: [Double]
        let spearman: Double?, pearson: Double?
        let rank_x: [Double], rank_y: [Double]
    }
    struct CorrelationGenerated: Decodable {
        let name: String
        let seed: UInt64, n: Int, levels_x: Int, levels_noise: Int, slope: Double
        let spearman: Double, pearson: Double
        let rank_x_head: [Double], rank_x_sum: Double, x_head: [Double], y_head: [Double]
    }
    struct AUC: Decodable { let name: String; let scores: [Double]; let labels: [Bool]; let auc: Double }
    struct AUCGenerated: Decodable {
        let name: String
        let seed: UInt64, n: Int, levels: Int, signal: Double, positives: Int, auc: Double
    }
    let correlation: [Correlation]
    let correlation_generated: [CorrelationGenerated]
    let auc: [AUC]
    let auc_generated: [AUCGenerated]
}

func loadFixture<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
    let data = try Data(contentsOf: TestPaths.fixture("evaluation/\(name)"))
    return try JSONDecoder().decode(T.self, from: data)
}

/// |a − b| ≤ tol, with NaN matching nil/NaN.
func agrees(_ actual: Double, _ expected: Double?, within tol: Double) -> Bool {
    guard let expected else { return actual.isNaN }
    return abs(actual - expected) <= tol
}
