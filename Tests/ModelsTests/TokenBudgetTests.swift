// Token-budget batches (EmbedOptions.maxBatchTokens): the plan respects both caps and covers every
// text once, longest first; and an fp32 embedding does not depend on the batching beyond the
// rounding of its position in a packed batch (≤ 2e-6 per component of a unit vector).

import Foundation
import Kernels
import Models
import Testing
import TestSupport

@Suite struct TokenBudgetTests {
    @Test func planRespectsRowsAndTokensAndCoversEveryTextOnce() {
        let lengths = [5, 40, 3, 3, 128, 17, 2, 60, 60, 9]
        for (rows, budget) in [(2, 1000), (256, 64), (3, 100), (256, 1)] {
            let options = EmbedOptions(pooling: .meanMasked, maxLength: 128, batchSize: rows, maxBatchTokens: budget)
            let plan = Embedder.batches(lengths: lengths, options: options)
            #expect(plan.flatMap { $0 }.sorted() == Array(lengths.indices))
            for batch in plan {
                #expect(batch.count <= rows)
                let tokens = batch.reduce(0) { $0 + lengths[$1] }
                #expect(tokens <= budget || batch.count == 1, "\(batch) has \(tokens) tokens over \(budget)")
            }
            let order = plan.flatMap { $0 }.map { lengths[$0] }
            #expect(order == order.sorted(by: >))
        }
        // Padded `mean` costs maxLength per row.
        let padded = Embedder.batches(lengths: lengths, options: EmbedOptions(pooling: .mean, maxLength: 128, batchSize: 256, maxBatchTokens: 256))
        #expect(padded.allSatisfy { $0.count <= 2 })
    }

    static let corpus = TestPaths.data.appendingPathComponent("train/stsbenchmark_train_10k_sents_random_sampled.txt")

    @Test(.enabled(if: TestPaths.exists(TestPaths.miniLM) && TestPaths.exists(corpus),
                   "needs all-MiniLM-L6-v2 (Scripts/setup.sh) and the shared STS-B corpus"))
    func budgetsChangeAnFP32EmbeddingOnlyByRounding() throws {
        let checkpoint = try Checkpoint.load(TestPaths.miniLM)
        let texts = try String(contentsOf: Self.corpus, encoding: .utf8).split(separator: "\n").prefix(300).map(String.init)
        func embed(_ rows: Int, _ budget: Int?) throws -> [[Float]] {
            try Embedder(checkpoint, options: EmbedOptions(pooling: .meanMasked, maxLength: 128, batchSize: rows, maxBatchTokens: budget,
                                                           normalize: true, precision: .fp32)).embed(texts)
        }
        let reference = try embed(1, nil)  // one text per pass: no neighbours at all
        for (rows, budget) in [(256, 1024), (64, nil), (256, 100), (7, 4096)] {
            let other = try embed(rows, budget)
            var worst: Float = 0
            for (a, b) in zip(reference, other) { for (x, y) in zip(a, b) { worst = max(worst, abs(x - y)) } }
            #expect(worst <= 2e-6, "rows \(rows), budget \(budget.map(String.init) ?? "none"): max |Δ| \(worst)")
        }
    }
}
