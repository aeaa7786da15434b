// Every parser of outside data on its real seed files and on the corpus libFuzzer grew for it
// (Fuzz/Corpus/<target>, merged by Scripts/fuzz.sh): the seeds must parse, and no corpus input may
// crash, hang or allocate without bound. The mutating itself is libFuzzer's (Scripts/fuzz.sh, with
// sanitizers); this replays what it found in the ordinary test build.

import Foundation
import FuzzTargets
import Testing
import TestSupport

@Suite struct FuzzTests {
    @Test(arguments: FuzzTargets.names)
    func seedsParseAndTheCorpusNeverCrashes(_ name: String) throws {
        let target = try #require(FuzzTargets.named(name, root: TestPaths.root))
        #expect(!target.seeds.isEmpty, "\(name) has no seed files")
        // The seeds are valid files: the parser reads every one (the request targets: each on its route).
        var rejected: [String] = []
        for seed in target.seeds {
            do { try target.body(seed) } catch { rejected.append("\(error)".prefix(300) + "") }
        }
        #expect(rejected.isEmpty, "\(name): seeds refused: \(rejected)")
        // The malformed and malicious fixtures are refused with an error (not a crash).
        for (i, seed) in target.refusedSeeds.enumerated() {
            #expect(throws: (any Error).self, "\(name): refused seed \(i) was read") { try target.body(seed) }
        }
        var slowest = (file: "", seconds: 0.0)
        for (file, input) in try target.corpus(root: TestPaths.root) {
            #expect(input.count <= target.maxSize, "\(name)/\(file) is longer than the target's maxSize")
            let start = Date()
            _ = try? target.body(input)
            let seconds = Date().timeIntervalSince(start)
            if seconds > slowest.seconds { slowest = (file, seconds) }
        }
        #expect(slowest.seconds < 2, "Fuzz/Corpus/\(name)/\(slowest.file) took \(slowest.seconds) s")
    }

    /// libFuzzer refuses a malformed dictionary only when the fuzz run starts; check them here.
    @Test(arguments: FuzzTargets.names)
    func dictionariesExistAndParse(_ name: String) throws {
        let target = try #require(FuzzTargets.named(name, root: TestPaths.root))
        for dictionary in target.dictionaries {
            let url = TestPaths.root.appendingPathComponent("Fuzz/Dictionaries/\(dictionary).dict")
            let text = try String(contentsOf: url, encoding: .utf8)
            for (i, line) in text.split(separator: "\n").enumerated() where !line.hasPrefix("#") {
                // name="value" or "value", the value in libFuzzer's escapes (\\, \" and \xAB).
                let value = line.drop { $0 != "\"" }
                #expect(value.count >= 2 && value.hasSuffix("\"") && Self.validEscapes(value.dropFirst().dropLast()),
                        "\(dictionary).dict line \(i + 1): \(line)")
            }
        }
    }

    static func validEscapes(_ s: Substring) -> Bool {
        var chars = s.makeIterator()
        while let c = chars.next() {
            if c == "\"" { return false }
            guard c == "\\" else { continue }
            switch chars.next() {
            case "\\", "\"": continue
            case "x":
                guard let a = chars.next(), let b = chars.next(), a.isHexDigit, b.isHexDigit else { return false }
            default: return false
            }
        }
        return true
    }

    @Test func theCommittedCorpusStaysSmall() throws {
        // Scripts/fuzz.sh cuts inputs to 32 KiB when it merges; the whole corpus stays a few MB at most.
        var total = 0
        for name in FuzzTargets.names {
            let target = try #require(FuzzTargets.named(name, root: TestPaths.root))
            for (file, input) in try target.corpus(root: TestPaths.root) {
                #expect(input.count <= 32 << 10, "Fuzz/Corpus/\(name)/\(file) is \(input.count) bytes")
                total += input.count
            }
        }
        #expect(total <= 3 << 20, "Fuzz/Corpus holds \(total) bytes")
    }
}
