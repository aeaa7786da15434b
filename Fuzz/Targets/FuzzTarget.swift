// A parser of outside data under fuzzing: its seeds (real files from the repository), the largest
// input worth trying, the libFuzzer dictionaries that name its format's tokens, and a body that
// feeds it one input. A thrown error is the expected outcome for a bad input; a crash (trap,
// precondition, out-of-bounds, an AddressSanitizer report), a hang or an allocation without bound
// is a bug. libFuzzer (Fuzz/LibFuzzer, Scripts/fuzz.sh) does the mutating; the test suite
// (Tests/FuzzTests) replays the seeds and the corpus libFuzzer grew (Fuzz/Corpus/<name>).

import Foundation

public struct FuzzTarget: @unchecked Sendable {
    public let name: String
    /// Seed inputs the parser reads (real, valid files); libFuzzer's mutations start from these,
    /// the refused seeds and the committed corpus.
    public let seeds: [[UInt8]]
    /// Seed inputs the parser must refuse with an error (the repository's malformed and malicious
    /// fixtures): mutations of them probe the checks that refuse them.
    public let refusedSeeds: [[UInt8]]
    /// libFuzzer's -max_len: longer inputs are not generated (every seed fits).
    public let maxSize: Int
    /// Files of Fuzz/Dictionaries (without ".dict") whose tokens libFuzzer splices in: "json" for
    /// the JSON syntax and extreme numbers, plus one naming the format's keys and values.
    public let dictionaries: [String]
    /// Parses one input; throwing is fine.
    public let body: ([UInt8]) throws -> Void

    public init(name: String, seeds: [[UInt8]], refusedSeeds: [[UInt8]] = [], maxSize: Int = 1 << 20,
                dictionaries: [String] = [], body: @escaping ([UInt8]) throws -> Void) {
        self.name = name; self.seeds = seeds; self.refusedSeeds = refusedSeeds; self.maxSize = maxSize
        self.dictionaries = dictionaries; self.body = body
        for seed in seeds + refusedSeeds {
            // A longer seed would reach libFuzzer cut to -max_len, which only wastes it.
            precondition(seed.count <= maxSize, "\(name): a seed of \(seed.count) bytes exceeds maxSize \(maxSize)")
        }
    }

    /// The inputs libFuzzer kept for this target (Fuzz/Corpus/<name>/, merged by Scripts/fuzz.sh):
    /// each is one that reached code no seed reached. Sorted by file name.
    public func corpus(root: URL) throws -> [(file: String, bytes: [UInt8])] {
        let dir = root.appendingPathComponent("Fuzz/Corpus").appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: dir.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().map { file in
            (file, [UInt8](try Data(contentsOf: dir.appendingPathComponent(file))))
        }
    }
}
