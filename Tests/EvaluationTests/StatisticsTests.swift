// Rank, Spearman, Pearson and ROC-AUC against scipy 1.17.1 / scikit-learn 1.9.1, recorded in
// Tests/Fixtures/evaluation/statistics.json; agreement within 1e-12.

import Foundation
import Testing
import TestSupport
@testable import Evaluation

@Suite struct StatisticsTests {
    let fixture: StatisticsFixture
    init() throws { fixture = try loadFixture("statistics.json", as: StatisticsFixture.self) }

    @Test func correlationsMatchScipyOnSmallVectors() {
        #expect(fixture.correlation.count >= 10)
        for c in fixture.correlation {
            let rho = Statistics.spearman(c.x, c.y)
            let r = Statistics.pearson(c.x, c.y)
            #expect(agrees(rho, c.spearman, within: 1e-12), "\(c.name): spearman \(rho) vs scipy \(String(describing: c.spearman))")
            #expect(agrees(r, c.pearson, within: 1e-12), "\(c.name): pearson \(r) vs scipy \(String(describing: c.pearson))")
            #expect(Statistics.rank(c.x) == c.rank_x, "\(c.name): ranks of x")
            #expect(Statistics.rank(c.y) == c.rank_y, "\(c.name): ranks of y")
        }
    }

    @Test func constantSideIsNaN() {
        #expect(Statistics.spearman([1, 1, 1], [1, 2, 3]).isNaN)
        #expect(Statistics.pearson([1, 2, 3], [0.1, 0.1, 0.1]).isNaN)
        // A constant side whose computed mean is inexact is still recognized as constant.
        #expect(Statistics.pearson([0.1, 0.1, 0.1], [1, 2, 4]).isNaN)
        #expect(Statistics.spearman([1], [2]).isNaN)
        #expect(Statistics.spearman([], []).isNaN)
        #expect(Statistics.spearman([1, .nan, 3], [1, 2, 3]).isNaN)
        #expect(Statistics.pearson([1, 2, 3], [1, .nan, 3]).isNaN)
    }

    @Test func correlationsMatchScipyOnLargeGeneratedVectors() {
        for c in fixture.correlation_generated {
            let (x, y) = generatePairs(seed: c.seed, n: c.n, levelsX: c.levels_x, levelsNoise: c.levels_noise, slope: c.slope)
            // The generator must reproduce the script's values bit for bit.
            #expect(Array(x.prefix(4)) == c.x_head && Array(y.prefix(4)) == c.y_head, "\(c.name): generator drifted")
            let ranks = Statistics.rank(x)
            #expect(Array(ranks.prefix(8)) == c.rank_x_head, "\(c.name): ranks")
            #expect(Statistics.sum(ranks) == c.rank_x_sum)
            let rho = Statistics.spearman(x, y), r = Statistics.pearson(x, y)
            #expect(abs(rho - c.spearman) <= 1e-12, "\(c.name): spearman \(rho) vs \(c.spearman), diff \(abs(rho - c.spearman))")
            #expect(abs(r - c.pearson) <= 1e-12, "\(c.name): pearson \(r) vs \(c.pearson), diff \(abs(r - c.pearson))")
        }
    }

    @Test func rocAUCMatchesSklearn() {
        for c in fixture.auc {
            let auc = Statistics.rocAUC(scores: c.scores, labels: c.labels)
            #expect(abs(auc - c.auc) <= 1e-12, "\(c.name): \(auc) vs sklearn \(c.auc)")
        }
        for c in fixture.auc_generated {
            let (scores, labels) = generateLabelled(seed: c.seed, n: c.n, levels: c.levels, signal: c.signal)
            #expect(labels.filter { $0 }.count == c.positives, "\(c.name): generator drifted")
            let auc = Statistics.rocAUC(scores: scores, labels: labels)
            #expect(abs(auc - c.auc) <= 1e-12, "\(c.name): \(auc) vs sklearn \(c.auc), diff \(abs(auc - c.auc))")
        }
    }

    @Test func rocAUCWithOneClassIsNaN() {
        #expect(Statistics.rocAUC(scores: [0.1, 0.2], labels: [true, true]).isNaN)
        #expect(Statistics.rocAUC(scores: [0.1, 0.2], labels: [false, false]).isNaN)
        #expect(Statistics.rocAUC(scores: [0.1, .nan], labels: [true, false]).isNaN)
    }

    @Test func rankGivesTiesTheirMeanRank() {
        #expect(Statistics.rank([10, 20, 20, 5, 20]) == [2, 4, 4, 1, 4])
        #expect(Statistics.rank([]) == [])
        #expect(Statistics.rank([-.infinity, 0, .infinity, 0]) == [1, 2.5, 4, 2.5])
    }

    @Test func cosineAccumulatesInDouble() {
        #expect(Statistics.cosine([1, 0], [0, 1]) == 0)
        #expect(abs(Statistics.cosine([1, 2, 3], [2, 4, 6]) - 1) < 1e-15)
        #expect(abs(Statistics.cosine([1, 1], [-1, -1]) + 1) < 1e-15)
        #expect(Statistics.cosine([0, 0, 0], [1, 2, 3]) == 0)
        // Float accumulation would lose the ±1 components next to 1e4 (Float's ulp at 1e8 is 8)
        // and return exactly 1.
        let u: [Float] = [1e4, 1, 1, 1], v: [Float] = [1e4, -1, -1, -1]
        let exact = (1e8 - 3) / (1e8 + 3)
        #expect(abs(Statistics.cosine(u, v) - exact) < 1e-15)
    }

    @Test func compensatedSumIsExactWhereNaiveSumIsNot() {
        let values = [1e16, 1, -1e16, 1]
        #expect(Statistics.sum(values) == 2)
        #expect(Statistics.mean([1e16, 1, -1e16, 1]) == 0.5)
        #expect(Statistics.mean([]).isNaN)
    }
}
