// The YAML front matter of a model card, written the way the Hugging Face Hub reads it
// (huggingface_hub parses it with PyYAML's safe_load, the Hub with a YAML 1.2 parser):
//
//   ---
//   library_name: sentence-transformers      key: scalar
//   tags:                                     key: block list, items at column 0 ("- item")
//   - sentence-transformers
//   model-index:                              key: nested blocks, two spaces per level
//   - name: minilm-mirror
//     results:
//     - task:
//         type: semantic-similarity
//   ---
//
// Every top-level key starts at column 0 and everything belonging to it is indented or is a
// "- " item, so a key's block runs from its line to the next line that starts with a letter.
// `replacingBlocks` relies on exactly that to swap the blocks `eval --card` owns (metrics,
// model-index) while keeping every other line, including keys a person added by hand.
//
// Scalars: a string is written plain only when both YAML 1.1 (PyYAML) and 1.2 read it back as that
// string (it starts with a letter, holds only [A-Za-z0-9._/-] and ':' not followed by a space or
// the end, and is not a boolean or null word); anything else is double-quoted with \\, \" and
// \uXXXX escapes. Numbers always carry a '.' before an exponent ("1.0e-05"), since PyYAML reads
// "1e-05" as a string.

import Foundation

enum CardYAML {
    /// One top-level entry of the front matter: its key and the lines of its block (the key line
    /// included), without line ends.
    struct Block: Equatable {
        var key: String
        var lines: [String]
    }

    // MARK: - Scalars

    /// Words that YAML 1.1 or 1.2 reads as booleans or null when plain.
    private static let reserved: Set<String> = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"]

    /// `s` as a YAML scalar: plain when that reads back as the same string, else double-quoted.
    static func string(_ s: String) -> String {
        isPlainSafe(s) ? s : quoted(s)
    }

    static func isPlainSafe(_ s: String) -> Bool {
        let scalars = Array(s.unicodeScalars)
        guard let first = scalars.first, first.isASCIILetter, !reserved.contains(s.lowercased()) else { return false }
        for (i, c) in scalars.enumerated() {
            if c.isASCIILetter || ("0"..."9").contains(c) || c == "." || c == "_" || c == "/" || c == "-" { continue }
            // "a:b" is one plain scalar; "a: b" and a final ':' would start a mapping.
            if c == ":" && i + 1 < scalars.count && scalars[i + 1] != " " { continue }
            return false
        }
        return true
    }

    /// A double-quoted scalar: backslash and quote escaped, control characters and the YAML 1.1
    /// line breaks (U+0085, U+2028, U+2029) as \uXXXX; everything else literal UTF-8.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if c.value < 0x20 || c.value == 0x7F || c.value == 0x85 || c.value == 0x2028 || c.value == 0x2029
                    || c.value == 0xFEFF {
                    let hex = String(c.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    /// A finite number in its shortest round-tripping form, with a '.' before any exponent so that
    /// YAML 1.1 reads it as a float ("1.0e-05", not "1e-05").
    static func number(_ x: Double) -> String {
        precondition(x.isFinite, "CardYAML.number: \(x) is not finite")
        var text = x.description
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), !text[..<e].contains(".") {
            text.insert(contentsOf: ".0", at: e)
        }
        return text
    }

    // MARK: - Front matter

    /// The front matter for `blocks`, "---" lines included, each line ending in "\n".
    static func frontMatter(_ blocks: [Block]) -> String {
        "---\n" + blocks.flatMap(\.lines).map { $0 + "\n" }.joined() + "---\n"
    }

    /// Splits a document into its front matter's lines (without the "---" lines) and the text
    /// after the closing "---" line; nil when it does not open with a front matter block.
    static func split(_ text: String) -> (lines: [String], rest: Substring)? {
        guard text.hasPrefix("---\n") else { return nil }
        var lines: [String] = []
        var index = text.index(text.startIndex, offsetBy: 4)
        while index < text.endIndex {
            let end = text[index...].firstIndex(of: "\n") ?? text.endIndex
            let line = text[index..<end]
            let next = end < text.endIndex ? text.index(after: end) : end
            if line == "---" { return (lines, text[next...]) }
            lines.append(String(line))
            index = next
        }
        return nil
    }

    /// The top-level key a line opens ("tags" for "tags:" or "base_model: x"), or nil for a line
    /// inside a block (indented, a "- " item, a comment, blank).
    static func topLevelKey(_ line: String) -> String? {
        guard let first = line.unicodeScalars.first, first.isASCIILetter || first == "\"" else { return nil }
        guard let colon = line.range(of: ":") else { return nil }
        return String(line[..<colon.lowerBound]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    /// `lines` without the blocks of `keys`, followed by `replacements` (in their order).
    static func replacingBlocks(_ keys: Set<String>, in lines: [String], with replacements: [Block]) -> [String] {
        var kept: [String] = []
        var dropping = false
        for line in lines {
            if let key = topLevelKey(line) { dropping = keys.contains(key) }
            if !dropping { kept.append(line) }
        }
        return kept + replacements.flatMap(\.lines)
    }
}

private extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
