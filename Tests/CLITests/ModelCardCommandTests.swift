// The model card end to end on a tiny random model (hidden 32, 2 layers, all-MiniLM-L6-v2's
// tokenizer): `train` writes README.md into the trained folder; `eval --card` adds a model-index
// whose values are eval's --json scores as fractions and keeps the rest of the card; a folder
// without a card gets one; a README.md that mirror-bert did not write is refused and left alone.

import Foundation
import Testing
import TestSupport

@Suite(.enabled(if: TestPaths.exists(TestPaths.miniLM), "run Scripts/setup.sh to fetch all-MiniLM-L6-v2"))
struct ModelCardCommandTests {
    static let corpus = TinyTrainingFixture.corpus

    func setUp(_ tmp: TemporaryDirectory) throws -> (model: URL, corpus: URL, data: URL) {
        try TinyTrainingFixture.make(in: tmp, sets: [("sts12", 0), ("sickr", 5)])
    }

    /// The front matter's lines (between the "---" lines) and the rest of the card.
    static func split(_ card: String) -> (front: [String], body: String) {
        let lines = card.components(separatedBy: "\n")
        guard lines.first == "---", let end = lines.dropFirst().firstIndex(of: "---") else { return ([], card) }
        return (Array(lines[1..<end]), lines[(end + 1)...].joined(separator: "\n"))
    }

    /// model-index values by dataset type, read line by line from our block layout.
    static func modelIndexValues(_ front: [String]) -> [String: Double] {
        var values: [String: Double] = [:]
        var dataset: String?, inDataset = false
        for line in front {
            if line == "    dataset:" { inDataset = true }
            if inDataset, line.hasPrefix("      type: ") { dataset = String(line.dropFirst(12)); inDataset = false }
            if line.hasPrefix("      value: "), let d = dataset { values[d] = Double(line.dropFirst(13)) }
        }
        return values
    }

    /// Each set's score ×100 from eval's --json file, read from its result lines
    /// (`{"set": "sts12", "metric": "spearman", "score": 72.36, "n": 3108}`) with Swift's correctly
    /// rounded Double(String): Foundation's JSON parser on Linux can be an ulp off, and the card
    /// must hold exactly score / 100.
    static func jsonScores(_ url: URL) throws -> [String: Double] {
        var scores: [String: Double] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            guard let s = line.range(of: #""set": ""#), let v = line.range(of: #""score": "#) else { continue }
            let set = line[s.upperBound...].prefix { $0 != "\"" }
            let value = line[v.upperBound...].prefix { $0 != "," && $0 != "}" }
            let number = try #require(Double(String(value)), "\(line)")
            scores[String(set)] = number
        }
        return scores
    }

    @Test func trainWritesACardAndEvalCardAddsTheScores() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let (model, corpus, data) = try setUp(tmp)
        let out = tmp.file("trained")
        let t = try MirrorBERTExecutable.run(["train", "--model", model.path, "--corpus", corpus.path, "--output", out.path,
                                              "--batch-size", "8", "--max-length", "24", "--held-out", "0.1",
                                              "--base-model-id", "sentence-transformers/all-MiniLM-L6-v2"])
        #expect(t.status == 0, "\(t)")
        let readme = out.appendingPathComponent("README.md")
        let trained = try String(contentsOf: readme, encoding: .utf8)
        let (front, body) = Self.split(trained)
        #expect(front == ["library_name: sentence-transformers", "pipeline_tag: sentence-similarity",
                          "base_model: sentence-transformers/all-MiniLM-L6-v2", "tags:", "- sentence-transformers",
                          "- sentence-similarity", "- feature-extraction", "- mirror-bert", "- dataset_size:36",
                          "- loss:InfoNCE", "- corpus:corpus.txt"], "\(front)")
        for line in ["<!-- mirror-bert model card", "# trained\n", "![InfoNCE loss per step](loss_curve.svg)",
                     "| Base model | [sentence-transformers/all-MiniLM-L6-v2](https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2) |",
                     "| Output dimension | 32 |", "| Training corpus | `corpus.txt`, 40 sentences (4 held out to monitor alignment and uniformity) |",
                     "| corpus | `corpus.txt` |", "| model | `tiny` |", "| tau | `0.04` |", "| corpus_examples | `40` |",
                     "model = SentenceTransformer(\"trained\")"] {
            #expect(body.contains(line), "missing: \(line)")
        }
        #expect(!body.contains(tmp.url.path), "the card names files, not this machine's paths")
        let args = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("training_args.json")))
                                as? [String: Any])
        #expect(args["corpus_examples"] as? Int == 40 && args["held_out_examples"] as? Int == 4
                && args["base_model_id"] as? String == "sentence-transformers/all-MiniLM-L6-v2", "\(args)")

        let json = tmp.file("eval.json")
        let e = try MirrorBERTExecutable.run(["eval", "--model", out.path, "--suite", "sts12,sickr", "--data", data.path,
                                              "--json", json.path, "--card"])
        #expect(e.status == 0 && e.stderr.contains("updated the model card \(readme.path)"), "\(e)")
        let scores = try Self.jsonScores(json)
        let card = try String(contentsOf: readme, encoding: .utf8)
        let (newFront, newBody) = Self.split(card)
        #expect(Array(newFront.prefix(front.count)) == front, "the trained front matter is kept")
        #expect(Self.modelIndexValues(newFront) == scores.mapValues { $0 / 100 }, "\(newFront) vs \(scores)")
        for (set, name) in [("sts12", "STS12"), ("sickr", "SICK-R")] {
            let shown = String(format: "%.2f", scores[set]!)
            #expect(newBody.contains("| \(name) | Spearman | \(shown) | 12 |"), "\(name) \(shown) in \(newBody)")
        }
        // Everything outside the results markers is as train wrote it.
        let start = "<!-- mirror-bert results -->\n", end = "<!-- /mirror-bert results -->"
        #expect(newBody.components(separatedBy: start)[0] == body.components(separatedBy: start)[0])
        #expect(newBody.components(separatedBy: end)[1] == body.components(separatedBy: end)[1])

        if PythonYAML.isAvailable {
            let doc = try #require(try PythonYAML.load(newFront.joined(separator: "\n")) as? [String: Any])
            let index = try #require(doc["model-index"] as? [[String: Any]])
            let results = try #require(index.first?["results"] as? [[String: Any]])
            var read: [String: Double] = [:]
            for r in results {
                let set = try #require((r["dataset"] as? [String: Any])?["type"] as? String)
                let metric = try #require((r["metrics"] as? [[String: Any]])?.first)
                #expect(metric["type"] as? String == "spearman_cosine")
                read[set] = metric["value"] as? Double
            }
            #expect(read == scores.mapValues { $0 / 100 }, "PyYAML reads \(read)")
            #expect(doc["library_name"] as? String == "sentence-transformers" && doc["pipeline_tag"] as? String == "sentence-similarity")
        }

        // The same evaluation again gives the same card: nothing is appended twice.
        let again = try MirrorBERTExecutable.run(["eval", "--model", out.path, "--suite", "sts12,sickr", "--data", data.path, "--card"])
        #expect(again.status == 0, "\(again)")
        #expect(try String(contentsOf: readme, encoding: .utf8) == card)
    }

    @Test func evalCardWritesACardForAFolderWithoutOne() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let (model, _, data) = try setUp(tmp)
        let json = tmp.file("eval.json")
        let e = try MirrorBERTExecutable.run(["eval", "--model", model.path, "--suite", "sts12", "--data", data.path,
                                              "--json", json.path, "--card"])
        #expect(e.status == 0 && e.stderr.contains("wrote a model card"), "\(e)")
        let card = try String(contentsOf: model.appendingPathComponent("README.md"), encoding: .utf8)
        let (front, body) = Self.split(card)
        #expect(front.starts(with: ["library_name: sentence-transformers", "pipeline_tag: sentence-similarity", "tags:"]), "\(front)")
        #expect(Self.modelIndexValues(front) == (try Self.jsonScores(json)).mapValues { $0 / 100 })
        #expect(body.contains("has no `training_args.json`") && !body.contains("## Training"), "\(body)")
    }

    @Test func evalCardRefusesAReadmeItDidNotWrite() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let (model, _, data) = try setUp(tmp)
        let readme = model.appendingPathComponent("README.md")
        let notes = "---\nlicense: mit\n---\n# Somebody's model\n"
        try Data(notes.utf8).write(to: readme)
        let e = try MirrorBERTExecutable.run(["eval", "--model", model.path, "--suite", "sts12", "--data", data.path, "--card"])
        #expect(e.status != 0 && e.stderr.contains("\(readme.path) was not written by mirror-bert"), "\(e)")
        #expect(!e.stdout.contains("STS12"), "refused before evaluating: \(e)")
        #expect(try String(contentsOf: readme, encoding: .utf8) == notes)
    }

    @Test func trainRefusesABaseModelIdThatIsNotOne() throws {
        let r = try MirrorBERTExecutable.run(["train", "--corpus", "/dev/null", "--output", "/tmp/never", "--base-model-id", "not an id"])
        #expect(r.status != 0 && r.stderr.contains("--base-model-id \"not an id\" is not a Hugging Face model id"), "\(r)")
    }
}
