// A small SVG 1.1 writer: elements appended in drawing order, attribute values and text escaped,
// coordinates written with at most two decimals. The output is a standalone, well-formed XML
// document (XML declaration, svg root with its namespace, viewBox, white background).

import Foundation
import FileIO

public struct SVGWriter {
    public let width: Double
    public let height: Double
    private var body: [String] = []

    public init(width: Double, height: Double) {
        precondition(width > 0 && height > 0, "SVGWriter: size must be positive")
        self.width = width
        self.height = height
    }

    // MARK: - Elements

    /// An element with attributes (nil values are left out) and optional escaped text content
    /// or a tooltip (`<title>`).
    public mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String?>,
                                 text: String? = nil, tooltip: String? = nil) {
        var s = "<" + name
        for (key, value) in attributes {
            if let value { s += " \(key)=\"\(Self.escape(value))\"" }
        }
        if let text {
            s += ">" + Self.escape(text) + "</\(name)>"
        } else if let tooltip {
            s += "><title>" + Self.escape(tooltip) + "</title></\(name)>"
        } else {
            s += "/>"
        }
        body.append(s)
    }

    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String,
                              stroke: String? = nil, cssClass: String? = nil, tooltip: String? = nil) {
        element("rect", ["class": cssClass, "x": Self.number(x), "y": Self.number(y),
                         "width": Self.number(max(0, width)), "height": Self.number(max(0, height)),
                         "fill": fill, "stroke": stroke], tooltip: tooltip)
    }

    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String,
                              strokeWidth: Double = 1, dash: String? = nil, cssClass: String? = nil) {
        element("line", ["class": cssClass, "x1": Self.number(x1), "y1": Self.number(y1),
                         "x2": Self.number(x2), "y2": Self.number(y2), "stroke": stroke,
                         "stroke-width": Self.number(strokeWidth), "stroke-dasharray": dash])
    }

    public mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, strokeWidth: Double = 2,
                                  cssClass: String? = nil, tooltip: String? = nil) {
        let list = points.map { Self.number($0.x) + "," + Self.number($0.y) }.joined(separator: " ")
        element("polyline", ["class": cssClass, "points": list, "fill": "none", "stroke": stroke,
                             "stroke-width": Self.number(strokeWidth), "stroke-linejoin": "round",
                             "stroke-linecap": "round"], tooltip: tooltip)
    }

    public mutating func circle(cx: Double, cy: Double, r: Double, fill: String, cssClass: String? = nil,
                                tooltip: String? = nil) {
        element("circle", ["class": cssClass, "cx": Self.number(cx), "cy": Self.number(cy),
                           "r": Self.number(r), "fill": fill], tooltip: tooltip)
    }

    public enum Anchor: String { case start, middle, end }

    /// Text at (x, y) (the baseline); `rotate` in degrees about (x, y).
    public mutating func text(_ string: String, x: Double, y: Double, size: Double = 12,
                              anchor: Anchor = .start, fill: String = "#222222", bold: Bool = false,
                              rotate: Double? = nil, cssClass: String? = nil) {
        let transform = rotate.map { "rotate(\(Self.number($0)) \(Self.number(x)) \(Self.number(y)))" }
        element("text", ["class": cssClass, "x": Self.number(x), "y": Self.number(y),
                         "font-size": Self.number(size), "text-anchor": anchor.rawValue, "fill": fill,
                         "font-weight": bold ? "bold" : nil, "transform": transform], text: string)
    }

    // MARK: - Output

    /// The whole document.
    public func rendered() -> String {
        let w = Self.number(width), h = Self.number(height)
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(w)\" height=\"\(h)\" "
        s += "viewBox=\"0 0 \(w) \(h)\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(w)\" height=\"\(h)\" fill=\"#ffffff\"/>\n"
        for element in body { s += element + "\n" }
        return s + "</svg>\n"
    }

    /// Writes the document to `url` atomically.
    public func write(to url: URL) throws {
        try AtomicFileText.write(rendered(), to: url)
    }

    // MARK: - Escaping and numbers

    /// Escapes text for XML content and attribute values; drops characters XML 1.0 forbids.
    public static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A coordinate with at most two decimals and no trailing zeros ("12", "12.5", "-3.25").
    public static func number(_ v: Double) -> String {
        precondition(v.isFinite, "SVGWriter: non-finite coordinate")
        var s = String(format: "%.2f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }
}

/// Chart documents written atomically.
enum AtomicFileText {
    static func write(_ text: String, to url: URL) throws {
        try AtomicFile.write(Data(text.utf8), to: url)
    }
}
