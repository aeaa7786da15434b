// The bar chart of evaluation reports (BarChart(comparing:)): categories in the paper's order
// with the average, one series per report, and the drawn SVG (bars, labels, the zero line).

import Charts
import Testing
import TestSupport
@testable import Evaluation

@Suite struct ReportChartTests {
    let before = EvalReport(info: EvalRunInfo(model: "bert-base-uncased", pooling: "cls", maxLength: 64),
                            results: stsScores.map { result($0.0, $0.1 - 30) } + [result("simlex999", -3.5), result("qnli", 58)])
    let after = EvalReport(info: EvalRunInfo(model: "mirror-bert <&> \"v2\"", pooling: "cls", maxLength: 64),
                           results: stsScores.map { result($0.0, $0.1) } + [result("simlex999", 55.25)])

    @Test func barChartOfAComparison() throws {
        let chart = BarChart(comparing: [before, after], title: "Before & after Mirror-BERT")
        // 9 sets + Avg.; qnli is missing from `after`.
        #expect(chart.categories == ["STS12", "STS13", "STS14", "STS15", "STS16", "STS-B", "SICK-R", "SimLex-999", "QNLI", "Avg."])
        #expect(chart.series.map(\.name) == ["bert-base-uncased", "mirror-bert <&> \"v2\""])
        let svg = chart.svg()
        keep(svg, as: "bar.svg")
        let names = try #require(wellFormedElements(svg))
        #expect(names.first == "svg")
        let bars = try nodes(svg, "//*[local-name()='rect'][@class='bar']")
        #expect(bars.count == 10 + 9)
        #expect(try nodes(svg, "//*[local-name()='text'][@class='value-label']").count == 19)
        #expect(try nodes(svg, "//*[local-name()='text'][@class='category-label']").map { $0.stringValue ?? "" } == chart.categories)
        #expect(try nodes(svg, "//*[local-name()='text'][@class='legend-label']").map { $0.stringValue ?? "" } == chart.series.map(\.name))
        let labels = try nodes(svg, "//*[local-name()='text'][@class='value-label']").compactMap(\.stringValue)
        #expect(labels.contains("-3.50") && labels.contains("55.25") && labels.contains("58.00"))
        // The negative bar hangs below the zero line: its top is the baseline of the others' bottoms.
        // (XMLElement.attribute(forName:) returns nil on Linux; attribute nodes via XPath work.)
        let ys = try nodes(svg, "//*[local-name()='rect'][@class='bar']/@y").compactMap { $0.stringValue.flatMap(Double.init) }
        let hs = try nodes(svg, "//*[local-name()='rect'][@class='bar']/@height").compactMap { $0.stringValue.flatMap(Double.init) }
        #expect(ys.count == bars.count && hs.count == bars.count)
        let rects = zip(ys, hs).map { (y: $0, h: $1) }
        let baseline = rects[0].y + rects[0].h
        #expect(rects.filter { abs($0.y - baseline) < 0.01 }.count == 1, "exactly one bar starts at the zero line")
        #expect(rects.allSatisfy { $0.h >= 0 })
    }
}
