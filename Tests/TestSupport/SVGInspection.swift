// Checks of SVG documents for the chart tests: strict well-formedness (XMLParser) and XPath
// queries (XMLDocument). Set EVALUATION_CHART_DIR to keep the rendered SVGs for a look.

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Parses `svg` strictly; returns its elements' names or records why it is not well-formed.
public func wellFormedElements(_ svg: String) -> [String]? {
    final class Collector: NSObject, XMLParserDelegate {
        var names: [String] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) { names.append(name) }
    }
    let parser = XMLParser(data: Data(svg.utf8))
    let collector = Collector()
    parser.delegate = collector
    // swift-corelibs' XMLParser can return true yet record an error, so check both.
    guard parser.parse(), parser.parserError == nil else {
        Issue.record("not well-formed XML: \(String(describing: parser.parserError))")
        return nil
    }
    return collector.names
}

/// Nodes matching `xpath` (local names, so the SVG namespace needs no prefix).
public func nodes(_ svg: String, _ xpath: String) throws -> [XMLNode] {
    let document = try XMLDocument(xmlString: svg, options: [])
    #expect(document.rootElement()?.name == "svg")
    #expect(try document.nodes(forXPath: "/*[namespace-uri()='http://www.w3.org/2000/svg']").count == 1)
    return try document.nodes(forXPath: xpath)
}

public func keep(_ svg: String, as name: String) {
    guard let dir = ProcessInfo.processInfo.environment["EVALUATION_CHART_DIR"], !dir.isEmpty else { return }
    try? Data(svg.utf8).write(to: URL(fileURLWithPath: dir).appendingPathComponent(name))
}
