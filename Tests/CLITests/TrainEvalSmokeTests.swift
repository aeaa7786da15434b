// End to end on a tiny random model (hidden 32, 2 layers, all-MiniLM-L6-v2's tokenizer): train on a
// few dozen lines, check the output folder, evaluate and compare on a small synthetic STS set.

import Foundation
import Models
import Testing
import TestSupport

@Suite(.enabled(if: TestPaths.exists(TestPaths.miniLM), "run Scripts/setup.sh to fetch all-MiniLM-L6-v2"))
struct TrainEvalSmokeTests {
    static let corpus = (0..<40).map { i in
        "sentence \(i) about topic \(i % 7): a man plays the \(["guitar", "piano", "drums", "violin"][i % 4]) in the park"
    }

    func setUp(_ tmp: TemporaryDirectory) throws -> (model: URL, corpus: URL, data: URL) {
        let model = tmp.file("tiny")
        try TinyModelFactory.make(at: model, tokenizerFrom: TestPaths.miniLM, vocabSize: 30522)
        let corpus = tmp.file("corpus.txt")
        try Data((Self.corpus.joined(separator: "\n") + "\n").utf8).write(to: corpus)
        let data = tmp.file("data")
        try FileManager.default.createDirectory(at: data.appendingPathComponent("eval/sts12"), withIntermediateDirectories: true)
        let pairs = (0..<12).map { i in
            "\(Double(i % 5))\t\(Self.corpus[i])\t\(Self.corpus[(i * 3) % 40])"
        }
        try Data((pairs.joined(separator: "\n") + "\n").utf8).write(to: data.appendingPathComponent("eval/sts12/test.tsv"))
        return (model, corpus, data)
    }

    @Test func trainWritesALoadableModelFolderAndEvalComparesIt() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let (model, corpus, data) = try setUp(tmp)
        let out = tmp.file("trained")
        let r = try MirrorBERTExecutable.run(["train", "--model", model.path, "--corpus", corpus.path, "--output", out.path,
                                              "--batch-size", "8", "--max-length", "24", "--held-out", "0.1"])
        #expect(r.status == 0, "\(r)")
        for name in ["config.json", "model.safetensors", "tokenizer.json", "vocab.txt", "modules.json",
                     "1_Pooling/config.json", "sentence_bert_config.json", "train_log.jsonl", "loss_curve.svg",
                     "training_args.json"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "missing \(name)")
        }
        // 36 training lines (4 held out) in batches of 8: 4 steps, plus 2 monitoring records.
        let log = try String(contentsOf: out.appendingPathComponent("train_log.jsonl"), encoding: .utf8)
        let records = log.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(records.filter { $0["loss"] != nil }.count == 4, "\(log)")
        #expect(records.filter { $0["alignment"] != nil }.count == 2, "\(log)")
        let pooling = try String(contentsOf: out.appendingPathComponent("1_Pooling/config.json"), encoding: .utf8)
        #expect(pooling.contains("\"pooling_mode_mean_tokens\": true"))
        // The trained weights load and differ from the initial ones.
        let before = try Checkpoint.load(model), after = try Checkpoint.load(out)
        #expect(before.encoder.parameters.array != after.encoder.parameters.array)

        let json = tmp.file("compare.json")
        let c = try MirrorBERTExecutable.run(["compare", "--before", model.path, "--after", out.path, "--suite", "sts12",
                                              "--data", data.path, "--json", json.path])
        #expect(c.status == 0, "\(c)")
        #expect(c.stdout.contains("STS12") && c.stdout.contains("before") && c.stdout.contains("after"), "\(c)")
        let reports = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [[String: Any]]
        #expect(reports.count == 2)
        let results = reports[0]["results"] as! [[String: Any]]
        #expect(results.first?["set"] as? String == "sts12" && results.first?["n"] as? Int == 12)
        #expect(FileManager.default.fileExists(atPath: tmp.file("compare.svg").path))

        let e = try MirrorBERTExecutable.run(["eval", "--model", out.path, "--suite", "sts12", "--data", data.path,
                                              "--pooling", "cls"])
        #expect(e.status == 0 && e.stdout.contains("STS12"), "\(e)")
    }

    @Test func sameSeedGivesIdenticalModelFiles() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let (model, corpus, _) = try setUp(tmp)
        var files: [Data] = []
        for name in ["a", "b"] {
            let out = tmp.file(name)
            let r = try MirrorBERTExecutable.run(["train", "--model", model.path, "--corpus", corpus.path, "--output", out.path,
                                                  "--batch-size", "8", "--max-length", "24", "--drophead", "0.1", "--seed", "3"])
            #expect(r.status == 0, "\(r)")
            files.append(try Data(contentsOf: out.appendingPathComponent("model.safetensors")))
        }
        #expect(files[0] == files[1], "two runs with one seed must write identical weights")
    }
}
