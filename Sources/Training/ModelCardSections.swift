// The sections of a model card (see ModelCard.swift for the layout) and the wording they share:
// Markdown text, code spans and table cells that hold any string, shell words, fixed decimals.

import FileIO
import Foundation
import Models

extension ModelCard {
    // MARK: - Sections

    func introduction() -> String {
        let dimension = architecture.hiddenSize
        guard let t = training else {
            return "A [sentence-transformers](https://www.sbert.net) model that maps texts to \(dimension)-dimensional "
                + "vectors for semantic similarity, search and clustering. Its folder has no `training_args.json`, so "
                + "how it was trained is not described here.\n"
        }
        let base = t.base.hubID.map { "[\($0)](https://huggingface.co/\($0))" } ?? Markdown.code(t.base.name)
        let unit = t.mode == .word ? "words and phrases" : "sentences"
        var views: String
        switch t.mode {
        case .sentence, .word:
            views = "each text and a copy of itself form a positive pair, the two views differing only by dropout"
            if t.spanMask > 0 { views += " and a masked span of \(t.spanMask) characters in the copy" }
        case .pairs:
            views = "the two sides of each `a||b` line of the corpus form a positive pair (under dropout)"
        }
        return """
            A\(t.mode == .word ? " word and phrase" : " sentence") embedding model fine-tuned from \(base) with Mirror-BERT \
            ([Liu et al., EMNLP 2021](https://aclanthology.org/2021.emnlp-main.109/)) by `mirror-bert train`. \
            It maps \(unit) to \(dimension)-dimensional vectors whose cosine similarity measures how similar they are.

            Mirror-BERT needs no labels: \(views); the InfoNCE loss (τ \(t.temperature)) pulls the two views of a \
            text together and pushes away the other texts of its batch.

            """
    }

    func details() -> String {
        let a = architecture, s = a.settings
        var rows: [(String, String)] = []
        if let t = training {
            rows.append(("Base model", t.base.hubID.map { "[\($0)](https://huggingface.co/\($0))" }
                         ?? Markdown.code(t.base.name) + " (a local folder; `train --base-model-id` names its Hub id)"))
        }
        rows.append(("Architecture", "\(Self.familyName(a.family)), \(a.layers) layers, hidden size \(a.hiddenSize), \(a.heads) attention heads"))
        rows.append(("Output dimension", "\(a.hiddenSize)"))
        rows.append(("Pooling", poolingDescription()))
        rows.append(("Normalization", s.normalize ? "unit length (a `Normalize` module)" : "none (cosine similarity normalizes)"))
        var length = s.maxLength.map { "\($0) tokens (`sentence_bert_config.json`)" } ?? "\(a.maxPositions) tokens (the position embeddings)"
        if let t = training { length += "; trained on texts truncated to \(t.maxLength)" }
        rows.append(("Max sequence length", length))
        rows.append(("Similarity", "cosine"))
        if let t = training {
            if let p = t.precision { rows.append(("Trained in", Self.precisionDescription(p))) }
            if let corpus = t.corpus {
                var text = Markdown.code(corpus)
                if let n = t.corpusExamples {
                    text += ", \(n) \(t.mode == .pairs ? "pairs" : t.mode == .word ? "words or phrases" : "sentences")"
                    if let h = t.heldOutExamples, h > 0 { text += " (\(h) held out to monitor alignment and uniformity)" }
                }
                rows.append(("Training corpus", text))
            }
        }
        return "## Model details\n\n| | |\n|---|---|\n" + rows.map { "| \($0.0) | \(Markdown.cell($0.1)) |\n" }.joined() + "\n"
    }

    func poolingDescription() -> String {
        let declared = architecture.settings.pooling
        let declaredText: String
        switch declared {
        case .cls?: declaredText = "the first token's last hidden state (`[CLS]`, `<s>`)"
        case .mean?, .meanMasked?: declaredText = "mean of the text's token vectors (sentence-transformers' mean)"
        case nil: declaredText = "not declared (sentence-transformers and `mirror-bert` then take the mean of the token vectors)"
        }
        guard let t = training, t.pooling == .mean else { return declaredText }
        let rows = t.paddedRows ? "rows padded to \(t.maxLength)"
            : t.padQueries.map { "packed rows, each with \($0) pad \($0 == 1 ? "query" : "queries") standing for its padding" } ?? "packed rows"
        return declaredText + "; training used the paper's mean over all \(t.maxLength) positions, padding included (\(rows)), "
            + "which a sentence-transformers folder cannot declare: `mirror-bert encode --pooling mean --max-length \(t.maxLength)` computes it"
    }

    func usage() -> String {
        let path = CardYAML.quoted(name)
        let example = training?.mode == .word ? #"["guitar", "violin", "onion"]"#
            : #"["A man is playing a guitar.", "Someone plays an instrument.", "A woman slices an onion."]"#
        let shellPath = shellQuoted(name)
        return """
            ## Usage

            ### sentence-transformers (Python)

            The folder is a sentence-transformers model (`modules.json`, `1_Pooling/config.json`, \
            `sentence_bert_config.json`, `config.json`, `model.safetensors` and the tokenizer files):

            ```python
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(\(path))  # this folder's path, or its Hub id once uploaded
            embeddings = model.encode(\(example))
            print(embeddings.shape)  # (3, \(architecture.hiddenSize))
            print(model.similarity(embeddings, embeddings))  # cosine similarities
            ```

            ### mirror-bert

            ```sh
            mirror-bert encode --model \(shellPath) --input texts.txt --output embeddings.npy
            mirror-bert serve --model \(shellPath)    # OpenAI-style POST /v1/embeddings on 127.0.0.1:8080
            mirror-bert eval --model \(shellPath) --suite sts --card    # scores into this card
            ```


            """
    }

    static func evaluationSection(_ r: Results) -> String {
        var text = """
            ## Evaluation

            `mirror-bert eval`: the cosine similarity of the two texts' embeddings against the gold \
            scores over each whole test file, as Spearman's ρ ×100 (ROC-AUC ×100 for binary sets); \
            embeddings with \(Markdown.code(r.pooling)) pooling and max length \(r.maxLength). The `model-index` \
            above holds the same scores as fractions (ρ = 0.8311 for 83.11), as sentence-transformers reports them.

            | set | metric | score | pairs |
            |---|---|---:|---:|

            """
        for e in r.entries {
            text += "| \(Markdown.cell(e.displayName)) | \(e.metric == .spearman ? "Spearman" : "ROC-AUC") | \(Self.fixed(e.score, 2)) | \(e.pairs) |\n"
        }
        for a in r.averages { text += "| **\(Markdown.cell(a.label))** | | **\(Self.fixed(a.score, 2))** | |\n" }
        return text + "\n"
    }

    static func trainingSection(_ t: TrainingSummary) -> String {
        var text = "## Training\n\n"
        let steps = t.losses.last?.step ?? 0
        text += "\(t.mode.rawValue.capitalized) mode, \(t.epochs) epoch\(t.epochs == 1 ? "" : "s"), \(steps) steps of "
            + "\(t.batchSize) texts × 2 views, pooling \(Markdown.code(t.pooling.rawValue)), max length \(t.maxLength)"
        if let last = t.losses.last { text += "; final loss \(fixed(last.loss, 4))" }
        text += ".\n\n### Loss\n\n"
        if let chart = t.lossChart { text += "![InfoNCE loss per step](\(chart))\n\n" }
        if !t.losses.isEmpty {
            text += "| step | loss |\n|---:|---:|\n"
            for i in sampleIndices(t.losses.count, 6) { text += "| \(t.losses[i].step) | \(fixed(t.losses[i].loss, 4)) |\n" }
            text += "\n"
        }
        if !t.monitoring.isEmpty {
            text += "Held-out alignment and uniformity (Wang & Isola 2020; lower is better for both):\n\n"
                + "| step | alignment | uniformity |\n|---:|---:|---:|\n"
            for i in sampleIndices(t.monitoring.count, 6) {
                let m = t.monitoring[i]
                text += "| \(m.step) | \(fixed(m.alignment, 4)) | \(fixed(m.uniformity, 4)) |\n"
            }
            text += "\n"
        }
        text += "### Training arguments\n\nFrom `training_args.json` (paths there; file names here):\n\n| argument | value |\n|---|---|\n"
        for (key, value) in t.arguments { text += "| \(Markdown.cell(key)) | \(Markdown.cell(Markdown.code(value))) |\n" }
        return text
    }

    /// The front matter's blocks for `results`: the metric names and the model-index.
    static func resultBlocks(name: String, _ r: Results) -> [CardYAML.Block] {
        let scored = r.entries.filter { $0.score.isFinite }
        guard !scored.isEmpty else { return [] }
        var metricNames: [String] = []
        for e in scored where !metricNames.contains(metricType(e.metric)) { metricNames.append(metricType(e.metric)) }
        var index = ["model-index:", "- name: " + CardYAML.string(name), "  results:"]
        for e in scored {
            let (task, taskName) = e.metric == .spearman ? ("semantic-similarity", "Semantic Similarity")
                : ("binary-classification", "Binary Classification")
            index += [
                "  - task:", "      type: \(task)", "      name: \(taskName)",
                "    dataset:", "      name: " + CardYAML.string(e.displayName), "      type: " + CardYAML.string(e.set),
                "    metrics:", "    - type: \(metricType(e.metric))", "      value: " + CardYAML.number(e.score / 100),
                "      name: \(e.metric == .spearman ? "Spearman Cosine" : "Cosine ROC-AUC")",
            ]
        }
        return [CardYAML.Block(key: "metrics", lines: ["metrics:"] + metricNames.map { "- " + $0 }),
                CardYAML.Block(key: "model-index", lines: index)]
    }

    /// sentence-transformers' metric name: similarity function, then the measure.
    static func metricType(_ m: Metric) -> String { m == .spearman ? "spearman_cosine" : "cosine_roc_auc" }

    // MARK: - Wording

    static func familyName(_ f: ModelFamily) -> String {
        switch f {
        case .bert: return "BERT"
        case .roberta: return "RoBERTa"
        case .xlmRoberta: return "XLM-RoBERTa"
        case .mpnet: return "MPNet"
        }
    }

    static func precisionDescription(_ p: String) -> String {
        switch p {
        case "fp32": return "fp32"
        case "bf16": return "bf16 matrix products (inputs rounded to bf16, fp32 sums), fp32 weights, gradients and optimizer"
        case "bf16-reference": return "bf16-rounded products computed in fp32 (`bf16-reference`), fp32 weights and optimizer"
        default: return Markdown.code(p)
        }
    }

    /// `x` with `decimals` decimals ("n/a" when not finite; never "-0.00").
    static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return "n/a" }
        let s = String(format: "%.\(decimals)f", x)
        return s.hasPrefix("-") && s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) ? String(s.dropFirst()) : s
    }

    /// Up to `k` indices of 0..<n, evenly spread, always the first and the last.
    static func sampleIndices(_ n: Int, _ k: Int) -> [Int] {
        guard n > k else { return Array(0..<n) }
        var out: [Int] = []
        for i in 0..<k {
            let j = Int((Double(i) * Double(n - 1) / Double(k - 1)).rounded())
            if out.last != j { out.append(j) }
        }
        return out
    }
}

// MARK: - Markdown and shell text

enum Markdown {
    /// Text outside code: the characters Markdown would take for syntax are backslash-escaped.
    static func text(_ s: String) -> String {
        var out = ""
        for c in s {
            if "\\`*_{}[]<>()#+!|".contains(c) { out.append("\\") }
            out.append(c == "\n" ? " " : c)
        }
        return out
    }

    /// An inline code span that holds `s` whatever backticks it contains (CommonMark: a fence
    /// longer than any run inside, padded with spaces when `s` starts or ends with a backtick).
    static func code(_ s: String) -> String {
        let flat = s.replacingOccurrences(of: "\n", with: " ")
        var longest = 0, run = 0
        for c in flat { run = c == "`" ? run + 1 : 0; longest = max(longest, run) }
        let fence = String(repeating: "`", count: longest + 1)
        let pad = flat.hasPrefix("`") || flat.hasSuffix("`") ? " " : ""
        return fence + pad + flat + pad + fence
    }

    /// A table cell: '|' escaped (GitHub reads "\|" as a literal bar even inside code spans).
    static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
