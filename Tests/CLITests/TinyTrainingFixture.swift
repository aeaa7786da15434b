// What the train/eval command tests share: a tiny BERT with MiniLM's tokenizer, a 40-line corpus,
// and a data folder of small STS-style sets (pairs of corpus lines with scores 0…4).

import Foundation
import TestSupport

enum TinyTrainingFixture {
    static let corpus = (0..<40).map { i in
        "sentence \(i) about topic \(i % 7): a man plays the \(["guitar", "piano", "drums", "violin"][i % 4]) in the park"
    }

    /// The model, corpus and data folders in `tmp`; set `name` with offset k pairs line i with
    /// line (3i + k) mod 40, scored (i + k) mod 5.
    static func make(in tmp: TemporaryDirectory, sets: [(name: String, offset: Int)] = [("sts12", 0)]) throws
        -> (model: URL, corpus: URL, data: URL)
    {
        let model = tmp.file("tiny")
        try TinyModelFactory.make(at: model, tokenizerFrom: TestPaths.miniLM, vocabSize: 30522)
        let corpus = tmp.file("corpus.txt")
        try Data((Self.corpus.joined(separator: "\n") + "\n").utf8).write(to: corpus)
        let data = tmp.file("data")
        for (set, offset) in sets {
            let dir = data.appendingPathComponent("eval/\(set)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let pairs = (0..<12).map { i in "\(Double((i + offset) % 5))\t\(Self.corpus[i])\t\(Self.corpus[(i * 3 + offset) % 40])" }
            try Data((pairs.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("test.tsv"))
        }
        return (model, corpus, data)
    }
}
