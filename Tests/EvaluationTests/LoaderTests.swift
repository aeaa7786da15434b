// EvalPairSet loading on small synthetic files written to a temporary folder: verbatim text,
// extra fields, CRLF, BOM, and every malformed-line error naming file:line.

import Foundation
import Testing
@testable import Evaluation

@Suite struct LoaderTests {
    func load(_ text: String, metric: EvalMetric = .spearman, name: String = "pairs.tsv") throws -> EvalPairSet {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try writeFile(text, named: name, in: folder)
        return try EvalPairSet.load(url: url, metric: metric)
    }

    @Test func readsScoresAndVerbatimText() throws {
        let set = try load("4.5\t  A man  \tA woman \n0\tx\ty\n-1.25e1\tone\ttwo\n")
        #expect(set.name == "pairs")
        #expect(set.count == 3)
        #expect(set.gold == [4.5, 0, -12.5])
        #expect(set.a == ["  A man  ", "x", "one"])
        #expect(set.b == ["A woman ", "y", "two"])
        #expect(set.metric == .spearman && set.suite == .other)
    }

    @Test func ignoresExtraFieldsAndKeepsInnerCharacters() throws {
        let set = try load("1\ta\tb\textra\tmore\n2\t\"quoted\" text\tcafé 東京 👍🏽\t\n")
        #expect(set.a == ["a", "\"quoted\" text"])
        #expect(set.b == ["b", "café 東京 👍🏽"])
        #expect(set.gold == [1, 2])
    }

    @Test func handlesCRLFBOMAndMissingFinalNewline() throws {
        let set = try load("\u{FEFF}3.0\tfirst one\tsecond one\r\n2.0\tthird \tfourth\r\n1\tlast\tline")
        #expect(set.gold == [3, 2, 1])
        #expect(set.a == ["first one", "third ", "last"])
        #expect(set.b == ["second one", "fourth", "line"])
    }

    @Test func readsLabelledPairs() throws {
        let set = try load("1\tWhat is it?\tIt is a test.\n0\tWho?\tNobody.\n", metric: .rocAUC)
        #expect(set.labels == [true, false])
        #expect(set.gold == [1, 0])
        #expect(set.metric == .rocAUC)
    }

    @Test func malformedLinesNameFileAndLine() throws {
        let cases: [(String, EvalMetric, Int, String)] = [
            ("1\ta\tb\n2\tonly two fields\n", .spearman, 2, "found 2"),
            ("1\ta\tb\n\n3\tc\td\n", .spearman, 2, "found 1"),
            ("x1\ta\tb\n", .spearman, 1, "'x1' is not a number"),
            ("1\ta\tb\n2\tc\td\nnan\te\tf\n", .spearman, 3, "not finite"),
            ("inf\ta\tb\n", .spearman, 1, "not finite"),
            (" 1\ta\tb\n", .spearman, 1, "not a number"),
            ("1\t\tb\n", .spearman, 1, "text 1 is empty"),
            ("1\ta\t\n", .spearman, 1, "text 2 is empty"),
            ("1\ta\tb\n2\tc\td\n", .rocAUC, 2, "label '2' is not 0 or 1"),
            ("0.5\ta\tb\n", .rocAUC, 1, "not 0 or 1"),
        ]
        for (text, metric, line, fragment) in cases {
            let folder = try makeTemporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let url = try writeFile(text, named: "bad.tsv", in: folder)
            do {
                _ = try EvalPairSet.load(url: url, metric: metric)
                Issue.record("\(text.debugDescription) loaded without error")
            } catch let error as EvaluationError {
                guard case let .malformedLine(path, l, _) = error else {
                    Issue.record("\(text.debugDescription): wrong error \(error)")
                    continue
                }
                #expect(path == url.path && l == line, "\(text.debugDescription): \(error)")
                #expect(error.description.hasPrefix("\(url.path):\(line): "), "\(error)")
                #expect(error.description.contains(fragment), "\(error) lacks '\(fragment)'")
            }
        }
    }

    @Test func emptyFileIsAnError() throws {
        for text in ["", "\u{FEFF}"] {
            let folder = try makeTemporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let url = try writeFile(text, named: "empty.tsv", in: folder)
            #expect(throws: EvaluationError.emptySet(path: url.path)) { try EvalPairSet.load(url: url) }
        }
    }

    @Test func unreadableInputIsAFileError() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("nope.tsv")
        #expect(throws: EvaluationError.file(.notFound(path: missing.path))) { try EvalPairSet.load(url: missing) }
        let url = folder.appendingPathComponent("latin1.tsv")
        try Data([0x31, 0x09, 0x61, 0x0A, 0x32, 0x09, 0xE9, 0x09, 0x62, 0x0A]).write(to: url)
        #expect(throws: EvaluationError.file(.invalidUTF8(path: url.path, line: 2))) { try EvalPairSet.load(url: url) }
    }
}
