// Pieces shared by the charts: title, legend (wrapped into rows), y axis with grid lines.

import Foundation

enum ChartLayout {
    static let titleSize = 16.0
    static let labelSize = 12.0
    static let tickSize = 11.0
    static let legendSize = 12.0
    static let gridColor = "#e3e3e3"
    static let axisColor = "#444444"

    /// Legend entries laid out in rows no wider than `width`: (index, x offset, row).
    static func legendRows(_ names: [String], width: Double) -> [(index: Int, x: Double, row: Int)] {
        var out: [(Int, Double, Int)] = []
        var x = 0.0, row = 0
        for (i, name) in names.enumerated() {
            let w = 18 + estimatedTextWidth(name, size: legendSize) + 18
            if x > 0 && x + w > width { x = 0; row += 1 }
            out.append((i, x, row))
            x += w
        }
        return out
    }

    /// Height the legend takes (0 when there is nothing to show).
    static func legendHeight(_ names: [String], width: Double) -> Double {
        guard let last = legendRows(names, width: width).last else { return 0 }
        return Double(last.row + 1) * 20
    }

    /// Draws the legend starting at (x, y) (top-left).
    static func drawLegend(_ svg: inout SVGWriter, names: [String], x: Double, y: Double, width: Double) {
        for entry in legendRows(names, width: width) {
            let ex = x + entry.x, ey = y + Double(entry.row) * 20
            svg.rect(x: ex, y: ey + 2, width: 12, height: 12, fill: ChartPalette.color(entry.index), cssClass: "legend-swatch")
            svg.text(names[entry.index], x: ex + 18, y: ey + 12.5, size: legendSize, cssClass: "legend-label")
        }
    }

    /// Horizontal grid lines and tick labels for `scale` over the plot box, and the y axis title.
    static func drawYAxis(_ svg: inout SVGWriter, scale: NiceScale, left: Double, top: Double, width: Double,
                          height: Double, title: String) {
        for tick in scale.ticks {
            let y = scale.map(tick, to: top + height, top)
            svg.line(x1: left, y1: y, x2: left + width, y2: y, stroke: gridColor, cssClass: "grid")
            svg.text(scale.label(tick), x: left - 6, y: y + 4, size: tickSize, anchor: .end, fill: axisColor,
                     cssClass: "tick-label")
        }
        svg.line(x1: left, y1: top, x2: left, y2: top + height, stroke: axisColor, cssClass: "axis")
        if !title.isEmpty {
            let x = left - 46, y = top + height / 2
            svg.text(title, x: x, y: y, size: labelSize, anchor: .middle, fill: axisColor, rotate: -90,
                     cssClass: "axis-title")
        }
    }
}
