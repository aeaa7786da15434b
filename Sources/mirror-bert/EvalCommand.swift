// mirror-bert eval: the paper's evaluation (STS, word similarity, QA) of one or more models.

import ArgumentParser
import Charts
import Evaluation
import FileIO
import Foundation
import Models
import Training

/// Options shared by `eval` and `compare`.
struct EvalOptions: ParsableArguments {
    @Option(help: "Suite: sts | words | qa | all, or set names separated by commas (e.g. sts12,stsb).")
    var suite: String = "sts"

    @Option(help: "Data folder (default: $MIRROR_BERT_DATA, else ../shared/data).")
    var data: String?

    /// The paper's protocol unless a flag says otherwise: mean-masked pooling, max length 64, for
    /// every model alike (not each folder's own settings), so before/after tables compare.
    @OptionGroup var embedding: EmbeddingOptions

    @Option(help: "Multi-SimLex languages for the words suite, comma-separated (eng fra pol rus cmn yue ara heb est fin cym spa).")
    var languages: String = "eng"

    /// The set names to evaluate.
    func setNames() throws -> [String] {
        var names: [String] = []
        let langs = languages.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for part in suite.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            switch part {
            case "words", "all":
                if part == "all" { names += ["sts", "qa"] }
                names.append("simlex999")
                for l in langs {
                    guard EvalRegistry.multisimlexLanguages.contains(l) else {
                        throw ValidationError("unknown Multi-SimLex language '\(l)' (known: \(EvalRegistry.multisimlexLanguages.joined(separator: " ")))")
                    }
                    names.append("multisimlex-\(l)")
                }
            default: names.append(part)
            }
        }
        return try EvalRegistry.resolve(names).map(\.name)
    }

    /// Loads the sets once (they can be shared by several models).
    func loadSets() throws -> [EvalPairSet] {
        try EvalRegistry.load(try setNames(), from: DataFolder.resolve(flag: data))
    }

    /// Evaluates the model at `directory` on `sets`.
    func evaluate(_ directory: URL, sets: [EvalPairSet]) throws -> EvalReport {
        let ckpt = try Checkpoint.load(directory)
        let options = try embedding.resolve(.paper, modelLimit: ckpt.config.maxSequenceLength).options
        let embedder = try Embedder(ckpt, options: options)
        let total = sets.reduce(0) { $0 + Evaluator.distinctTexts(of: $1).texts.count }
        let progress = Progress("eval \(directory.lastPathComponent)", total: total)
        var base = 0, lastSet = -1, lastDone = 0
        let report = try Evaluator.run(
            sets: sets, info: EvalRunInfo(model: directory.path, pooling: options.pooling.rawValue, maxLength: options.maxLength),
            chunkSize: 4096, embed: { try embedder.embed($0) },
            progress: { p in
                if p.setIndex != lastSet { base += lastDone; lastSet = p.setIndex }
                lastDone = p.textsDone
                progress.update(base + p.textsDone, extra: p.set)
            })
        progress.finish()
        return report
    }
}

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Spearman ×100 of cosine similarity vs gold on STS12–16, STS-B, SICK-R (sts); SimLex-999 and Multi-SimLex (words); ROC-AUC ×100 on QNLI (qa).",
        discussion: """
        Several --model options print one table with a column per model. --card writes the scores into each \
        model folder's README.md: a sentence-transformers-style model card with a model-index (the one `train` \
        wrote, keeping everything but its previous scores, or a new one made from the folder's files); a \
        README.md that mirror-bert did not write is refused before anything is evaluated.
        """)

    @Option(name: .long, help: "Checkpoint folder; repeat to compare models (default: \(defaultModelPath)).")
    var model: [String] = []

    @OptionGroup var options: EvalOptions

    @Option(help: "Write every number as JSON to this file (a bar chart goes next to it as .svg).")
    var json: String?

    @Flag(help: "Write the scores into each model folder's README.md (model card with a sentence-transformers model-index), atomically.")
    var card = false

    func run() throws {
        let dirs = try model.isEmpty ? [ModelOptions().directory()] : model.map { URL(fileURLWithPath: $0) }
        if card {
            // A README.md that is not ours is refused before minutes of evaluation, not after.
            for dir in dirs { _ = try ModelCardFolder.existingCard(in: dir) }
        }
        let sets = try options.loadSets()
        let reports = try dirs.map { try options.evaluate($0, sets: sets) }
        print(reports.count == 1 ? ReportTable.render(reports[0]) : ReportTable.comparison(reports))
        if let json { try writeReports(reports, labels: nil, json: json) }
        if card {
            for (dir, report) in zip(dirs, reports) {
                let updated = try ModelCardFolder.writeResults(Self.cardResults(report), to: dir)
                Console.note("\(updated ? "updated the model card" : "wrote a model card") \(dir.appendingPathComponent(ModelCard.fileName).path)")
            }
        }
    }

    /// The report as the card shows it: every set with its display name, then the suite averages
    /// (when the sets span several suites) and the overall average (when there are several sets).
    static func cardResults(_ r: EvalReport) -> ModelCard.Results {
        let entries = r.results.map { e in
            ModelCard.Results.Entry(set: e.set, displayName: EvalRegistry.displayName(for: e.set),
                                    metric: e.metric == .spearman ? .spearman : .rocAUC, score: e.score, pairs: e.n)
        }
        var averages: [(label: String, score: Double)] = []
        if let perSuite = r.averages {
            for suite in EvalSuite.allCases { if let v = perSuite[suite.rawValue] { averages.append(("\(suite.rawValue) average", v)) } }
        }
        if r.results.count > 1 { averages.append(("Average", r.average)) }
        return ModelCard.Results(pooling: r.pooling, maxLength: r.maxLength, entries: entries, averages: averages)
    }
}

/// Writes one report (or an array of several) as JSON, and a bar chart beside it.
func writeReports(_ reports: [EvalReport], labels: [String]?, json: String) throws {
    let url = URL(fileURLWithPath: json)
    if reports.count == 1 {
        try reports[0].write(to: url)
    } else {
        let text = "[\n" + reports.map { $0.jsonText() }.joined(separator: ",\n") + "\n]\n"
        try AtomicFile.write(Data(text.utf8), to: url)
    }
    let svg = url.deletingPathExtension().appendingPathExtension("svg")
    try BarChart(comparing: reports, labels: labels, title: "Evaluation (\(reports[0].pooling), max length \(reports[0].maxLength))")
        .write(to: svg)
    Console.note("wrote \(url.path) and \(svg.path)")
}
