// Axis scales for charts: a linear map from data to pixels and "nice" tick values
// (steps of 1, 2, 2.5 or 5 × 10^k, about `target` ticks, covering the data).

import Foundation

struct NiceScale {
    let lower: Double
    let upper: Double
    let step: Double

    /// A scale covering [min, max] with about `target` intervals. A degenerate range is widened.
    init(min lo: Double, max hi: Double, target: Int = 5, integerSteps: Bool = false) {
        precondition(lo.isFinite && hi.isFinite && lo <= hi, "NiceScale: bad range \(lo)...\(hi)")
        var lo = lo, hi = hi
        if hi == lo {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        let rough = (hi - lo) / Double(Swift.max(1, target))
        let magnitude = pow(10, floor(log10(rough)))
        let fraction = rough / magnitude
        var step: Double
        if fraction <= 1 { step = 1 } else if fraction <= 2 { step = 2 } else if fraction <= 2.5 { step = 2.5 }
        else if fraction <= 5 { step = 5 } else { step = 10 }
        step *= magnitude
        if integerSteps { step = Swift.max(1, step.rounded(.up)) }
        self.step = step
        // Snap outward to multiples of step; a bound within 1e-9 steps of a multiple (rounding
        // noise) snaps to that multiple rather than adding a whole empty interval.
        lower = (lo / step + 1e-9).rounded(.down) * step
        upper = (hi / step - 1e-9).rounded(.up) * step
    }

    /// Tick values from lower to upper inclusive.
    var ticks: [Double] {
        let count = Int(((upper - lower) / step).rounded()) + 1
        return (0..<count).map { lower + Double($0) * step }
    }

    /// Decimals needed to print the ticks distinctly.
    var decimals: Int {
        var d = 0
        while d < 6 {
            let scaled = step * pow(10, Double(d))
            if abs(scaled - scaled.rounded()) < 1e-6 { break }
            d += 1
        }
        return d
    }

    /// A tick label.
    func label(_ v: Double) -> String { fixedDecimals(v, decimals: decimals) }

    /// Maps `v` from [lower, upper] onto [pixelLow, pixelHigh] (pixelHigh may be smaller: y axes).
    func map(_ v: Double, to pixelLow: Double, _ pixelHigh: Double) -> Double {
        pixelLow + (v - lower) / (upper - lower) * (pixelHigh - pixelLow)
    }
}

/// Colours for series, distinguishable with colour-blindness (Okabe & Ito), then greys.
enum ChartPalette {
    static let colors = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F", "#000000"]
    static func color(_ i: Int) -> String { colors[i % colors.count] }
}

/// A rough width of `text` in pixels at font size `size` (sans-serif averages ~0.6 em a glyph).
func estimatedTextWidth(_ text: String, size: Double) -> Double { Double(text.count) * size * 0.6 }

/// `v` with `decimals` fixed decimals, never a negative zero ("-0.00" is "0.00"): tick and value
/// labels, and the report tables that print the same numbers.
public func fixedDecimals(_ v: Double, decimals: Int) -> String {
    let s = String(format: "%.\(decimals)f", v)
    return s.hasPrefix("-") && Double(s) == 0 ? String(s.dropFirst()) : s
}
