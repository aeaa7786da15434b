// Which examples go into which batch, epoch by epoch: the reference's
// DataLoader(shuffle=True, drop_last=True), made deterministic by seed, plus two options.
//
// Held-out slice (heldOutFraction f): at least ⌊f·n⌋ examples, chosen by seed and excluded from
// training batches. Selection is by distinct text (view 1, whitespace-trimmed): text groups are
// shuffled and taken whole until the slice is full, so every copy of a held-out text is held out
// and the slice shares no text with the training set.
//
// Distinct texts per batch (default on): the paper's sentence corpus repeats 498 texts verbatim
// (719 extra lines; "A man is playing a guitar." 34 times), 523 texts (745 extra lines) when
// leading and trailing whitespace, which tokenizers drop, is ignored. Two copies in one batch
// would be each other's negatives although they differ only by the augmentations — false
// negatives. Procedure, per epoch, on the shuffled order:
//   keep a FIFO `deferred` of examples put off because their text was already in the batch;
//   fill each batch first from `deferred` (in order, skipping texts already in the batch), then
//   from the shuffled stream (an example whose text is already in the batch is appended to
//   `deferred`); once the stream is exhausted, a deferred example d still unplaced is swapped
//   into the latest earlier batch Q without d's text, for Q's first example whose text is not in
//   the current batch (that example moves to the current batch); a batch that still cannot be
//   filled ends the epoch and is dropped with what is left of `deferred` (drop_last).
// So every example is used at most once per epoch, batches are always full and free of repeated
// texts, and without duplicates the batches are exactly the shuffled order cut into batchSize
// chunks. The epoch has ⌊n/B⌋ batches, as with drop_last, unless some text occurs more often
// than there are batches (it cannot then be placed in all of them) or no swap exists.
//
// Texts are compared by a 64-bit hash of the trimmed view-1 text (`MirrorCorpus.textKey`), so the
// plan holds no text; two different texts would have to collide in 64 bits to be grouped.
//
// Randomness: the held-out choice uses a stream derived from the seed, and epoch e's shuffle a
// stream derived from (seed, e), so `batches(epoch:)` is a pure function (resuming mid-run needs
// only the epoch number).

import Kernels

/// Deterministic batching of a `MirrorCorpus`.
public struct EpochPlan: Sendable {
    public let batchSize: Int
    public let seed: UInt64
    public let distinctTextsPerBatch: Bool
    /// Indices into the corpus's examples used for training, ascending.
    public let trainingIndices: [Int]
    /// Indices of the held-out slice, ascending (empty when heldOutFraction is 0).
    public let heldOutIndices: [Int]
    /// textID[i]: an id shared by examples whose view-1 texts are equal after trimming whitespace.
    private let textID: [Int]

    /// - Parameters:
    ///   - batchSize: examples per batch (B; the loss sees 2B rows).
    ///   - seed: the seed for the held-out choice and every epoch's shuffle.
    ///   - distinctTextsPerBatch: keep repeated texts out of the same batch (see the file comment).
    ///   - heldOutFraction: the fraction of examples (0 ≤ f < 1) held out from training.
    /// - Throws: `TrainingDataError.smallerThanBatch` if fewer than `batchSize` training examples
    ///   remain, `.tooFewDistinctTexts` if distinct texts cannot fill one batch.
    public init(
        corpus: MirrorCorpus, batchSize: Int, seed: UInt64,
        distinctTextsPerBatch: Bool = true, heldOutFraction: Double = 0
    ) throws {
        precondition(batchSize >= 1, "EpochPlan: batch size must be positive")
        precondition(heldOutFraction >= 0 && heldOutFraction < 1, "EpochPlan: heldOutFraction must be in [0, 1)")
        self.batchSize = batchSize
        self.seed = seed
        self.distinctTextsPerBatch = distinctTextsPerBatch

        var ids: [UInt64: Int] = [:]
        var textID = [Int](repeating: 0, count: corpus.count)
        var groups: [[Int]] = []
        for i in 0..<corpus.count {
            let key = corpus.textKey(i)  // a 64-bit hash of the trimmed text: no text is held
            if let id = ids[key] {
                textID[i] = id
                groups[id].append(i)
            } else {
                ids[key] = groups.count
                textID[i] = groups.count
                groups.append([i])
            }
        }
        self.textID = textID

        let target = Int((heldOutFraction * Double(corpus.count)).rounded(.down))
        var isHeldOut = [Bool](repeating: false, count: corpus.count)
        var heldOutCount = 0
        if target > 0 {
            var rng = Rng(seed: splitMix64(seed ^ 0x4845_4C44_4F55_5421))  // "HELDOUT!"
            var order = Array(groups.indices)
            rng.shuffle(&order)
            for id in order where heldOutCount < target {
                for i in groups[id] { isHeldOut[i] = true }
                heldOutCount += groups[id].count
            }
        }
        heldOutIndices = (0..<corpus.count).filter { isHeldOut[$0] }
        trainingIndices = (0..<corpus.count).filter { !isHeldOut[$0] }

        guard trainingIndices.count >= batchSize else {
            throw TrainingDataError.smallerThanBatch(
                path: corpus.path, examples: trainingIndices.count, heldOut: heldOutIndices.count, batchSize: batchSize)
        }
        if distinctTextsPerBatch {
            let distinct = Set(trainingIndices.map { textID[$0] }).count
            guard distinct >= batchSize else {
                throw TrainingDataError.tooFewDistinctTexts(path: corpus.path, distinct: distinct, batchSize: batchSize)
            }
        }
    }

    /// The generator for epoch `epoch`'s shuffle.
    public func rng(epoch: Int) -> Rng {
        Rng(seed: splitMix64(seed ^ splitMix64(0x4550_4F43_4800_0000 &+ UInt64(truncatingIfNeeded: epoch))))
    }

    /// Epoch `epoch`'s batches (0-based epoch), each `batchSize` indices into the corpus's examples.
    public func batches(epoch: Int) -> [[Int]] {
        var order = trainingIndices
        var rng = rng(epoch: epoch)
        rng.shuffle(&order)
        if !distinctTextsPerBatch {
            return stride(from: 0, through: order.count - batchSize, by: batchSize).map {
                Array(order[$0..<($0 + batchSize)])
            }
        }
        var batches: [[Int]] = []
        var deferred: [Int] = []
        var cursor = 0
        var batch: [Int] = []
        var texts = Set<Int>()
        func startBatch() {
            batch = []
            batch.reserveCapacity(batchSize)
            texts = Set(minimumCapacity: batchSize)
        }
        startBatch()
        while true {
            // 1. deferred examples whose text is not yet in the batch, in order
            var kept: [Int] = []
            for i in deferred {
                if batch.count < batchSize && texts.insert(textID[i]).inserted { batch.append(i) } else { kept.append(i) }
            }
            deferred = kept
            // 2. the shuffled stream
            while batch.count < batchSize && cursor < order.count {
                let i = order[cursor]
                cursor += 1
                if texts.insert(textID[i]).inserted { batch.append(i) } else { deferred.append(i) }
            }
            // 3. stream exhausted: place deferred examples by swapping with earlier batches
            if batch.count < batchSize && cursor == order.count {
                kept = []
                for d in deferred {
                    if batch.count < batchSize, let (q, k) = swapSlot(for: d, in: batches, avoiding: texts) {
                        let e = batches[q][k]
                        batches[q][k] = d
                        batch.append(e)
                        texts.insert(textID[e])
                    } else {
                        kept.append(d)
                    }
                }
                deferred = kept
            }
            guard batch.count == batchSize else { break }  // drop_last
            batches.append(batch)
            startBatch()
        }
        return batches
    }

    /// The last earlier batch (scanning backwards) without `d`'s text, and the first example in it
    /// whose text is not in `avoiding`: swapping the two keeps both batches free of repeats.
    private func swapSlot(for d: Int, in batches: [[Int]], avoiding texts: Set<Int>) -> (Int, Int)? {
        let text = textID[d]
        for q in batches.indices.reversed() where !batches[q].contains(where: { textID[$0] == text }) {
            if let k = batches[q].firstIndex(where: { !texts.contains(textID[$0]) }) { return (q, k) }
        }
        return nil
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
