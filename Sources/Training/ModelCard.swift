// The model card (README.md) of a folder written by `mirror-bert train`, in the shape
// sentence-transformers gives its own cards, so that the Hugging Face Hub files the model under
// sentence-transformers / sentence-similarity and shows its scores:
//
//   ---                                        YAML front matter (CardYAML)
//   library_name: sentence-transformers
//   pipeline_tag: sentence-similarity
//   base_model: org/name                       only when the base's Hub id is known
//   tags: [sentence-transformers, sentence-similarity, feature-extraction, mirror-bert,
//          dataset_size:N, loss:InfoNCE, corpus:<file name>]
//   metrics: [spearman_cosine, …]              ┐ only with evaluation results
//   model-index: [{name, results: [{task: {type, name}, dataset: {name, type},
//                  metrics: [{type, value, name}]}]}]        ┘ (one result per evaluation set)
//   ---
//   <!-- mirror-bert model card … -->          the marker: this tool wrote the card
//   # name, what the model is, Model details (table), Usage (sentence-transformers, mirror-bert),
//   <!-- mirror-bert results --> Evaluation <!-- /mirror-bert results -->
//   Training (loss curve and table, held-out alignment/uniformity, training_args.json as a table)
//
// Scores: `model-index` values are fractions, as sentence-transformers writes `spearman_cosine`
// (ρ = 0.8311); the card's table shows them ×100 with two decimals, as `mirror-bert eval` prints
// them (83.11). A set whose score is undefined (NaN) is in the table as "n/a" and not in
// `model-index`, which requires a number.
//
// The card is a pure function of its fields; ModelCardSections.swift writes its sections and
// `ModelCardFolder` reads the fields from a model folder.

import Foundation
import Models

public struct ModelCard: Equatable, Sendable {
    /// The file the card is written to.
    public static let fileName = "README.md"
    /// The first line after the front matter: a README.md without it was not written by this tool.
    public static let marker = "<!-- mirror-bert model card: written by `mirror-bert train`; "
        + "`mirror-bert eval --card` rewrites its results and model-index -->"
    static let resultsStart = "<!-- mirror-bert results -->"
    static let resultsEnd = "<!-- /mirror-bert results -->"
    /// Front matter keys that `eval --card` owns (replaced as a whole; every other key is kept).
    static let resultKeys: Set<String> = ["metrics", "model-index"]

    /// The title and model-index name: the model folder's name.
    public var name: String
    public var architecture: Architecture
    /// How `mirror-bert train` made the model; nil for a folder it did not train.
    public var training: TrainingSummary?
    public var results: Results?

    public init(name: String, architecture: Architecture, training: TrainingSummary?, results: Results? = nil) {
        self.name = name; self.architecture = architecture; self.training = training; self.results = results
    }

    // MARK: - Fields

    public struct Architecture: Equatable, Sendable {
        public var family: ModelFamily
        public var layers: Int
        public var hiddenSize: Int
        public var heads: Int
        /// The longest input the position embeddings allow.
        public var maxPositions: Int
        /// What the folder's sentence-transformers files declare.
        public var settings: FolderSettings

        public init(family: ModelFamily, layers: Int, hiddenSize: Int, heads: Int, maxPositions: Int, settings: FolderSettings) {
            self.family = family; self.layers = layers; self.hiddenSize = hiddenSize; self.heads = heads
            self.maxPositions = maxPositions; self.settings = settings
        }
    }

    /// The model training started from: its folder's name and, when known, its Hub id.
    public struct BaseModel: Equatable, Sendable {
        public var name: String
        public var hubID: String?
        public init(name: String, hubID: String?) { self.name = name; self.hubID = hubID }
    }

    public struct TrainingSummary: Equatable, Sendable {
        public var base: BaseModel
        public var mode: CorpusMode
        public var pooling: Pooling
        public var maxLength: Int
        public var paddedRows: Bool
        public var padQueries: Int?
        /// τ as training_args.json writes it ("0.04").
        public var temperature: String
        public var spanMask: Int
        public var epochs: Int
        public var batchSize: Int
        /// The products' precision ("bf16"); nil in folders from before it was recorded.
        public var precision: String?
        /// The corpus file's name (not its path).
        public var corpus: String?
        public var corpusExamples: Int?
        public var heldOutExamples: Int?
        /// training_args.json's members in order, values as compact JSON (paths as file names).
        public var arguments: [(key: String, value: String)]
        public var losses: [(step: Int, loss: Double)]
        /// Held-out alignment and uniformity, in log order.
        public var monitoring: [(step: Int, alignment: Double, uniformity: Double)]
        /// The loss chart's file name in the folder, if it has one.
        public var lossChart: String?

        public init(base: BaseModel, mode: CorpusMode, pooling: Pooling, maxLength: Int, paddedRows: Bool, padQueries: Int?,
                    temperature: String, spanMask: Int, epochs: Int, batchSize: Int, precision: String?, corpus: String?,
                    corpusExamples: Int?, heldOutExamples: Int?, arguments: [(key: String, value: String)],
                    losses: [(step: Int, loss: Double)], monitoring: [(step: Int, alignment: Double, uniformity: Double)],
                    lossChart: String?) {
            self.base = base; self.mode = mode; self.pooling = pooling; self.maxLength = maxLength
            self.paddedRows = paddedRows; self.padQueries = padQueries; self.temperature = temperature
            self.spanMask = spanMask; self.epochs = epochs; self.batchSize = batchSize; self.precision = precision
            self.corpus = corpus; self.corpusExamples = corpusExamples; self.heldOutExamples = heldOutExamples
            self.arguments = arguments; self.losses = losses; self.monitoring = monitoring; self.lossChart = lossChart
        }

        public static func == (a: TrainingSummary, b: TrainingSummary) -> Bool {
            a.base == b.base && a.mode == b.mode && a.pooling == b.pooling && a.maxLength == b.maxLength
                && a.paddedRows == b.paddedRows && a.padQueries == b.padQueries && a.temperature == b.temperature
                && a.spanMask == b.spanMask && a.epochs == b.epochs && a.batchSize == b.batchSize
                && a.precision == b.precision && a.corpus == b.corpus && a.corpusExamples == b.corpusExamples
                && a.heldOutExamples == b.heldOutExamples && a.lossChart == b.lossChart
                && a.arguments.map(\.key) == b.arguments.map(\.key) && a.arguments.map(\.value) == b.arguments.map(\.value)
                && a.losses.map(\.step) == b.losses.map(\.step) && a.losses.map(\.loss) == b.losses.map(\.loss)
                && a.monitoring.map(\.step) == b.monitoring.map(\.step)
                && a.monitoring.map(\.alignment) == b.monitoring.map(\.alignment)
                && a.monitoring.map(\.uniformity) == b.monitoring.map(\.uniformity)
        }
    }

    /// What a score is.
    public enum Metric: String, Sendable {
        /// Spearman's ρ of cosine similarity against gold scores (sentence-transformers' spearman_cosine).
        case spearman
        /// ROC-AUC of cosine similarity against binary labels.
        case rocAUC = "roc_auc"
    }

    /// An evaluation (`mirror-bert eval`), the numbers as its report holds them.
    public struct Results: Equatable, Sendable {
        public struct Entry: Equatable, Sendable {
            /// The set's id ("stsb") and its heading ("STS-B").
            public var set: String
            public var displayName: String
            public var metric: Metric
            /// ×100, NaN when undefined.
            public var score: Double
            public var pairs: Int
            public init(set: String, displayName: String, metric: Metric, score: Double, pairs: Int) {
                self.set = set; self.displayName = displayName; self.metric = metric; self.score = score; self.pairs = pairs
            }
            public static func == (a: Entry, b: Entry) -> Bool {
                a.set == b.set && a.displayName == b.displayName && a.metric == b.metric && a.pairs == b.pairs
                    && (a.score == b.score || (a.score.isNaN && b.score.isNaN))
            }
        }
        /// The pooling and max length the embeddings were computed with.
        public var pooling: String
        public var maxLength: Int
        public var entries: [Entry]
        /// Averages to show under the table ("Average" over every set; one per suite when several).
        public var averages: [(label: String, score: Double)]

        public init(pooling: String, maxLength: Int, entries: [Entry], averages: [(label: String, score: Double)]) {
            self.pooling = pooling; self.maxLength = maxLength; self.entries = entries; self.averages = averages
        }

        public static func == (a: Results, b: Results) -> Bool {
            a.pooling == b.pooling && a.maxLength == b.maxLength && a.entries == b.entries
                && a.averages.map(\.label) == b.averages.map(\.label)
                && zip(a.averages, b.averages).allSatisfy { $0.score == $1.score || ($0.score.isNaN && $1.score.isNaN) }
        }
    }

    // MARK: - The whole card

    /// The card as README.md text.
    public func render() -> String {
        var blocks = [
            CardYAML.Block(key: "library_name", lines: ["library_name: sentence-transformers"]),
            CardYAML.Block(key: "pipeline_tag", lines: ["pipeline_tag: sentence-similarity"]),
        ]
        if let id = training?.base.hubID {
            blocks.append(CardYAML.Block(key: "base_model", lines: ["base_model: " + CardYAML.string(id)]))
        }
        var tags = ["sentence-transformers", "sentence-similarity", "feature-extraction", "mirror-bert"]
        if let t = training {
            if let n = t.corpusExamples { tags.append("dataset_size:\(n - (t.heldOutExamples ?? 0))") }
            tags.append("loss:InfoNCE")
            if let corpus = t.corpus { tags.append("corpus:" + corpus) }
        }
        blocks.append(CardYAML.Block(key: "tags", lines: ["tags:"] + tags.map { "- " + CardYAML.string($0) }))
        if let results { blocks += Self.resultBlocks(name: name, results) }

        var body = Self.marker + "\n\n# " + Markdown.text(name) + "\n\n" + introduction() + "\n"
        body += details() + usage()
        body += Self.resultsStart + "\n" + (results.map(Self.evaluationSection) ?? "") + Self.resultsEnd + "\n"
        if let training { body += "\n" + Self.trainingSection(training) }
        return CardYAML.frontMatter(blocks) + "\n" + body
    }

    /// `original` (a card this tool wrote) with `results` in place of its previous ones: the front
    /// matter's metrics and model-index blocks and the text of the results section are replaced,
    /// every other line is kept (CRLF and CR line ends become LF, a BOM is dropped). The results section runs from the last
    /// start marker that an end marker follows to that end marker; without one it is appended.
    /// Applying the same results twice gives the same text as applying them once.
    public static func replacingResults(in original: String, name: String, with results: Results) -> String {
        // CommonMark's line ends are LF, CR and CRLF; all become LF (so no CR is left to pair with
        // a LF written after it).
        var text = original.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let blocks = resultBlocks(name: name, results)
        var head: String, body: Substring
        if let (lines, rest) = CardYAML.split(text) {
            head = CardYAML.frontMatter([CardYAML.Block(key: "", lines: CardYAML.replacingBlocks(resultKeys, in: lines, with: blocks))])
            body = rest
        } else {
            head = CardYAML.frontMatter(blocks)
            body = Substring(text)
        }
        let section = evaluationSection(results)
        var searchEnd = body.endIndex
        while let start = body.range(of: resultsStart + "\n", options: .backwards, range: body.startIndex..<searchEnd) {
            if let end = body.range(of: resultsEnd, range: start.upperBound..<body.endIndex) {
                return head + body[..<start.upperBound] + section + body[end.lowerBound...]
            }
            searchEnd = start.lowerBound
        }
        return head + body + (body.hasSuffix("\n") || body.isEmpty ? "" : "\n") + "\n" + resultsStart + "\n" + section
            + resultsEnd + "\n"
    }
}
