// Reading the recorded parity fixtures (Scripts/reference/record_tokenizer_fixtures.py) and
// comparing a tokenizer against them. Fixtures are decoded with Foundation's JSONDecoder, not the
// module's own parser, so a parser bug cannot hide a mismatch.

import Foundation
import TestSupport
import Tokenizers

struct ParityCase: Decodable {
    struct Alternative: Decodable {
        let ids: [Int32]
        let truncated: [String: [Int32]]
    }

    let text: String
    let ids: [Int32]
    let tokens: [String]?
    let type_ids: [Int32]?
    let truncated: [String: [Int32]]
    /// transformers' ids where they differ from `tokenizers`' (vocab.txt fallback).
    let fallback: Alternative?
}

struct MiniLMParityFile: Decodable {
    let max_lengths: [Int]
    let fallback_equal: Int
    let cases: [ParityCase]
}

struct TinyParityFile: Decodable {
    let max_lengths: [Int]
    let sets: [String: [ParityCase]]
}

enum Fixtures {
    static func decode<T: Decodable>(_ type: T.Type, _ relative: String) throws -> T {
        let data = try Data(contentsOf: TestPaths.fixture(relative))
        return try JSONDecoder().decode(T.self, from: data)
    }
}

/// Scalar-exact string comparison (Swift `==` is canonical equivalence).
func sameScalars(_ a: String, _ b: String) -> Bool { a.unicodeScalars.elementsEqual(b.unicodeScalars) }

func escaped(_ s: String) -> String {
    s.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : String(format: "\\u{%X}", $0.value) }.joined()
}

/// Result of running every case through a tokenizer.
struct ParityReport {
    var compared = 0
    var equal = 0
    var failures: [String] = []
}

/// Compares `tokenizer` with every case: untruncated ids (and tokens / type ids when recorded and
/// `checkTokens`), and the ids for every recorded max length. `useFallback`: expect transformers'
/// ids where they were recorded separately. `maxLengths`: lengths to check even where no truncated
/// ids were recorded (the files that store them only when they differ expect the full ids there).
func runParity(_ tokenizer: any Tokenizer, _ cases: [ParityCase], useFallback: Bool = false,
               checkTokens: Bool = true, maxLengths: [Int] = []) -> ParityReport {
    var report = ParityReport()
    for c in cases {
        report.compared += 1
        var problems: [String] = []
        let expectedIds = useFallback ? (c.fallback?.ids ?? c.ids) : c.ids
        var expectedTruncated = useFallback ? (c.fallback?.truncated ?? c.truncated) : c.truncated
        for m in maxLengths where expectedTruncated[String(m)] == nil { expectedTruncated[String(m)] = expectedIds }
        let e = tokenizer.encode(c.text, maxLength: nil)
        if e.ids != expectedIds { problems.append("ids \(e.ids) expected \(expectedIds)") }
        // Tokens and type ids were recorded for `tokenizers`' ids; where transformers differs, only ids count.
        let usesAlternative = useFallback && c.fallback != nil
        if checkTokens && !usesAlternative, let tokens = c.tokens {
            if e.tokens.count != tokens.count || !zip(e.tokens, tokens).allSatisfy(sameScalars) {
                problems.append("tokens \(e.tokens.map(escaped)) expected \(tokens.map(escaped))")
            }
        }
        let expectedTypes = usesAlternative ? [Int32](repeating: 0, count: expectedIds.count)
            : c.type_ids ?? [Int32](repeating: 0, count: expectedIds.count)
        if e.typeIds != expectedTypes { problems.append("typeIds \(e.typeIds) expected \(expectedTypes)") }
        for (key, ids) in expectedTruncated.sorted(by: { $0.key < $1.key }) {
            let got = tokenizer.encode(c.text, maxLength: Int(key)!).ids
            if got != ids { problems.append("maxLength \(key): \(got) expected \(ids)") }
        }
        if problems.isEmpty {
            report.equal += 1
        } else {
            report.failures.append("\"\(escaped(c.text).prefix(80))\": " + problems.joined(separator: "; "))
        }
    }
    return report
}

/// Copies the listed files of `source` into a fresh temporary folder.
func temporaryCopy(of source: URL, files: [String]) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizers-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    for name in files {
        try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: dir.appendingPathComponent(name))
    }
    return dir
}

/// A fresh temporary folder holding `files` (name → contents).
func temporaryFolder(_ files: [String: String]) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizers-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    for (name, contents) in files {
        try Data(contents.utf8).write(to: dir.appendingPathComponent(name))
    }
    return dir
}
