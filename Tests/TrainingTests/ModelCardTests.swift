// The model card: its front matter for a fixed set of fields (exact text, and as PyYAML reads it),
// its sections, YAML scalars that read back as written, `eval --card`'s splice (which must equal
// rendering the card with the results, and keep what a person added), Hub ids, and the refusal to
// overwrite a README.md this tool did not write.

import Foundation
import Models
import Testing
import TestSupport
@testable import Training

@Suite struct ModelCardTests {
    static func card(results: ModelCard.Results? = nil, hubID: String? = "sentence-transformers/all-MiniLM-L6-v2") -> ModelCard {
        let architecture = ModelCard.Architecture(
            family: .bert, layers: 6, hiddenSize: 384, heads: 12, maxPositions: 512,
            settings: FolderSettings(pooling: .meanMasked, normalize: true, maxLength: 256))
        let training = ModelCard.TrainingSummary(
            base: .init(name: "all-MiniLM-L6-v2", hubID: hubID), mode: .sentence, pooling: .mean, maxLength: 50,
            paddedRows: false, padQueries: 2, temperature: "0.04", spanMask: 5, epochs: 1, batchSize: 200, precision: "bf16",
            corpus: #"wiki: "quoted".txt"#, corpusExamples: 10000, heldOutExamples: 100,
            arguments: [("mode", "sentence"), ("tau", "0.04"), ("mask_token", "a|b")],
            losses: (1...49).map { (step: $0, loss: 2.0 / Double($0)) },
            monitoring: [(step: 0, alignment: 0.38, uniformity: -2.36), (step: 49, alignment: 0.2, uniformity: -3.62)],
            lossChart: "loss_curve.svg")
        return ModelCard(name: "minilm: mirror", architecture: architecture, training: training, results: results)
    }

    static let results = ModelCard.Results(
        pooling: "mean-masked", maxLength: 64,
        entries: [.init(set: "sts12", displayName: "STS12", metric: .spearman, score: 75, pairs: 3108),
                  .init(set: "stsb", displayName: "STS-B", metric: .spearman, score: .nan, pairs: 1379),
                  .init(set: "qnli", displayName: "QNLI", metric: .rocAUC, score: 62.5, pairs: 4463)],
        averages: [("Average", .nan)])

    static let otherResults = ModelCard.Results(
        pooling: "cls", maxLength: 32,
        entries: [.init(set: "sickr", displayName: "SICK-R", metric: .spearman, score: 70.25, pairs: 4927)], averages: [])

    /// The front matter's lines (between the "---" lines).
    static func frontMatter(_ text: String) -> [String] {
        let lines = text.components(separatedBy: "\n")
        guard lines.first == "---", let end = lines.dropFirst().firstIndex(of: "---") else { return [] }
        return Array(lines[1..<end])
    }

    static let trainedFrontMatter = [
        "library_name: sentence-transformers",
        "pipeline_tag: sentence-similarity",
        "base_model: sentence-transformers/all-MiniLM-L6-v2",
        "tags:",
        "- sentence-transformers",
        "- sentence-similarity",
        "- feature-extraction",
        "- mirror-bert",
        "- dataset_size:9900",
        "- loss:InfoNCE",
        #"- "corpus:wiki: \"quoted\".txt""#,
    ]

    @Test func frontMatterForAFixedCard() {
        #expect(Self.frontMatter(Self.card().render()) == Self.trainedFrontMatter)
        #expect(Self.frontMatter(Self.card(results: Self.results).render()) == Self.trainedFrontMatter + [
            "metrics:",
            "- spearman_cosine",
            "- cosine_roc_auc",
            "model-index:",
            #"- name: "minilm: mirror""#,
            "  results:",
            "  - task:",
            "      type: semantic-similarity",
            "      name: Semantic Similarity",
            "    dataset:",
            "      name: STS12",
            "      type: sts12",
            "    metrics:",
            "    - type: spearman_cosine",
            "      value: 0.75",
            "      name: Spearman Cosine",
            "  - task:",
            "      type: binary-classification",
            "      name: Binary Classification",
            "    dataset:",
            "      name: QNLI",
            "      type: qnli",
            "    metrics:",
            "    - type: cosine_roc_auc",
            "      value: 0.625",
            "      name: Cosine ROC-AUC",
        ])
    }

    @Test(.enabled(if: PythonYAML.isAvailable, "python3 with PyYAML is needed"))
    func pyYAMLReadsTheFrontMatter() throws {
        let text = Self.card(results: Self.results).render()
        let yaml = Self.frontMatter(text).joined(separator: "\n")
        let doc = try #require(try PythonYAML.load(yaml) as? [String: Any])
        #expect(Set(doc.keys) == ["library_name", "pipeline_tag", "base_model", "tags", "metrics", "model-index"])
        #expect(doc["library_name"] as? String == "sentence-transformers")
        #expect(doc["pipeline_tag"] as? String == "sentence-similarity")
        #expect(doc["base_model"] as? String == "sentence-transformers/all-MiniLM-L6-v2")
        let tags = try #require(doc["tags"] as? [String])
        #expect(tags.contains("mirror-bert") && tags.contains(#"corpus:wiki: "quoted".txt"#) && tags.contains("dataset_size:9900"))
        let index = try #require(doc["model-index"] as? [[String: Any]])
        #expect(index.count == 1 && index[0]["name"] as? String == "minilm: mirror")
        let results = try #require(index[0]["results"] as? [[String: Any]])
        // STS-B's score is undefined (NaN): in the table, not in model-index.
        #expect(results.count == 2)
        let datasets = results.compactMap { ($0["dataset"] as? [String: Any])?["type"] as? String }
        #expect(datasets == ["sts12", "qnli"])
        let values = results.compactMap { (($0["metrics"] as? [[String: Any]])?.first?["value"] as? Double) }
        #expect(values == [0.75, 0.625])
        let tasks = results.compactMap { ($0["task"] as? [String: Any])?["type"] as? String }
        #expect(tasks == ["semantic-similarity", "binary-classification"])
    }

    @Test func bodyHasItsSectionsInOrder() throws {
        let text = Self.card(results: Self.results).render()
        let body = try #require(text.components(separatedBy: "\n---\n").dropFirst().first)
        #expect(body.hasPrefix("\n" + ModelCard.marker + "\n\n# minilm: mirror\n"), "\(body.prefix(300))")
        let headings = ["## Model details", "## Usage", "### sentence-transformers (Python)", "### mirror-bert",
                        ModelCard.resultsStart, "## Evaluation", ModelCard.resultsEnd, "## Training", "### Loss",
                        "### Training arguments"]
        let positions = headings.map { h in body.range(of: h)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil }, "\(zip(headings, positions.map { $0 != nil }).filter { !$0.1 })")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "sections out of order")
        for line in [
            "| Base model | [sentence-transformers/all-MiniLM-L6-v2](https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2) |",
            "| Output dimension | 384 |",
            "| Normalization | unit length (a `Normalize` module) |",
            "| STS12 | Spearman | 75.00 | 3108 |",
            "| STS-B | Spearman | n/a | 1379 |",
            "| QNLI | ROC-AUC | 62.50 | 4463 |",
            "| **Average** | | **n/a** | |",
            "![InfoNCE loss per step](loss_curve.svg)",
            "| 1 | 2.0000 |",
            "| 49 | 0.0408 |",
            "| 49 | 0.2000 | -3.6200 |",
            "| tau | `0.04` |",
            #"| mask_token | `a\|b` |"#,
            #"model = SentenceTransformer("minilm: mirror")  # this folder's path, or its Hub id once uploaded"#,
            "mirror-bert encode --model 'minilm: mirror' --input texts.txt --output embeddings.npy",
        ] {
            #expect(body.contains(line + "\n"), "missing line: \(line)")
        }
        #expect(body.contains("`mirror-bert encode --pooling mean --max-length 50` computes it"))
        #expect(body.contains("Trained in | bf16 matrix products"))
    }

    @Test func aCardWithoutTrainingOrHubID() {
        let plain = ModelCard(name: "m", architecture: Self.card().architecture, training: nil).render()
        #expect(!plain.contains("base_model") && !plain.contains("## Training") && !plain.contains("dataset_size"))
        #expect(plain.contains("has no `training_args.json`"))
        let local = Self.card(hubID: nil).render()
        #expect(!Self.frontMatter(local).contains { $0.hasPrefix("base_model") })
        #expect(local.contains("| Base model | `all-MiniLM-L6-v2` (a local folder; `train --base-model-id` names its Hub id) |"))
    }

    // MARK: - eval --card's splice

    @Test func replacingResultsEqualsRenderingWithThem() {
        let trained = Self.card().render()
        let once = ModelCard.replacingResults(in: trained, name: "minilm: mirror", with: Self.results)
        #expect(once == Self.card(results: Self.results).render())
        let twice = ModelCard.replacingResults(in: once, name: "minilm: mirror", with: Self.otherResults)
        #expect(twice == Self.card(results: Self.otherResults).render())
    }

    @Test func replacingResultsKeepsWhatAPersonAdded() {
        var text = Self.card(results: Self.results).render()
        text = text.replacingOccurrences(of: "pipeline_tag: sentence-similarity\n",
                                         with: "pipeline_tag: sentence-similarity\nlicense: mit\nlanguage:\n- en\n")
        text += "\n## Notes\n\nTrained on a Tuesday.\n"
        let updated = ModelCard.replacingResults(in: text, name: "minilm: mirror", with: Self.otherResults)
        let front = Self.frontMatter(updated)
        #expect(front.contains("license: mit") && front.contains("- en"))
        #expect(front.filter { $0 == "model-index:" }.count == 1 && front.filter { $0 == "metrics:" }.count == 1)
        #expect(front.contains("      type: sickr") && !front.contains("      type: sts12"))
        #expect(updated.hasSuffix("\n## Notes\n\nTrained on a Tuesday.\n"))
        #expect(updated.contains("| SICK-R | Spearman | 70.25 | 4927 |") && !updated.contains("| STS12 |"))
    }

    @Test func resultsGoAtTheEndWhenTheMarkersWereRemoved() {
        let text = "---\nlibrary_name: sentence-transformers\n---\n\n" + ModelCard.marker + "\n\n# m\n"
        let updated = ModelCard.replacingResults(in: text, name: "m", with: Self.otherResults)
        #expect(updated.hasPrefix("---\nlibrary_name: sentence-transformers\nmetrics:\n- spearman_cosine\nmodel-index:\n"))
        #expect(updated.hasSuffix("# m\n\n" + ModelCard.resultsStart + "\n" + ModelCard.evaluationSection(Self.otherResults)
                                  + ModelCard.resultsEnd + "\n"))
    }

    @Test func replacingTwiceGivesWhatReplacingOnceGives() {
        let card = Self.card().render()
        let start = ModelCard.resultsStart + "\n", end = ModelCard.resultsEnd + "\n"
        let texts = [
            card, card.replacingOccurrences(of: "\n", with: "\r\n"), "\u{FEFF}" + card, "", "no front matter\n",
            "---\nunclosed: yes\n", "---\n---\n", start + "orphan start\n", "a\n" + end + "orphan end\n",
            start + "a\n" + start + "b\n" + end, end + start + "x\n", "---\nmodel-index:\n- x\n---\n" + start,
            "---\nlibrary_name: x\n---\n\n<!\r",  // found by the fuzzer: a final CR met the LF appended after it
        ]
        for text in texts {
            let once = ModelCard.replacingResults(in: text, name: "m", with: Self.results)
            #expect(ModelCard.replacingResults(in: once, name: "m", with: Self.results) == once, "\(text.debugDescription)")
            #expect(once.hasPrefix("---\n") && once.contains("model-index:\n"), "\(once.debugDescription)")
        }
        // Text outside the section survives: both orphans stay, the pair's content is replaced.
        let kept = ModelCard.replacingResults(in: start + "a\n" + start + "b\n" + end, name: "m", with: Self.otherResults)
        #expect(kept.contains(start + "a\n" + start + ModelCard.evaluationSection(Self.otherResults) + end))
    }

    // MARK: - YAML scalars

    static let awkwardStrings = [
        "plain", "org/name", "dataset_size:100", "a: b", "ends:", ":starts", "yes", "No", "ON", "null", "Null", "~", "1.0", "1e5",
        "0x1F", "2021-01-01", "#hash", "a #b", "- dash", "? q", "quote\"s", "'single'", "back\\slash", "new\nline", "tab\there",
        "ünïcödé", "emoji 🙂", " leading", "trailing ", "", "[x]", "{y}", "&anchor", "*alias", "!tag", "%pct", "@at", "`tick",
        "a,b", "|", ">", "\u{2028}", "\u{85}", "\u{1}", ".inf", ".nan", "<<",
    ]

    @Test func plainScalarsAreOnlyThoseThatReadBackAsStrings() {
        for s in ["plain", "org/name", "dataset_size:100", "sentence-transformers", "loss:InfoNCE", "all-MiniLM-L6-v2"] {
            #expect(CardYAML.string(s) == s)
        }
        for s in ["a: b", "ends:", "yes", "No", "null", "1.0", "2021-01-01", "#hash", "", " leading", "a,b"] {
            #expect(CardYAML.string(s).hasPrefix("\""), "\(s) must be quoted")
        }
        #expect(CardYAML.number(1e-05) == "1.0e-05" && CardYAML.number(0.75) == "0.75" && CardYAML.number(-3e20) == "-3.0e+20")
    }

    @Test(.enabled(if: PythonYAML.isAvailable, "python3 with PyYAML is needed"))
    func scalarsReadBackThroughPyYAML() throws {
        let yaml = "strings:\n" + Self.awkwardStrings.map { "- " + CardYAML.string($0) + "\n" }.joined()
            + "numbers:\n" + [0.75, 1e-05, -3.2e-07, 1e20, 0.1, 0.7236000000000001].map { "- " + CardYAML.number($0) + "\n" }.joined()
        let doc = try #require(try PythonYAML.load(yaml) as? [String: Any])
        let strings = try #require(doc["strings"] as? [String], "\(String(describing: doc["strings"]))")
        #expect(strings == Self.awkwardStrings)
        let numbers = try #require(doc["numbers"] as? [Double], "\(String(describing: doc["numbers"]))")
        #expect(numbers == [0.75, 1e-05, -3.2e-07, 1e20, 0.1, 0.7236000000000001])
    }

    // MARK: - Hub ids

    @Test func hubIDs() {
        for id in ["sentence-transformers/all-MiniLM-L6-v2", "bert-base-uncased", "a_b.c/d-e"] { #expect(ModelCard.isHubID(id), "\(id)") }
        for id in ["", "a/b/c", "-a/b", "a/b-", "a--b/c", "a/..b", "a b/c", "org/", "/name", String(repeating: "x", count: 97)] {
            #expect(!ModelCard.isHubID(id), "\(id)")
        }
        #expect(ModelCard.hubID(inCachePath: "/root/.cache/huggingface/hub/models--sentence-transformers--all-MiniLM-L6-v2/snapshots/8b3219a9")
                == "sentence-transformers/all-MiniLM-L6-v2")
        #expect(ModelCard.hubID(inCachePath: "/hub/models--bert-base-uncased/snapshots/abc/") == "bert-base-uncased")
        #expect(ModelCard.hubID(inCachePath: "models/all-MiniLM-L6-v2") == nil)
        #expect(ModelCard.hubID(inCachePath: "/x/models--a--b/blobs/abc") == nil)
    }

    @Test func sampleIndicesSpreadOverTheRun() {
        #expect(ModelCard.sampleIndices(49, 6) == [0, 10, 19, 29, 38, 48])
        #expect(ModelCard.sampleIndices(3, 6) == [0, 1, 2])
        #expect(ModelCard.sampleIndices(0, 6) == [])
    }

    // MARK: - README.md files

    @Test func aReadmeThisToolDidNotWriteIsRefusedAndLeftAlone() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let readme = tmp.file(ModelCard.fileName)
        let notes = "---\nlicense: mit\n---\n# My model\n\nNotes that must survive.\n"
        try Data(notes.utf8).write(to: readme)
        #expect(throws: ModelCardError.foreignCard(path: readme.path)) { try ModelCardFolder.existingCard(in: tmp.url) }
        #expect(throws: ModelCardError.foreignCard(path: readme.path)) {
            try ModelCardFolder.writeResults(Self.otherResults, to: tmp.url)
        }
        #expect(try String(contentsOf: readme, encoding: .utf8) == notes)
        #expect(ModelCardError.foreignCard(path: readme.path).description.contains("was not written by mirror-bert"))

        try Data(Self.card().render().utf8).write(to: readme)
        #expect(try ModelCardFolder.existingCard(in: tmp.url) == Self.card().render())
        try FileManager.default.removeItem(at: readme)
        #expect(try ModelCardFolder.existingCard(in: tmp.url) == nil)
    }
}
