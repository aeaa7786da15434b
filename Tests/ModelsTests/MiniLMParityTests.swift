// The real all-MiniLM-L6-v2 (Scripts/setup.sh puts it in models/) against transformers on 24
// varied sentences (Scripts/reference/record_bert_fixtures.py): the last hidden state of every
// real token within 1e-4, the pooled embeddings, our tokenizer's ids, and the published
// sentence-transformers values for "This is an example sentence".

import Foundation
import Kernels
import Models
import SafeTensors
import Testing
import TestSupport
import Tokenizers

@Suite(.enabled(if: TestPaths.exists(TestPaths.miniLM), "run Scripts/setup.sh to fetch all-MiniLM-L6-v2"))
struct MiniLMParityTests {
    let io: SafeTensorsFile
    let checkpoint: Checkpoint
    let input: EncoderInput

    init() throws {
        let io = try SafeTensorsFile(url: TestPaths.fixture("bert/minilm-io.safetensors"))
        self.io = io
        checkpoint = try Checkpoint.load(TestPaths.miniLM)
        let shape = io.info("input_ids")!.shape
        func ints(_ name: String) throws -> [Int32] { try io.int64s(name).map { Int32($0) } }
        input = try EncoderInput(batch: shape[0], sequence: shape[1], ids: try ints("input_ids"),
                                 typeIds: try ints("token_type_ids"), attentionMask: try ints("attention_mask"),
                                 config: checkpoint.config)
    }

    @Test func lastHiddenStateMatchesTransformers() throws {
        let ws = EncoderWorkspace(config: checkpoint.config, training: false)
        let hidden = checkpoint.encoder.forward(input, workspace: ws)
        let H = checkpoint.config.hiddenSize
        var real: [Float] = []
        for b in 0..<input.batch {
            for t in 0..<input.realLength(b) {
                real += UnsafeBufferPointer(start: hidden + (b * input.sequence + t) * H, count: H)
            }
        }
        let c = closeness("last_hidden_state", real, try io.floats("hidden"), atol: 1e-4, rtol: 0)
        print("MiniLM: \(input.batch) sentences, \(real.count / H) tokens, max |diff| \(c.maxAbsDiff)")
        #expect(c.ok, "\(c)")
    }

    /// bf16 products (inputs rounded to bf16, fp32 accumulation) against transformers' fp32: the
    /// mean-pooled embedding of each sentence keeps cosine ≥ 0.999 (measured: 0.99995). Native and
    /// reference bf16 agree per product up to fp32 summation order, but a last-bit difference can
    /// flip the next layer's bf16 rounding, so across six layers they agree to bf16 level only
    /// (mean-pooled cosine ≥ 0.9995; measured ≥ 0.99999).
    @Test func bf16ReferenceHiddenStatesStayCloseToTransformers() throws { try bf16HiddenStates(.bf16Reference) }

    @Test(.enabled(if: Precision.hasNativeBF16, Comment(rawValue: Precision.nativeBF16Problem ?? "")))
    func bf16NativeHiddenStatesStayCloseToTransformers() throws { try bf16HiddenStates(.bf16) }

    func bf16HiddenStates(_ precision: Precision) throws {
        let encoder = try Checkpoint.load(TestPaths.miniLM).encoder
        let H = checkpoint.config.hiddenSize
        let ws = EncoderWorkspace(config: checkpoint.config, training: false)
        func realStates(_ p: Precision) -> [[Float]] {
            encoder.setPrecision(p)
            let hidden = encoder.forward(input, workspace: ws)
            return (0..<input.batch).map { b in
                Array(UnsafeBufferPointer(start: hidden + b * input.sequence * H, count: input.realLength(b) * H))
            }
        }
        /// The smallest cosine between the mean-pooled rows of two sets of real-token states.
        func worstCosine(_ x: [Float], _ y: [Float]) -> Double {
            var offset = 0, worst = 1.0
            for b in 0..<input.batch {
                let n = input.realLength(b)
                var a = [Double](repeating: 0, count: H), e = a
                for t in 0..<n {
                    for j in 0..<H { a[j] += Double(x[offset + t * H + j]); e[j] += Double(y[offset + t * H + j]) }
                }
                offset += n * H
                let dot = zip(a, e).reduce(0) { $0 + $1.0 * $1.1 }
                let norms = zip(a, a).reduce(0) { $0 + $1.0 * $1.1 }.squareRoot() * zip(e, e).reduce(0) { $0 + $1.0 * $1.1 }.squareRoot()
                worst = min(worst, (dot / norms).isNaN ? -1 : dot / norms)
            }
            return worst
        }
        let ours = realStates(precision).flatMap { $0 }
        let toTransformers = worstCosine(ours, try io.floats("hidden"))
        print("MiniLM \(precision.rawValue): worst mean-pooled cosine to transformers fp32 \(toTransformers)")
        #expect(toTransformers >= 0.999 && toTransformers < 1)
        if precision == .bf16 {
            let toReference = worstCosine(ours, realStates(.bf16Reference).flatMap { $0 })
            print("MiniLM: worst mean-pooled cosine native bf16 vs reference bf16 \(toReference)")
            #expect(toReference >= 0.9995)
        }
    }

    @Test func tokenizerIdsMatchTransformers() throws {
        let sentences = try JSONDecoder().decode(
            [String].self, from: Data(contentsOf: TestPaths.fixture("bert/minilm-sentences.json")))
        let batch = TokenBatch(sentences.map { checkpoint.tokenizer.encode($0, maxLength: 128) }, padding: .longest,
                               padTokenId: checkpoint.tokenizer.padTokenId)
        #expect(batch.ids == input.ids)
        #expect(batch.attentionMask == input.keep)
    }

    @Test func embedderMatchesSentenceTransformers() throws {
        let sentences = try JSONDecoder().decode(
            [String].self, from: Data(contentsOf: TestPaths.fixture("bert/minilm-sentences.json")))
        for (pooling, key, normalize) in [(Pooling.meanMasked, "mean_masked_normalized", true), (.cls, "cls", false)] {
            let embedder = try Embedder(checkpoint, options: EmbedOptions(pooling: pooling, maxLength: 128, batchSize: 5,
                                                                        normalize: normalize))
            let c = closeness(key, try embedder.embed(sentences).flatMap { $0 }, try io.floats(key), atol: 1e-4, rtol: 0)
            #expect(c.ok, "\(c)")
        }
        // The values sentence-transformers publishes for all-MiniLM-L6-v2.
        let embedder = try Embedder(checkpoint, options: EmbedOptions(pooling: .meanMasked, normalize: true))
        let e = try embedder.embed(["This is an example sentence"])[0]
        let published: [Float] = [0.0677, 0.0635, 0.0487]
        for i in 0..<3 { #expect(abs(e[i] - published[i]) < 5e-5, "component \(i): \(e[i]) vs \(published[i])") }
    }
}

/// The real all-mpnet-base-v2 (Scripts/setup.sh --model mpnet) against transformers on 20 sentences.
@Suite(.enabled(if: TestPaths.exists(TestPaths.root.appendingPathComponent("models/all-mpnet-base-v2")),
                "run Scripts/setup.sh --model mpnet to fetch all-mpnet-base-v2"))
struct MPNetParityTests {
    @Test func lastHiddenStateAndEmbeddingsMatchTransformers() throws {
        let io = try SafeTensorsFile(url: TestPaths.fixture("bert/mpnet-io.safetensors"))
        let checkpoint = try Checkpoint.load(TestPaths.root.appendingPathComponent("models/all-mpnet-base-v2"))
        let shape = io.info("input_ids")!.shape
        func ints(_ name: String) throws -> [Int32] { try io.int64s(name).map { Int32($0) } }
        let input = try EncoderInput(batch: shape[0], sequence: shape[1], ids: try ints("input_ids"),
                                     typeIds: try ints("token_type_ids"), attentionMask: try ints("attention_mask"),
                                     config: checkpoint.config)
        let ws = EncoderWorkspace(config: checkpoint.config, training: false)
        let hidden = checkpoint.encoder.forward(input, workspace: ws)
        let H = checkpoint.config.hiddenSize
        var real: [Float] = []
        for b in 0..<input.batch {
            for t in 0..<input.realLength(b) { real += UnsafeBufferPointer(start: hidden + (input.offsets[b] + t) * H, count: H) }
        }
        let c = closeness("all-mpnet-base-v2 last_hidden_state", real, try io.floats("hidden"), atol: 1e-4, rtol: 0)
        print("MPNet: \(input.batch) sentences, \(real.count / H) tokens, max |diff| \(c.maxAbsDiff)")
        #expect(c.ok, "\(c)")
        // Our tokenizer gives transformers' ids, and the packed embedder its pooled embeddings.
        let sentences = Array(try JSONDecoder().decode(
            [String].self, from: Data(contentsOf: TestPaths.fixture("bert/minilm-sentences.json"))).prefix(input.batch))
        let batch = TokenBatch(sentences.map { checkpoint.tokenizer.encode($0, maxLength: 128) }, padding: .longest,
                               padTokenId: checkpoint.tokenizer.padTokenId)
        #expect(batch.ids == input.ids)
        let embedder = try Embedder(checkpoint, options: EmbedOptions(pooling: .meanMasked, maxLength: 128, batchSize: 7, normalize: true))
        let e = closeness("mean_masked_normalized", try embedder.embed(sentences).flatMap { $0 },
                          try io.floats("mean_masked_normalized"), atol: 1e-4, rtol: 0)
        #expect(e.ok, "\(e)")
    }
}
