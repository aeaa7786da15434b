// Padding a list of encodings into one row-major batch.

/// How to pad a batch.
public enum Padding: Sendable, Equatable {
    /// To the longest encoding in the batch.
    case longest
    /// To exactly this length (every encoding must fit).
    case fixed(Int)
}

/// A padded batch, row-major [batchSize, sequenceLength].
public struct TokenBatch: Sendable {
    public let batchSize: Int, sequenceLength: Int
    public var ids: [Int32]
    public var typeIds: [Int32]
    /// 1 for a real token, 0 for padding.
    public var attentionMask: [Int32]
    /// Real tokens per row.
    public var lengths: [Int]

    /// Pads on the right with `padTokenId` (type id 0, mask 0).
    /// Precondition for `.fixed(n)`: every encoding has at most n tokens.
    public init(_ encodings: [Encoding], padding: Padding, padTokenId: Int32) {
        let longest = encodings.map(\.count).max() ?? 0
        let length: Int
        switch padding {
        case .longest:
            length = longest
        case let .fixed(n):
            precondition(n >= 0, "TokenBatch: negative fixed length \(n)")
            precondition(longest <= n, "TokenBatch: an encoding has \(longest) tokens, more than the fixed length \(n)")
            length = n
        }
        batchSize = encodings.count
        sequenceLength = length
        ids = [Int32](repeating: padTokenId, count: batchSize * length)
        typeIds = [Int32](repeating: 0, count: batchSize * length)
        attentionMask = [Int32](repeating: 0, count: batchSize * length)
        lengths = encodings.map(\.count)
        for (row, e) in encodings.enumerated() {
            let base = row * length
            for j in 0..<e.count {
                ids[base + j] = e.ids[j]
                typeIds[base + j] = e.typeIds[j]
                attentionMask[base + j] = 1
            }
        }
    }
}
