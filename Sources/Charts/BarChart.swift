// A grouped bar chart: categories along x (evaluation sets), one bar per series (model) in each
// group, each bar labelled with its value, a legend, and a y axis from 0 (or below, for negative
// values) with nice ticks. The width grows with the number of bars so labels never collide.

import Foundation

public struct BarSeries: Equatable, Sendable {
    public var name: String
    /// One value per category; nil (or NaN) leaves the bar out.
    public var values: [Double?]

    public init(name: String, values: [Double?]) {
        self.name = name
        self.values = values
    }
}

public struct BarChart {
    public var title: String
    public var yLabel: String
    public var categories: [String]
    public var series: [BarSeries]
    /// Decimals of the value labels.
    public var valueDecimals = 2

    public init(title: String, yLabel: String = "", categories: [String], series: [BarSeries]) {
        precondition(series.allSatisfy { $0.values.count == categories.count },
                     "BarChart: every series needs one value per category")
        self.title = title
        self.yLabel = yLabel
        self.categories = categories
        self.series = series
    }

    // MARK: - Drawing

    static let barWidth = 32.0
    static let groupGap = 20.0
    static let valueSize = 9.5

    /// The chart as a standalone SVG document. Bars have class "bar".
    public func svg() -> String {
        let barWidth = Self.barWidth
        let groupWidth = Double(max(1, series.count)) * barWidth + Self.groupGap
        let plotWidth = max(420, Double(max(1, categories.count)) * groupWidth)
        let plotHeight = 320.0
        let left = 70.0, right = 20.0
        let legendHeight = ChartLayout.legendHeight(series.map(\.name), width: plotWidth)
        let top = 40 + legendHeight + 16
        let longestCategory = categories.map { estimatedTextWidth($0, size: ChartLayout.tickSize) }.max() ?? 0
        let rotateCategories = longestCategory > groupWidth - 4
        let bottom = rotateCategories ? 20 + longestCategory * 0.72 : 36.0
        let width = left + plotWidth + right, height = top + plotHeight + bottom

        let finite = series.flatMap { $0.values.compactMap { $0 } }.filter(\.isFinite)
        let scale = NiceScale(min: min(0, finite.min() ?? 0), max: max(0, finite.max() ?? 1))
        var svg = SVGWriter(width: width, height: height)
        svg.text(title, x: width / 2, y: 26, size: ChartLayout.titleSize, anchor: .middle, bold: true, cssClass: "title")
        ChartLayout.drawLegend(&svg, names: series.map(\.name), x: left, y: 40, width: plotWidth)
        ChartLayout.drawYAxis(&svg, scale: scale, left: left, top: top, width: plotWidth, height: plotHeight, title: yLabel)

        let baseline = scale.map(0, to: top + plotHeight, top)
        let offset = (plotWidth - Double(categories.count) * groupWidth) / 2
        for (c, category) in categories.enumerated() {
            let groupLeft = left + offset + Double(c) * groupWidth + Self.groupGap / 2
            for (s, serie) in series.enumerated() {
                guard let value = serie.values[c], value.isFinite else { continue }
                let x = groupLeft + Double(s) * barWidth
                let y = scale.map(value, to: top + plotHeight, top)
                let text = fixedDecimals(value, decimals: valueDecimals)
                svg.rect(x: x + 1, y: min(y, baseline), width: barWidth - 2, height: abs(baseline - y),
                         fill: ChartPalette.color(s), cssClass: "bar", tooltip: "\(serie.name) — \(category): \(text)")
                let labelY = value >= 0 ? y - 4 : y + Self.valueSize + 3
                svg.text(text, x: x + barWidth / 2, y: labelY, size: Self.valueSize, anchor: .middle,
                         cssClass: "value-label")
            }
            let cx = groupLeft + Double(series.count) * barWidth / 2
            let cy = top + plotHeight + 18
            if rotateCategories {
                svg.text(category, x: cx, y: cy, size: ChartLayout.tickSize, anchor: .end, rotate: -45,
                         cssClass: "category-label")
            } else {
                svg.text(category, x: cx, y: cy, size: ChartLayout.tickSize, anchor: .middle, cssClass: "category-label")
            }
        }
        svg.line(x1: left, y1: baseline, x2: left + plotWidth, y2: baseline, stroke: ChartLayout.axisColor, cssClass: "axis")
        return svg.rendered()
    }

    /// Writes `svg()` to `url` atomically.
    public func write(to url: URL) throws {
        try AtomicFileText.write(svg(), to: url)
    }
}
