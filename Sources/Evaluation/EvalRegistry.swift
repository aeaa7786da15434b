// The paper's evaluation sets, by name, with their files under the data folder's eval/ and the
// order in which the paper's tables list them (Liu et al., EMNLP 2021, Tables 1–3):
//   sts   : sts12 sts13 sts14 sts15 sts16 stsb sickr      (Spearman ×100, the "all" setting)
//   words : simlex999, multisimlex-<lang>                 (Spearman ×100; the suite uses eng)
//   qa    : qnli (GLUE dev minus its first 1000 pairs)    (ROC-AUC ×100)
//   all   : every suite above

import Foundation

/// One registered set.
public struct EvalSetSpec: Equatable, Sendable {
    /// Identifier on the command line and in reports.
    public let name: String
    /// Column heading in tables and charts, as in the paper ("STS-B", "SICK-R").
    public let displayName: String
    public let suite: EvalSuite
    public let metric: EvalMetric
    /// The file, relative to the data folder.
    public let relativePath: String
}

public enum EvalRegistry {
    /// Multi-SimLex languages available in the data folder (ISO 639-3).
    public static let multisimlexLanguages = ["eng", "fra", "pol", "rus", "cmn", "yue", "ara", "heb", "est", "fin", "cym", "spa"]
    /// The Multi-SimLex language the `words` suite uses.
    public static let defaultMultisimlexLanguage = "eng"
    /// Names that stand for a group of sets.
    public static let suiteNames = ["sts", "words", "qa", "all"]

    /// Every registered set, in the paper's table order.
    public static let sets: [EvalSetSpec] = {
        var specs: [EvalSetSpec] = []
        for year in 12...16 {
            specs.append(EvalSetSpec(name: "sts\(year)", displayName: "STS\(year)", suite: .sts,
                                     metric: .spearman, relativePath: "eval/sts\(year)/test.tsv"))
        }
        specs.append(EvalSetSpec(name: "stsb", displayName: "STS-B", suite: .sts, metric: .spearman,
                                 relativePath: "eval/stsb/test.tsv"))
        specs.append(EvalSetSpec(name: "sickr", displayName: "SICK-R", suite: .sts, metric: .spearman,
                                 relativePath: "eval/sickr/test.tsv"))
        specs.append(EvalSetSpec(name: "simlex999", displayName: "SimLex-999", suite: .words, metric: .spearman,
                                 relativePath: "eval/simlex999/test.tsv"))
        for lang in multisimlexLanguages {
            specs.append(EvalSetSpec(name: "multisimlex-\(lang)", displayName: "MSL-\(lang)", suite: .words,
                                     metric: .spearman, relativePath: "eval/multisimlex/\(lang).tsv"))
        }
        specs.append(EvalSetSpec(name: "qnli", displayName: "QNLI", suite: .qa, metric: .rocAUC,
                                 relativePath: "eval/qnli/dev.rest.tsv"))
        return specs
    }()

    /// The registered set called `name` (case-insensitive; "multisimlex" means the default language).
    public static func spec(named name: String) -> EvalSetSpec? {
        var key = name.lowercased()
        if key == "multisimlex" { key = "multisimlex-\(defaultMultisimlexLanguage)" }
        return sets.first { $0.name == key }
    }

    /// The sets of a suite: all of `.sts`, simlex999 and multisimlex-eng for `.words`, qnli for `.qa`.
    public static func sets(in suite: EvalSuite) -> [EvalSetSpec] {
        sets.filter { spec in
            guard spec.suite == suite else { return false }
            if spec.name.hasPrefix("multisimlex-") { return spec.name == "multisimlex-\(defaultMultisimlexLanguage)" }
            return true
        }
    }

    /// Resolves set and suite names ("sts", "words", "qa", "all", "sts12", "multisimlex-fra", …) to
    /// registered sets, without duplicates, in the paper's order.
    public static func resolve(_ names: [String]) throws -> [EvalSetSpec] {
        var chosen = Set<String>()
        for raw in names {
            let name = raw.lowercased()
            switch name {
            case "all":
                for suite in [EvalSuite.sts, .words, .qa] { chosen.formUnion(sets(in: suite).map(\.name)) }
            case "sts", "words", "qa":
                chosen.formUnion(sets(in: EvalSuite(rawValue: name)!).map(\.name))
            default:
                guard let spec = spec(named: name) else {
                    throw EvaluationError.unknownSet(name: raw, known: suiteNames + ["multisimlex"] + sets.map(\.name))
                }
                chosen.insert(spec.name)
            }
        }
        return sets.filter { chosen.contains($0.name) }
    }

    /// Loads one registered set from `folder`, with errors that say where it looked.
    public static func load(_ spec: EvalSetSpec, from folder: DataFolder) throws -> EvalPairSet {
        try folder.checkExists()
        let url = folder.file(spec.relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw EvaluationError.setFileMissing(set: spec.name, path: url.path,
                                                 dataFolder: "\(folder.url.path), \(folder.originDescription)")
        }
        return try EvalPairSet.load(url: url, name: spec.name, suite: spec.suite, metric: spec.metric)
    }

    /// Resolves `names` and loads each set.
    public static func load(_ names: [String], from folder: DataFolder) throws -> [EvalPairSet] {
        try resolve(names).map { try load($0, from: folder) }
    }

    // MARK: - Presentation order

    /// The heading for a set name: its registered display name, else the name itself.
    public static func displayName(for setName: String) -> String {
        spec(named: setName)?.displayName ?? setName
    }

    /// The suite of a set name (`.other` when unregistered).
    public static func suite(of setName: String) -> EvalSuite {
        spec(named: setName)?.suite ?? .other
    }

    /// Sorts set names into the paper's order; unregistered names follow, in their given order.
    public static func paperOrder(_ names: [String]) -> [String] {
        let position = Dictionary(uniqueKeysWithValues: sets.enumerated().map { ($1.name, $0) })
        return names.enumerated().sorted { l, r in
            let pl = position[l.element] ?? sets.count + l.offset
            let pr = position[r.element] ?? sets.count + r.offset
            return pl < pr
        }.map(\.element)
    }
}

enum EvaluationSuites {
    /// The suites of `names`, in the order sts, words, qa, other.
    static func present(_ names: [String]) -> [EvalSuite] {
        let set = Set(names.map { EvalRegistry.suite(of: $0) })
        return EvalSuite.allCases.filter { set.contains($0) }
    }
}
