// The registered sets: names, suites, files, and — when the shared data folder is present — that
// each loads with the pair count the data README gives. Also where the data folder is looked for
// and the errors when it is not there.

import Foundation
import Testing
import TestSupport
@testable import Evaluation

@Suite struct RegistryTests {
    @Test func suitesHoldThePapersSetsInOrder() throws {
        #expect(try EvalRegistry.resolve(["sts"]).map(\.name) == ["sts12", "sts13", "sts14", "sts15", "sts16", "stsb", "sickr"])
        #expect(try EvalRegistry.resolve(["words"]).map(\.name) == ["simlex999", "multisimlex-eng"])
        #expect(try EvalRegistry.resolve(["qa"]).map(\.name) == ["qnli"])
        #expect(try EvalRegistry.resolve(["all"]).count == 10)
        // Any mix, deduplicated, in the paper's order; "multisimlex" means eng; case-insensitive.
        #expect(try EvalRegistry.resolve(["qnli", "multisimlex-fra", "STS12", "sts", "multisimlex"]).map(\.name)
                == ["sts12", "sts13", "sts14", "sts15", "sts16", "stsb", "sickr", "multisimlex-eng", "multisimlex-fra", "qnli"])
        let qnli = try #require(EvalRegistry.spec(named: "qnli"))
        #expect(qnli.metric == .rocAUC && qnli.relativePath == "eval/qnli/dev.rest.tsv" && qnli.suite == .qa)
        #expect(EvalRegistry.spec(named: "stsb")?.displayName == "STS-B")
        #expect(EvalRegistry.spec(named: "sickr")?.displayName == "SICK-R")
        #expect(EvalRegistry.multisimlexLanguages.count == 12)
        #expect(EvalRegistry.sets.filter { $0.name.hasPrefix("multisimlex-") }.count == 12)
    }

    @Test func unknownNameListsTheKnownOnes() {
        #expect(throws: EvaluationError.self) { try EvalRegistry.resolve(["sts17"]) }
        do {
            _ = try EvalRegistry.resolve(["sts", "sts17"])
        } catch {
            let text = "\(error)"
            #expect(text.contains("'sts17'") && text.contains("sts12") && text.contains("words") && text.contains("multisimlex-cym"))
        }
    }

    @Test func paperOrderPutsUnknownNamesLast() {
        #expect(EvalRegistry.paperOrder(["mine", "qnli", "sts13", "simlex999", "other", "sts12"])
                == ["sts12", "sts13", "simlex999", "qnli", "mine", "other"])
    }

    // MARK: - Data folder

    @Test func dataFolderPrecedence() {
        let cwd = URL(fileURLWithPath: "/work/project")
        let env = ["MIRROR_BERT_DATA": "/srv/data"]
        #expect(DataFolder.resolve(flag: "/flag/data", environment: env, currentDirectory: cwd)
                == DataFolder(url: URL(fileURLWithPath: "/flag/data"), origin: .flag))
        #expect(DataFolder.resolve(flag: nil, environment: env, currentDirectory: cwd)
                == DataFolder(url: URL(fileURLWithPath: "/srv/data"), origin: .environment))
        #expect(DataFolder.resolve(flag: nil, environment: ["MIRROR_BERT_DATA": ""], currentDirectory: cwd)
                == DataFolder(url: URL(fileURLWithPath: "/work/shared/data"), origin: .defaultLocation))
        #expect(DataFolder.resolve(flag: "rel/data", environment: [:], currentDirectory: cwd).url.path == "/work/project/rel/data")
    }

    @Test func missingFolderOrFileSaysWhereItLookedAndHowToPointElsewhere() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let absent = DataFolder(url: folder.appendingPathComponent("absent"), origin: .defaultLocation)
        do {
            _ = try EvalRegistry.load(["sts12"], from: absent)
            Issue.record("loaded from a missing folder")
        } catch {
            let text = "\(error)"
            #expect(text.contains(folder.appendingPathComponent("absent").path))
            #expect(text.contains("--data") && text.contains("MIRROR_BERT_DATA") && text.contains("../shared/data"))
        }
        try writeFile("1\ta\tb\n", named: "eval/sts12/test.tsv", in: folder)
        let partial = DataFolder(url: folder, origin: .flag)
        #expect(try EvalRegistry.load(["sts12"], from: partial).first?.count == 1)
        do {
            _ = try EvalRegistry.load(["sts12", "sts13"], from: partial)
            Issue.record("loaded a missing set")
        } catch {
            let text = "\(error)"
            #expect(text.contains("'sts13'") && text.contains(folder.appendingPathComponent("eval/sts13/test.tsv").path))
            #expect(text.contains("from --data") && text.contains("MIRROR_BERT_DATA"))
        }
    }

    // MARK: - Real files

    static let expectedPairs: [String: Int] = [
        "sts12": 3108, "sts13": 1500, "sts14": 3750, "sts15": 3000, "sts16": 1186, "stsb": 1379, "sickr": 4906,
        "simlex999": 999, "multisimlex-eng": 1888, "qnli": 4463,
    ]

    @Test(.enabled(if: evalDataAvailable, "shared data folder absent"))
    func everyRegisteredSetLoadsWithItsPairCount() throws {
        let sets = try EvalRegistry.load(["all"], from: dataFolder)
        #expect(sets.map(\.name) == EvalRegistry.sets(in: .sts).map(\.name) + ["simlex999", "multisimlex-eng", "qnli"])
        for set in sets {
            #expect(set.count == Self.expectedPairs[set.name], "\(set.name): \(set.count) pairs")
            #expect(set.a.count == set.count && set.b.count == set.count)
        }
        let qnli = try #require(sets.last)
        #expect(qnli.metric == .rocAUC)
        #expect(qnli.labels.filter { $0 }.count == 2229)  // `cut -f1 | sort | uniq -c`: 2234 × 0, 2229 × 1
        #expect(qnli.a[0] == "How many more landing sites for the Apollo missions did NASA have planned?")
        let sts16 = try #require(sets.first { $0.name == "sts16" })
        #expect(sts16.a[0].hasSuffix("every two hours. "), "trailing space kept")
    }

    @Test(.enabled(if: evalDataAvailable, "shared data folder absent"))
    func everyMultisimlexLanguageLoads() throws {
        for lang in EvalRegistry.multisimlexLanguages {
            let set = try EvalRegistry.load(["multisimlex-\(lang)"], from: dataFolder)[0]
            #expect(set.count == (lang == "est" ? 1887 : 1888), "\(lang): \(set.count)")
        }
    }
}
