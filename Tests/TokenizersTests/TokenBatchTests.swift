import Testing
import Tokenizers

struct TokenBatchTests {
    let a = Encoding(ids: [101, 7, 8, 102], typeIds: [0, 0, 0, 0], tokens: ["[CLS]", "x", "y", "[SEP]"])
    let b = Encoding(ids: [101, 102], typeIds: [0, 1], tokens: ["[CLS]", "[SEP]"])

    @Test func padsToLongest() {
        let batch = TokenBatch([a, b], padding: .longest, padTokenId: 0)
        #expect(batch.batchSize == 2 && batch.sequenceLength == 4)
        #expect(batch.ids == [101, 7, 8, 102, 101, 102, 0, 0])
        #expect(batch.typeIds == [0, 0, 0, 0, 0, 1, 0, 0])
        #expect(batch.attentionMask == [1, 1, 1, 1, 1, 1, 0, 0])
        #expect(batch.lengths == [4, 2])
    }

    @Test func padsToFixedWithPadId() {
        let batch = TokenBatch([b, a], padding: .fixed(6), padTokenId: 9)
        #expect(batch.sequenceLength == 6)
        #expect(batch.ids == [101, 102, 9, 9, 9, 9, 101, 7, 8, 102, 9, 9])
        #expect(batch.attentionMask == [1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0])
        #expect(batch.typeIds == [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(batch.lengths == [2, 4])
    }

    @Test func fixedEqualToLongestAndEmptyBatch() {
        let batch = TokenBatch([a], padding: .fixed(4), padTokenId: 0)
        #expect(batch.ids == a.ids && batch.attentionMask == [1, 1, 1, 1])
        let empty = TokenBatch([], padding: .longest, padTokenId: 0)
        #expect(empty.batchSize == 0 && empty.sequenceLength == 0 && empty.ids.isEmpty && empty.lengths.isEmpty)
    }
}
