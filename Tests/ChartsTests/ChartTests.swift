// The SVG charts: well-formed standalone XML (XMLParser, strict), the expected number of bars,
// labels and points (XPath over XMLDocument), and nice axis scales. Set EVALUATION_CHART_DIR to
// keep the rendered SVGs for a look (e.g. `rsvg-convert bar.svg -o bar.png`).

import Foundation
import Testing
import TestSupport
@testable import Charts

@Suite struct ChartTests {
    @Test func barChartFromExplicitSeries() throws {
        let chart = BarChart(title: "t", categories: ["a", "b", "c"],
                             series: [BarSeries(name: "x", values: [1, nil, 3]), BarSeries(name: "y", values: [.nan, 2, 0])])
        let svg = chart.svg()
        #expect(wellFormedElements(svg) != nil)
        #expect(try nodes(svg, "//*[local-name()='rect'][@class='bar']").count == 4)
    }

    @Test func lineChartOfLossCurves() throws {
        var loss: [Double] = [], other: [Double] = []
        for step in 1...300 {
            loss.append(2.5 * exp(-Double(step) / 80) + 0.3)
            other.append(2.0 * exp(-Double(step) / 60) + 0.4)
        }
        loss[10] = .nan  // a non-finite point is left out
        let chart = LineChart(title: "Training loss", yLabel: "InfoNCE loss",
                              series: [LineSeries(name: "loss", values: loss), LineSeries(name: "loss (drophead)", values: other)])
        let svg = chart.svg()
        keep(svg, as: "loss.svg")
        #expect(wellFormedElements(svg) != nil)
        let lines = try nodes(svg, "//*[local-name()='polyline'][@class='series']")
        #expect(lines.count == 2)
        let pointCounts = try nodes(svg, "//*[local-name()='polyline'][@class='series']/@points")
            .map { ($0.stringValue ?? "").split(separator: " ").count }
        #expect(pointCounts == [299, 300])
        #expect(try nodes(svg, "//*[local-name()='circle'][@class='point']").isEmpty, "no markers on long series")
        #expect(try nodes(svg, "//*[local-name()='text'][@class='legend-label']").count == 2)
        let xTicks = try nodes(svg, "//*[local-name()='text'][@class='tick-label']").compactMap(\.stringValue)
        #expect(xTicks.contains("0") && xTicks.contains("300") && xTicks.contains("2.5"))
    }

    @Test func shortSeriesGetMarkersAndNoLegend() throws {
        let chart = LineChart(title: "STS-B dev", yLabel: "Spearman ρ × 100",
                              series: [LineSeries(name: "dev", x: [0, 250, 500, 750, 1000], y: [58.2, 70.1, 74.9, 76.3, 76.0])])
        let svg = chart.svg()
        keep(svg, as: "dev.svg")
        #expect(wellFormedElements(svg) != nil)
        #expect(try nodes(svg, "//*[local-name()='circle'][@class='point']").count == 5)
        #expect(try nodes(svg, "//*[local-name()='text'][@class='legend-label']").isEmpty)
        // Degenerate inputs still give a valid document.
        for series in [[LineSeries(name: "one", values: [1.5])], [LineSeries(name: "none", values: [])], []] {
            #expect(wellFormedElements(LineChart(title: "edge", series: series).svg()) != nil)
        }
    }

    @Test func niceScales() {
        let percent = NiceScale(min: 0, max: 73.5)
        #expect(percent.lower == 0 && percent.upper == 80 && percent.step == 20)
        let negative = NiceScale(min: -3.5, max: 80.11)
        #expect(negative.lower == -20 && negative.upper == 100 && negative.step == 20)
        let steps = NiceScale(min: 1, max: 500, target: 8, integerSteps: true)
        #expect(steps.lower == 0 && steps.upper == 500 && steps.step == 100)
        let loss = NiceScale(min: 0.31, max: 2.77, target: 6)
        #expect(loss.ticks.map { loss.label($0) } == ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0"])
        let flat = NiceScale(min: 2, max: 2)
        #expect(flat.lower < 2 && flat.upper > 2)
        let tiny = NiceScale(min: 0, max: 3, target: 8, integerSteps: true)
        #expect(tiny.step == 1 && tiny.ticks == [0, 1, 2, 3])
    }

    @Test func svgEscapingAndNumbers() {
        #expect(SVGWriter.escape("a<b & \"c\" 'd'>\u{1}") == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;")
        #expect(SVGWriter.number(12) == "12" && SVGWriter.number(12.5) == "12.5" && SVGWriter.number(-0.001) == "0")
        #expect(SVGWriter.number(3.14159) == "3.14")
    }
}
