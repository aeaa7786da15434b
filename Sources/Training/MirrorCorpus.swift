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

import FileIO
import Foundation
import Kernels
#if canImport(Glibc)
import Glibc
#endif

/// How corpus lines map to the two views.
public enum CorpusMode: String, CaseIterable, Sendable, Codable {
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
///
/// Loaded from a file, it keeps only each example's byte range (and line number) and the file
/// memory-mapped, so a corpus larger than memory is read by offset: `example(_:)` decodes one line
/// when a batch needs it, and the kernel pages the file in and out. Every line is still checked
/// when loading (UTF-8, NUL, length, pair separators), so errors name file:line before training.
public struct MirrorCorpus: Sendable {
    /// The source, as named in errors.
    public let path: String
    public let mode: CorpusMode
    /// Blank (empty or whitespace-only) lines that were skipped.
    public let blankLines: Int
    /// A 64-bit digest of every example's text in order (with the mode): resuming checks that it
    /// trains on the same data.
    public let fingerprint: UInt64
    private let storage: Storage

    public var count: Int { storage.count }

    /// Example `i` (0-based among the non-blank lines).
    public func example(_ i: Int) -> MirrorExample { storage.example(i, mode: mode) }

    /// Every example, materialized (small corpora and tests; training uses `example(_:)`).
    public var examples: [MirrorExample] {
        if case let .memory(e, _) = storage { return e }
        return (0..<count).map(example)
    }

    /// `textKey(i)`: a 64-bit hash of example i's view-1 text with Unicode whitespace trimmed from
    /// both ends — equal texts (as `EpochPlan` compares them) get equal keys.
    public func textKey(_ i: Int) -> UInt64 { storage.textKeys[i] }

    /// Maps the corpus file at `url` and indexes its lines (bounded memory per example: offsets,
    /// not text). Errors: `FileIOError` (missing file, invalid UTF-8, NUL, over-long line, each with
    /// file:line) and `TrainingDataError`.
    public static func load(_ url: URL, mode: CorpusMode,
                            maxLineBytes: Int = LineReader.defaultMaxLineBytes) throws -> MirrorCorpus {
        let data = try TextLines.readFile(url)
        return try MirrorCorpus(mapped: data, mode: mode, path: url.path, maxLineBytes: maxLineBytes)
    }

    /// Indexes corpus file bytes held in memory (or mapped); `path` names them in errors.
    public init(data: Data, mode: CorpusMode, path: String,
                maxLineBytes: Int = LineReader.defaultMaxLineBytes) throws {
        try self.init(mapped: data, mode: mode, path: path, maxLineBytes: maxLineBytes)
    }

    /// Builds a corpus from already-read lines (line i is line i + 1 of `path`).
    public init(lines: [String], mode: CorpusMode, path: String) throws {
        var examples: [MirrorExample] = []
        examples.reserveCapacity(lines.count)
        var keys: [UInt64] = []
        var digest = CorpusDigest(mode: mode)
        var blank = 0
        for (index, text) in lines.enumerated() {
            let line = index + 1
            if text.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
                blank += 1
                continue
            }
            let example = try Self.example(text, mode: mode, path: path, line: line)
            examples.append(example)
            keys.append(textKeyOf(example.view1))
            digest.add(text)
        }
        guard !examples.isEmpty else { throw TrainingDataError.emptyCorpus(path: path, blankLines: blank) }
        self.path = path
        self.mode = mode
        self.blankLines = blank
        fingerprint = digest.value
        storage = .memory(examples, keys)
    }

    /// The example one non-blank line makes: the line twice, or in pairs mode its two sides (exactly
    /// one `||`, neither side empty; otherwise an error naming `path:line`).
    static func example(_ text: String, mode: CorpusMode, path: String, line: Int) throws -> MirrorExample {
        guard mode == .pairs else { return MirrorExample(view1: text, view2: text, line: line) }
        let parts = splitPair(text)
        guard parts.count == 2 else {
            throw TrainingDataError.malformedPair(path: path, line: line, separators: parts.count - 1)
        }
        guard !parts[0].isEmpty, !parts[1].isEmpty else {
            throw TrainingDataError.emptyPairSide(path: path, line: line)
        }
        return MirrorExample(view1: parts[0], view2: parts[1], line: line)
    }

    /// Indexes a mapped file: offsets of the non-blank lines, checked as `TextLines.split` would.
    init(mapped data: Data, mode: CorpusMode, path: String, maxLineBytes: Int) throws {
        var starts: [Int] = [], ends: [Int] = [], lines: [Int32] = [], keys: [UInt64] = []
        var digest = CorpusDigest(mode: mode)
        var blank = 0
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var lineNumber = 0
            try forEachLine(bytes) { range in
                lineNumber += 1
                let line = UnsafeRawBufferPointer(rebasing: bytes[range])
                guard line.count <= maxLineBytes else {
                    throw FileIOError.lineTooLong(path: path, line: lineNumber, limit: maxLineBytes)
                }
                if line.contains(0) { throw FileIOError.nulByte(path: path, line: lineNumber) }
                guard isValidUTF8(line) else { throw FileIOError.invalidUTF8(path: path, line: lineNumber) }
                if isBlankUTF8(line) { blank += 1; return }
                let text = String(decoding: line, as: UTF8.self)
                let view1 = try Self.example(text, mode: mode, path: path, line: lineNumber).view1
                guard lineNumber <= Int(Int32.max) else {
                    throw FileIOError.cannotOpen(path: path, reason: "more than \(Int32.max) lines")
                }
                starts.append(range.lowerBound)
                ends.append(range.upperBound)
                lines.append(Int32(lineNumber))
                keys.append(textKeyOf(view1))
                digest.add(text)
            }
        }
        guard !starts.isEmpty else { throw TrainingDataError.emptyCorpus(path: path, blankLines: blank) }
        self.path = path
        self.mode = mode
        self.blankLines = blank
        fingerprint = digest.value
        storage = .file(MappedLines(data: data, starts: starts, ends: ends, lines: lines), keys)
    }
}

// MARK: - Storage

extension MirrorCorpus {
    enum Storage: Sendable {
        case memory([MirrorExample], [UInt64])
        case file(MappedLines, [UInt64])

        var count: Int {
            switch self {
            case let .memory(e, _): return e.count
            case let .file(m, _): return m.starts.count
            }
        }

        var textKeys: [UInt64] {
            switch self {
            case let .memory(_, k), let .file(_, k): return k
            }
        }

        func example(_ i: Int, mode: CorpusMode) -> MirrorExample {
            switch self {
            case let .memory(e, _): return e[i]
            case let .file(m, _):
                let text = m.text(i)
                let line = Int(m.lines[i])
                if mode == .pairs {
                    let parts = splitPair(text)
                    return MirrorExample(view1: parts[0], view2: parts[1], line: line)
                }
                return MirrorExample(view1: text, view2: text, line: line)
            }
        }
    }

    /// A mapped file and the byte range and line number of each kept line.
    struct MappedLines: Sendable {
        let data: Data
        let starts: [Int]
        let ends: [Int]
        let lines: [Int32]

        func text(_ i: Int) -> String {
            data.withUnsafeBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[starts[i]..<ends[i]]), as: UTF8.self) }
        }
    }
}

/// Calls `body` with the byte range of each line of `bytes` under TextLines' rules: a BOM at the
/// start is skipped, LF or CRLF ends a line, a final line without a newline counts.
func forEachLine(_ bytes: UnsafeRawBufferPointer, _ body: (Range<Int>) throws -> Void) rethrows {
    let n = bytes.count
    guard n > 0, let base = bytes.baseAddress else { return }
    var start = 0
    if n >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
    while start < n {
        let found = memchr(base + start, 0x0A, n - start)
        let newline = found.map { UnsafeRawPointer($0) - base } ?? n
        var end = newline
        if end > start && bytes[end - 1] == 0x0D { end -= 1 }
        try body(start..<end)
        start = newline + 1
    }
}

/// The key `EpochPlan` groups texts by: a hash of the text with surrounding whitespace trimmed.
func textKeyOf(_ text: String) -> UInt64 {
    var h = FNV1a()
    h.add(text.trimmingWhitespace().utf8)
    return h.value
}

/// 64-bit FNV-1a with a SplitMix64 finish (no cryptographic claim: it tells texts apart).
struct FNV1a {
    private var state: UInt64 = 0xCBF2_9CE4_8422_2325
    mutating func add<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        for b in bytes { state = (state ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    }
    var value: UInt64 { splitMix64(state) }
}

/// The corpus fingerprint: the mode, then every kept line, each followed by a separator byte.
struct CorpusDigest {
    private var hash = FNV1a()
    init(mode: CorpusMode) { hash.add(mode.rawValue.utf8); hash.add(CollectionOfOne(0)) }
    mutating func add(_ text: String) { hash.add(text.utf8); hash.add(CollectionOfOne(0x0A)) }
    var value: UInt64 { hash.value }
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
