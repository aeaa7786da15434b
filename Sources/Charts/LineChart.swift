// A line chart: x is a step (or any number), y one or more series (training loss, learning rate,
// a score per checkpoint). Nice ticks on both axes, grid lines, a legend when there are several
// series, point markers when a series is short. Non-finite points are left out.

import Foundation

public struct LineSeries: Equatable, Sendable {
    public var name: String
    public var x: [Double]
    public var y: [Double]

    public init(name: String, x: [Double], y: [Double]) {
        precondition(x.count == y.count, "LineSeries \(name): \(x.count) x values, \(y.count) y values")
        self.name = name
        self.x = x
        self.y = y
    }

    /// A series over steps 1...n (or `firstStep`...).
    public init(name: String, values: [Double], firstStep: Int = 1) {
        self.init(name: name, x: values.indices.map { Double(firstStep + $0) }, y: values)
    }

    /// The points with both coordinates finite.
    var finitePoints: [(x: Double, y: Double)] {
        zip(x, y).filter { $0.0.isFinite && $0.1.isFinite }.map { (x: $0.0, y: $0.1) }
    }
}

public struct LineChart {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [LineSeries]
    public var width = 800.0
    public var height = 450.0
    /// Draw a marker at each point: nil = only for series of at most 60 points.
    public var markers: Bool? = nil

    public init(title: String, xLabel: String = "step", yLabel: String = "", series: [LineSeries]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// The chart as a standalone SVG document. Each series is a polyline of class "series";
    /// markers have class "point".
    public func svg() -> String {
        let showLegend = series.count > 1
        let left = 70.0, right = 24.0, bottom = 52.0
        let plotWidth = width - left - right
        let legendHeight = showLegend ? ChartLayout.legendHeight(series.map(\.name), width: plotWidth) : 0
        let top = 40 + legendHeight + (showLegend ? 12 : 4)
        let plotHeight = max(60, height - top - bottom)
        let totalHeight = top + plotHeight + bottom

        let points = series.map(\.finitePoints)
        let all = points.flatMap { $0 }
        let xs = all.map(\.x), ys = all.map(\.y)
        let integral = xs.allSatisfy { $0 == $0.rounded() }
        let xScale = NiceScale(min: xs.min() ?? 0, max: xs.max() ?? 1, target: 8, integerSteps: integral)
        let yScale = NiceScale(min: ys.min() ?? 0, max: ys.max() ?? 1, target: 6)

        var svg = SVGWriter(width: width, height: totalHeight)
        svg.text(title, x: width / 2, y: 26, size: ChartLayout.titleSize, anchor: .middle, bold: true, cssClass: "title")
        if showLegend { ChartLayout.drawLegend(&svg, names: series.map(\.name), x: left, y: 40, width: plotWidth) }
        ChartLayout.drawYAxis(&svg, scale: yScale, left: left, top: top, width: plotWidth, height: plotHeight, title: yLabel)
        let axisY = top + plotHeight
        svg.line(x1: left, y1: axisY, x2: left + plotWidth, y2: axisY, stroke: ChartLayout.axisColor, cssClass: "axis")
        for tick in xScale.ticks {
            let x = xScale.map(tick, to: left, left + plotWidth)
            svg.line(x1: x, y1: axisY, x2: x, y2: axisY + 5, stroke: ChartLayout.axisColor, cssClass: "tick")
            svg.text(xScale.label(tick), x: x, y: axisY + 19, size: ChartLayout.tickSize, anchor: .middle,
                     fill: ChartLayout.axisColor, cssClass: "tick-label")
        }
        if !xLabel.isEmpty {
            svg.text(xLabel, x: left + plotWidth / 2, y: axisY + 42, size: ChartLayout.labelSize, anchor: .middle,
                     fill: ChartLayout.axisColor, cssClass: "axis-title")
        }
        for (i, pts) in points.enumerated() where !pts.isEmpty {
            let pixels = pts.map { (x: xScale.map($0.x, to: left, left + plotWidth), y: yScale.map($0.y, to: axisY, top)) }
            let color = ChartPalette.color(i)
            svg.polyline(pixels, stroke: color, cssClass: "series", tooltip: series[i].name)
            if markers ?? (pts.count <= 60) {
                for (p, px) in zip(pts, pixels) {
                    svg.circle(cx: px.x, cy: px.y, r: 3, fill: color, cssClass: "point",
                               tooltip: "\(series[i].name): \(xScale.label(p.x)), \(p.y)")
                }
            }
        }
        return svg.rendered()
    }

    /// Writes `svg()` to `url` atomically.
    public func write(to url: URL) throws {
        try AtomicFileText.write(svg(), to: url)
    }
}
