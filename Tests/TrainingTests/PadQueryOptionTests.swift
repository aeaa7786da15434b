// TrainOptions.padQueries ("pad_queries"): its JSON form (absent when nil, so files written before
// it existed still decode), its validation, the layout it selects, and MirrorTrainer steps with it.

import Foundation
import JSON
import Kernels
import Models
import Testing
import TestSupport
import Tokenizers
import Training

@Suite struct PadQueryOptionTests {
    func roundTrip(_ o: TrainOptions) throws -> (TrainOptions, JSONValue) {
        let json = try JSONValueEncoder().encode(o)
        let text = json.serialized()
        return (try JSONValueDecoder().decode(TrainOptions.self, from: text), json)
    }

    @Test func jsonRoundTripWithAndWithoutPadQueries() throws {
        var o = TrainOptions.defaults(for: .sentence)
        let (plain, plainJSON) = try roundTrip(o)
        #expect(plain == o && plain.padQueries == nil)
        #expect(plainJSON["pad_queries"] == nil, "absent when nil, as mask_token")
        o.padQueries = 8
        let (queries, queriesJSON) = try roundTrip(o)
        #expect(queries == o && queries.padQueries == 8)
        #expect(queriesJSON["pad_queries"] == .int(8))
    }

    /// An options object written before pad_queries existed (every other key present) decodes
    /// with none; so do trainer_state.json and training_args.json files of earlier runs.
    @Test func olderOptionsWithoutTheKeyDecodeAsNone() throws {
        let text = """
            {"mode": "sentence", "epochs": 1, "batch_size": 200, "lr": 2e-05, "weight_decay": 0.01, "warmup_steps": 0,
             "tau": 0.04, "max_length": 50, "span_mask": 5, "dropout": 0.1, "drophead": 0, "pooling": "mean",
             "seed": 42, "pad_to_max": false, "distinct_texts_per_batch": true, "held_out": 0, "monitor_every": 0,
             "recompute": "auto"}
            """
        let o = try JSONValueDecoder().decode(TrainOptions.self, from: Array(text.utf8))
        #expect(o == TrainOptions.defaults(for: .sentence))
        #expect(o.padQueries == nil && o.padsToMax)
    }

    @Test func validation() {
        var o = TrainOptions.defaults(for: .sentence)
        o.padQueries = 4
        #expect(o.problem() == nil)
        #expect(!o.padsToMax, "mean pooling with pad queries packs its rows")
        o.padQueries = 0
        #expect(o.problem()?.key == .padQueries && o.problem()?.message == "must be at least 1")
        o.padQueries = -3
        #expect(o.problem()?.key == .padQueries)
        for pooling in [Pooling.cls, .meanMasked] {
            var p = TrainOptions.defaults(for: .sentence)
            p.pooling = pooling; p.padQueries = 4
            let problem = p.problem()
            #expect(problem?.key == .padQueries && problem?.message.contains("only to mean pooling") == true, "\(String(describing: problem))")
        }
        var conflict = TrainOptions.defaults(for: .sentence)
        conflict.padQueries = 4; conflict.padToMax = true
        #expect(conflict.problem()?.key == .padQueries && conflict.problem()?.message.contains("pad_to_max") == true)
        #expect(TrainOptions.defaults(for: .sentence).padsToMax, "without pad queries, mean pads rows")
    }

    // MARK: - Trainer steps

    func trainer(_ dir: URL, padQueries: Int?, maxLength: Int) throws -> MirrorTrainer {
        let checkpoint = try Checkpoint.load(dir)
        var options = TrainOptions.defaults(for: .sentence)
        options.maxLength = maxLength; options.dropout = 0; options.padQueries = padQueries
        return try MirrorTrainer(encoder: checkpoint.encoder, tokenizer: checkpoint.tokenizer, options: options)
    }

    /// step(view1:view2:) lays out pad queries: with every padding position a query (K ≥ T) and
    /// dropout off it takes the padded step (loss and updated weights); with K = 2 each row
    /// processes its tokens and at most two more.
    @Test func trainerStepsWithPadQueries() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        try TinyModelFactory.make(at: tmp.url, tokenizerFrom: TestPaths.fixture("tokenizers/tiny-uncased"), vocabSize: 276,
                                  layers: 1)
        let view1 = ["the cat sat on the mat", "a dog", "sentence number three of the corpus", "rain"]
        let view2 = ["the cat [MASK] the mat", "a dog", "sentence number [MASK] corpus", "rain"]
        let T = 12
        let padded = try trainer(tmp.url, padQueries: nil, maxLength: T)
        let all = try trainer(tmp.url, padQueries: T, maxLength: T)
        let a = try padded.step(view1: view1, view2: view2), b = try all.step(view1: view1, view2: view2)
        #expect(a.paddedTokens == 8 * T && b.paddedTokens == 8 * T && a.tokens == b.tokens)
        #expect(abs(a.loss - b.loss) <= 1e-5 * abs(a.loss), "loss \(b.loss) vs padded \(a.loss)")
        let c = closeness("weights after one step", all.encoder.parameters.array, padded.encoder.parameters.array,
                          atol: 1e-7, rtol: 1e-5)
        #expect(c.ok, "\(c)")

        let few = try trainer(tmp.url, padQueries: 2, maxLength: T)
        let r = try few.step(view1: view1, view2: view2)
        let lengths = (view1 + view2).map { few.tokenizer.encode($0, maxLength: T).ids.count }
        #expect(r.tokens == lengths.reduce(0, +))
        #expect(r.paddedTokens == lengths.reduce(0) { $0 + $1 + min(2, T - $1) })
        #expect(r.loss.isFinite)
    }
}
