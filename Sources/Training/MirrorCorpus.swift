// A Mirror-BERT training corpus: one example per line, two views per example.
//
// Modes (the reference's ContrastiveLearningDataset):
//   sentence, word   each line is a text; both views are that text (the augmentations — dropout,
//                    span masking — make them differ at training time)
//   pairs            each line is `a||b` (the reference's --pairwise): view 1 = a, view 2 = b
//
// Defined behaviour where the reference is silent or lenient:
//   - blank lines (empty or whitespace only) are skipped and counted (`blankLines`);
//   - a pairs line without exactly one "||" is an error naming file:line (the reference skips it),
//     as is a pair with an empty side; `a|||b` splits as Python does, into "a" and "|b";
//   - no examples at all is an error naming the file;
//   - texts are kept verbatim (no trimming), as the reference does after removing the newline;
//     FileIO.TextLines drops a BOM and CRLF endings and rejects invalid UTF-8 and NUL bytes.

import Foundation
import FileIO

/// How corpus lines map to the two views.
public enum CorpusMode: String, CaseIterable, Sendable {
    case sentence, word, pairs
}

/// One training example: the texts of its two views and the 1-based line it came from.
public struct MirrorExample: Sendable, Equatable {
    public let view1: String
    public let view2: String
    public let line: Int

    public init(view1: String, view2: String, line: Int) {
        self.view1 = view1
        self.view2 = view2
        self.line = line
    }
}

/// Problems with training data; each names the file (and line where there is one).
public enum TrainingDataError: Error, Equatable, CustomStringConvertible {
    case emptyCorpus(path: String, blankLines: Int)
    case malformedPair(path: String, line: Int, separators: Int)
    case emptyPairSide(path: String, line: Int)
    case smallerThanBatch(path: String, examples: Int, heldOut: Int, batchSize: Int)
    case tooFewDistinctTexts(path: String, distinct: Int, batchSize: Int)

    public var description: String {
        switch self {
        case let .emptyCorpus(path, blank):
            return "\(path): no training examples" + (blank > 0 ? " (\(blank) blank lines skipped)" : "")
        case let .malformedPair(path, line, separators):
            return "\(path):\(line): expected one \"||\" separating a pair, found \(separators)"
        case let .emptyPairSide(path, line):
            return "\(path):\(line): a side of the \"||\" pair is empty"
        case let .smallerThanBatch(path, examples, heldOut, batchSize):
            let held = heldOut > 0 ? " (\(examples + heldOut) examples, \(heldOut) held out)" : ""
            return "\(path): \(examples) training examples\(held), fewer than one batch of \(batchSize)"
        case let .tooFewDistinctTexts(path, distinct, batchSize):
            return "\(path): only \(distinct) distinct texts for batches of \(batchSize) distinct texts; "
                + "lower the batch size or turn off distinct texts per batch"
        }
    }
}

/// A training corpus loaded in one of the `CorpusMode`s.
public struct MirrorCorpus: Sendable {
    /// The source, as named in errors.
    public let path: String
    public let mode: CorpusMode
    public let examples: [MirrorExample]
    /// Blank (empty or whitespace-only) lines that were skipped.
    public let blankLines: Int

    public var count: Int { examples.count }

    /// Loads the corpus file at `url`.
    public static func load(_ url: URL, mode: CorpusMode) throws -> MirrorCorpus {
        try MirrorCorpus(lines: TextLines.read(url), mode: mode, path: url.path)
    }

    /// Builds a corpus from already-read lines (line i is line i + 1 of `path`).
    public init(lines: [String], mode: CorpusMode, path: String) throws {
        var examples: [MirrorExample] = []
        examples.reserveCapacity(lines.count)
        var blank = 0
        for (index, text) in lines.enumerated() {
            let line = index + 1
            if text.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
                blank += 1
                continue
            }
            switch mode {
            case .sentence, .word:
                examples.append(MirrorExample(view1: text, view2: text, line: line))
            case .pairs:
                let parts = splitPair(text)
                guard parts.count == 2 else {
                    throw TrainingDataError.malformedPair(path: path, line: line, separators: parts.count - 1)
                }
                guard !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw TrainingDataError.emptyPairSide(path: path, line: line)
                }
                examples.append(MirrorExample(view1: parts[0], view2: parts[1], line: line))
            }
        }
        guard !examples.isEmpty else { throw TrainingDataError.emptyCorpus(path: path, blankLines: blank) }
        self.path = path
        self.mode = mode
        self.examples = examples
        self.blankLines = blank
    }
}

/// Python's `text.split("||")`: non-overlapping occurrences, scanned left to right.
func splitPair(_ text: String) -> [String] {
    let bytes = Array(text.utf8)
    var parts: [String] = []
    var start = 0, i = 0
    while i + 1 < bytes.count {
        if bytes[i] == UInt8(ascii: "|") && bytes[i + 1] == UInt8(ascii: "|") {
            parts.append(String(decoding: bytes[start..<i], as: UTF8.self))
            i += 2
            start = i
        } else {
            i += 1
        }
    }
    parts.append(String(decoding: bytes[start...], as: UTF8.self))
    return parts
}
