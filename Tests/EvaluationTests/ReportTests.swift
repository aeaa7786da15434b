// EvalReport's JSON (exact keys, key order, null for undefined scores, round trips through
// JSONDecoder and files) and the text tables (snapshots).

import Foundation
import Testing
@testable import Evaluation

func result(_ set: String, _ score: Double, n: Int = 10) -> EvalResult {
    EvalResult(set: set, metric: set == "qnli" ? .rocAUC : .spearman, score: score, n: n)
}

let stsScores: [(String, Double)] = [
    ("sts12", 64.875), ("sts13", 78.2412), ("sts14", 70.46), ("sts15", 80.1099), ("sts16", 74.39),
    ("stsb", 76.41), ("sickr", 70.6349),
]

@Suite struct ReportTests {
    let info = EvalRunInfo(model: "mirror-bert", pooling: "cls", maxLength: 64)

    var fullReport: EvalReport {
        EvalReport(info: info, results: stsScores.map { result($0.0, $0.1, n: 100) }
                   + [result("simlex999", 55.25, n: 999), result("multisimlex-eng", 52.5, n: 1888), result("qnli", 61.0, n: 4463)])
    }

    // MARK: - JSON

    @Test func jsonHasExactlyTheDocumentedKeysInOrder() throws {
        let report = EvalReport(info: info, results: [result("sts12", 72.36, n: 3108), result("simlex999", 50.5, n: 999)])
        let expected = """
        {
          "model": "mirror-bert",
          "pooling": "cls",
          "max_length": 64,
          "results": [
            {"set": "sts12", "metric": "spearman", "score": 72.36, "n": 3108},
            {"set": "simlex999", "metric": "spearman", "score": 50.5, "n": 999}
          ],
          "average": 61.43,
          "averages": {"sts": 72.36, "words": 50.5}
        }

        """
        #expect(report.jsonText() == expected)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.jsonText().utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["model", "pooling", "max_length", "results", "average", "averages"])
        let first = try #require((object["results"] as? [[String: Any]])?.first)
        #expect(Set(first.keys) == ["set", "metric", "score", "n"])
    }

    @Test func averagesOnlyWhenSeveralSuitesArePresent() throws {
        let sts = EvalReport(info: info, results: stsScores.map { result($0.0, $0.1) })
        #expect(sts.averages == nil)
        #expect(!sts.jsonText().contains("averages"))
        #expect(abs(sts.average - stsScores.map(\.1).reduce(0, +) / 7) < 1e-12)
        let all = fullReport
        let averages = try #require(all.averages)
        #expect(averages.keys.sorted() == ["qa", "sts", "words"])
        #expect(abs(averages["sts"]! - sts.average) < 1e-12)
        #expect(averages["words"] == 53.875 && averages["qa"] == 61)
        #expect(abs(all.average - (stsScores.map(\.1).reduce(0, +) + 55.25 + 52.5 + 61) / 10) < 1e-12)
        let custom = EvalReport(info: info, results: [result("sts12", 10), result("my-set", 20)])
        #expect(custom.averages == ["sts": 10, "other": 20])
    }

    @Test func roundTripsThroughJSONDecoderAndEncoder() throws {
        let report = fullReport
        let decoded = try JSONDecoder().decode(EvalReport.self, from: Data(report.jsonText().utf8))
        #expect(decoded == report)
        let reencoded = try JSONDecoder().decode(EvalReport.self, from: JSONEncoder().encode(report))
        #expect(reencoded == report)
    }

    @Test func undefinedScoresAreNull() throws {
        let report = EvalReport(info: info, results: [result("sts12", .nan), result("qnli", 50)])
        let text = report.jsonText()
        #expect(text.contains("{\"set\": \"sts12\", \"metric\": \"spearman\", \"score\": null, \"n\": 10}"))
        #expect(text.contains("\"average\": null"))
        #expect(text.contains("\"averages\": {\"sts\": null, \"qa\": 50.0}"))
        let decoded = try JSONDecoder().decode(EvalReport.self, from: Data(text.utf8))
        #expect(decoded.results[0].score.isNaN && decoded.average.isNaN && decoded.averages?["sts"]?.isNaN == true)
        let viaEncoder = try JSONDecoder().decode(EvalReport.self, from: JSONEncoder().encode(report))
        #expect(viaEncoder.results[0].score.isNaN && viaEncoder.results[1].score == 50)
    }

    @Test func stringsAreEscaped() throws {
        let report = EvalReport(info: EvalRunInfo(model: "a \"quoted\"\\path\n\u{1}é", pooling: "mean", maxLength: 32),
                                results: [result("sts12", 1)])
        let decoded = try JSONDecoder().decode(EvalReport.self, from: Data(report.jsonText().utf8))
        #expect(decoded.model == report.model)
    }

    @Test func writesAtomicallyAndReadsBack() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("report.json")
        try fullReport.write(to: url)
        #expect(try EvalReport.read(from: url) == fullReport)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["report.json"])
        let bad = try writeFile("{\"model\": 1}", named: "bad.json", in: folder)
        #expect(throws: EvaluationError.self) { try EvalReport.read(from: bad) }
        #expect(throws: EvaluationError.file(.notFound(path: folder.appendingPathComponent("none.json").path))) {
            try EvalReport.read(from: folder.appendingPathComponent("none.json"))
        }
    }

    // MARK: - Tables

    @Test func singleReportTableSnapshot() {
        let expected = """
        model: mirror-bert   pooling: cls   max_length: 64

                     STS12  STS13  STS14  STS15  STS16  STS-B  SICK-R   Avg.
        mirror-bert  64.88  78.24  70.46  80.11  74.39  76.41   70.63  73.59

                     SimLex-999  MSL-eng   Avg.
        mirror-bert       55.25    52.50  53.88

                      QNLI
        mirror-bert  61.00

        Average over all 10 sets: 68.39

        """
        #expect(ReportTable.render(fullReport) == expected)
    }

    @Test func singleSuiteTableHasNoOverallLine() {
        let report = EvalReport(info: info, results: [result("sts13", 50), result("sts12", -0.001)])
        #expect(ReportTable.render(report) == """
        model: mirror-bert   pooling: cls   max_length: 64

                     STS12  STS13   Avg.
        mirror-bert   0.00  50.00  25.00

        """)
    }

    @Test func comparisonOfTwoHasADeltaColumn() {
        let before = EvalReport(info: EvalRunInfo(model: "bert-base-uncased", pooling: "cls", maxLength: 64),
                                results: [result("sts12", 30.87), result("stsb", 47.29), result("simlex999", 12.52), result("qnli", 60.01)])
        let after = EvalReport(info: info, results: [result("sts12", 64.88), result("stsb", 76.42), result("simlex999", 55.25), result("qnli", 58.74)])
        #expect(ReportTable.comparison([before, after]) == """
        set         bert-base-uncased  mirror-bert       Δ
        STS12                   30.87        64.88  +34.01
        STS-B                   47.29        76.42  +29.13
        sts avg.                39.08        70.65  +31.57
        SimLex-999              12.52        55.25  +42.73
        QNLI                    60.01        58.74   -1.27
        Avg.                    37.67        63.82  +26.15

        """)
    }

    @Test func comparisonOfThreeMarksMissingSetsAndDuplicateNames() {
        let a = EvalReport(info: info, results: [result("sts12", 1), result("sts13", 2)])
        let b = EvalReport(info: info, results: [result("sts13", 3)])
        let c = EvalReport(info: EvalRunInfo(model: "", pooling: "", maxLength: 0), results: [result("sts12", .nan), result("sts13", 4)])
        #expect(ReportTable.comparison([a, b, c]) == """
        set    mirror-bert (1)  mirror-bert (2)  report 3
        STS12             1.00                -       n/a
        STS13             2.00             3.00      4.00
        Avg.              1.50             3.00       n/a
        (the reports cover different sets; each average is over its own report's sets)

        """)
        #expect(ReportTable.comparison([a, b], labels: ["x", "y"]).hasPrefix("set       x     y      Δ\nSTS12  1.00     -      -\n"))
    }
}
