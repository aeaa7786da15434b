// An evaluation set: pairs of texts with a gold score (or a binary label) each.
// File format (one pair a line, UTF-8, LF or CRLF, no header):
//   score<TAB>text1<TAB>text2[<TAB>ignored…]     metric .spearman — score any finite number
//   label<TAB>text1<TAB>text2[<TAB>ignored…]     metric .rocAUC   — label exactly 0 or 1 (1 = positive)
// Text is taken verbatim (leading and trailing spaces kept; only the line end is removed).
// A line with fewer than three fields, an empty text, an unparsable or non-finite score, or a
// label other than 0/1 is an error naming file:line; so is a file without any pair.

import Foundation
import FileIO

/// What a set is scored with.
public enum EvalMetric: String, Codable, Sendable {
    /// Spearman's ρ of cosine similarity against gold scores (STS, word similarity).
    case spearman
    /// ROC-AUC of cosine similarity against binary labels (QNLI: does the sentence answer?).
    case rocAUC = "roc_auc"
}

/// The group a set belongs to; reports average per suite.
public enum EvalSuite: String, Codable, CaseIterable, Sendable {
    case sts, words, qa
    /// A set loaded from an arbitrary file.
    case other
}

public struct EvalPairSet: Equatable, Sendable {
    /// Short identifier used in reports ("sts12", "multisimlex-eng").
    public let name: String
    /// The file it was read from.
    public let path: String
    public let suite: EvalSuite
    public let metric: EvalMetric
    /// First and second text of each pair, verbatim.
    public let a: [String]
    public let b: [String]
    /// Gold similarity per pair; for `.rocAUC` sets 1 (positive) or 0.
    public let gold: [Double]

    public init(name: String, path: String, suite: EvalSuite = .other, metric: EvalMetric = .spearman,
                a: [String], b: [String], gold: [Double]) {
        precondition(a.count == b.count && b.count == gold.count,
                     "EvalPairSet \(name): \(a.count) first texts, \(b.count) second texts, \(gold.count) scores")
        precondition(metric != .rocAUC || gold.allSatisfy { $0 == 0 || $0 == 1 },
                     "EvalPairSet \(name): labels must be 0 or 1")
        self.name = name
        self.path = path
        self.suite = suite
        self.metric = metric
        self.a = a
        self.b = b
        self.gold = gold
    }

    /// Number of pairs.
    public var count: Int { gold.count }

    /// Binary labels (gold == 1), meaningful for `.rocAUC` sets.
    public var labels: [Bool] { gold.map { $0 == 1 } }

    // MARK: - Loading

    /// Reads a set from `url`, a line at a time through a bounded buffer (the file is never
    /// mapped or held whole; only the parsed pairs are kept). `name` defaults to the file name
    /// without its extension.
    public static func load(url: URL, name: String? = nil, suite: EvalSuite = .other,
                            metric: EvalMetric = .spearman) throws -> EvalPairSet {
        var parser = Parser(path: url.path, metric: metric)
        do {
            _ = try TextLines.census(url)  // every line's bytes checked first, as a whole-file read would
            let reader = try LineReader(url: url)
            while let line = try reader.next() { try parser.add(line, lineNumber: reader.lineNumber) }
        } catch let error as FileIOError {
            throw EvaluationError.file(error)
        }
        return try parser.finish(name: name ?? url.deletingPathExtension().lastPathComponent, suite: suite)
    }

    /// Parses already-split lines; `path` names the source in errors (line numbers are 1-based).
    public static func parse(lines: [String], path: String, name: String, suite: EvalSuite = .other,
                             metric: EvalMetric = .spearman) throws -> EvalPairSet {
        var parser = Parser(path: path, metric: metric)
        for (index, line) in lines.enumerated() { try parser.add(line, lineNumber: index + 1) }
        return try parser.finish(name: name, suite: suite)
    }

    /// Line-by-line parsing into the three columns.
    struct Parser {
        let path: String
        let metric: EvalMetric
        var a: [String] = [], b: [String] = [], gold: [Double] = []

        init(path: String, metric: EvalMetric) { self.path = path; self.metric = metric }

        mutating func add(_ line: String, lineNumber: Int) throws {
            func fail(_ reason: String) -> EvaluationError {
                .malformedLine(path: path, line: lineNumber, reason: reason)
            }
            // Split on TAB only, keeping empty fields so "1\t\tx" is seen as an empty text.
            let fields = line.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count >= 3 else {
                throw fail("expected at least 3 tab-separated fields (score, text 1, text 2), found \(fields.count)")
            }
            let value: Double
            switch metric {
            case .spearman:
                guard let v = Double(fields[0]) else { throw fail("score '\(fields[0].prefix(40))' is not a number") }
                guard v.isFinite else { throw fail("score '\(fields[0].prefix(40))' is not finite") }
                value = v
            case .rocAUC:
                switch fields[0] {
                case "1": value = 1
                case "0": value = 0
                default: throw fail("label '\(fields[0].prefix(40))' is not 0 or 1")
                }
            }
            guard !fields[1].isEmpty else { throw fail("text 1 is empty") }
            guard !fields[2].isEmpty else { throw fail("text 2 is empty") }
            gold.append(value)
            a.append(String(fields[1]))
            b.append(String(fields[2]))
        }

        func finish(name: String, suite: EvalSuite) throws -> EvalPairSet {
            guard !gold.isEmpty else { throw EvaluationError.emptySet(path: path) }
            return EvalPairSet(name: name, path: path, suite: suite, metric: metric, a: a, b: b, gold: gold)
        }
    }
}
