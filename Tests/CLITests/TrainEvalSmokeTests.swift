// End to end on a tiny random model (hidden 32, 2 layers, all-MiniLM-L6-v2's tokenizer): train on a
// few dozen lines, check the output folder, evaluate and compare on a small synthetic STS set.

import Foundation
import Models
import Testing
import TestSupport

@Suite(.enabled(if: TestPaths.exists(TestPaths.miniLM), "run Scripts/setup.sh to fetch all-MiniLM-L6-v2"))
struct TrainEvalSmokeTests {
    static let corpus = TinyTrainingFixture.corpus

    func setUp(_ tmp: TemporaryDirectory) throws -> (model: URL, corpus: URL, data: URL) {
        try TinyTrainingFixture.make(in: tmp)
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

    /// --pad-queries: mean pooling on packed rows, recorded in training_args.json and shown by
    /// info; a checkpoint resumes with it, and flags that conflict with it are refused.
    @Test func padQueriesTrainPackedRowsAndRecordThem() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let (model, corpus, _) = try setUp(tmp)
        let out = tmp.file("trained"), resumed = tmp.file("resumed")
        // 40 lines in batches of 20: 2 steps.
        let args = ["train", "--model", model.path, "--corpus", corpus.path, "--batch-size", "20", "--max-length", "24"]
        let r = try MirrorBERTExecutable.run(args + ["--pad-queries", "4", "--output", out.path, "--save-every", "1"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("pooling mean, max length 24 (packed, 4 pad queries per row)"), "\(r)")
        let argsData = try Data(contentsOf: out.appendingPathComponent("training_args.json"))
        let json = try JSONSerialization.jsonObject(with: argsData) as! [String: Any]
        #expect(json["pad_queries"] as? Int == 4 && json["padded_rows"] as? Bool == false && json["pad_to_max"] as? Bool == false,
                "\(json)")
        let training = try FolderSettings.read(out).training
        #expect(training?.pooling == .mean && training?.padded == false && training?.padQueries == 4, "\(String(describing: training))")
        let info = try MirrorBERTExecutable.run(["info", "--model", out.path])
        #expect(info.stdout.contains("with mean pooling, max length 24, packed rows with up to 4 pad queries each"), "\(info)")

        // Resuming keeps the checkpoint's pad queries (given again or not) and refuses another count.
        let checkpoint = URL(fileURLWithPath: out.path + "-checkpoints/step-000001").path
        var c = try MirrorBERTExecutable.run(["train", "--resume", checkpoint, "--output", resumed.path, "--pad-queries", "4"])
        #expect(c.status == 0 && c.stderr.contains("(packed, 4 pad queries per row)"), "\(c)")
        #expect(try Data(contentsOf: resumed.appendingPathComponent("model.safetensors"))
                == Data(contentsOf: out.appendingPathComponent("model.safetensors")))
        c = try MirrorBERTExecutable.run(["train", "--resume", checkpoint, "--output", resumed.path, "--pad-queries", "5"])
        #expect(c.status != 0 && c.stderr.contains("--pad-queries 5 (checkpoint: 4)"), "\(c)")

        for (extra, message) in [(["--pad-queries", "4", "--pad-to-max"], "--pad-queries and --pad-to-max conflict"),
                                 (["--pad-queries", "4", "--pooling", "cls"], "--pad-queries applies only to mean pooling"),
                                 (["--pad-queries", "0"], "--pad-queries must be at least 1")] {
            let e = try MirrorBERTExecutable.run(args + ["--output", tmp.file("refused").path] + extra)
            #expect(e.status != 0 && e.stderr.contains(message), "\(e)")
        }
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
