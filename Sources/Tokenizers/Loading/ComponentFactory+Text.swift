// tokenizer.json normalizers and pre-tokenizers other than BERT's: the Unicode forms, Lowercase,
// Strip, Prepend, Nmt, Replace, Precompiled and Sequence; ByteLevel, Metaspace, WhitespaceSplit,
// Split and Sequence. Field defaults follow HF's serde definitions.

import JSON
import Foundation

extension ComponentFactory {
    // MARK: - Normalizers

    static func makeTextNormalizer(_ value: JSONValue, _ doc: JSONDocument, field: String) throws -> any Normalizer {
        let type = try doc.string(value["type"], "\(field).type")
        switch type {
        case "NFC", "NFD", "NFKC", "NFKD":
            try doc.checkKeys(value, field, allowed: ["type"])
            return UnicodeNormalizer(HFUnicodeNormalization.Form(rawValue: type)!)
        case "Lowercase":
            try doc.checkKeys(value, field, allowed: ["type"])
            return Lowercase()
        case "Nmt":
            try doc.checkKeys(value, field, allowed: ["type"])
            return Nmt()
        case "Strip":
            try doc.checkKeys(value, field, allowed: ["type", "strip_left", "strip_right"])
            return Strip(left: try doc.bool(value["strip_left"], "\(field).strip_left"),
                         right: try doc.bool(value["strip_right"], "\(field).strip_right"))
        case "Prepend":
            try doc.checkKeys(value, field, allowed: ["type", "prepend"])
            return Prepend(try doc.string(value["prepend"], "\(field).prepend"))
        case "Replace":
            try doc.checkKeys(value, field, allowed: ["type", "pattern", "content"])
            let content = try doc.string(value["content"], "\(field).content")
            switch try pattern(value["pattern"], doc, field: "\(field).pattern") {
            case let .string(s):
                // HF compiles "" to an empty regex, which matches between every two scalars.
                guard !s.isEmpty else {
                    throw TokenizerError.unsupported(path: doc.path, field: "\(field).pattern.String", what: "an empty pattern")
                }
                return Replace(literal: s, content: content)
            case let .regex(r):
                guard let replace = Replace(regex: r, content: content) else {
                    throw TokenizerError.unsupported(path: doc.path, field: "\(field).pattern.Regex",
                                                     what: "the regular expression \"\(r)\"")
                }
                return replace
            }
        case "Precompiled":
            try doc.checkKeys(value, field, allowed: ["type", "precompiled_charsmap"])
            let encoded = try doc.string(value["precompiled_charsmap"], "\(field).precompiled_charsmap")
            guard let bytes = Data(base64Encoded: encoded) else {
                throw doc.malformed("\(field).precompiled_charsmap", "not valid base64")
            }
            do {
                return try Precompiled(charsmap: [UInt8](bytes))
            } catch let e as Precompiled.ParseError {
                throw doc.malformed("\(field).precompiled_charsmap", "\(e)")
            }
        case "Sequence":
            try doc.checkKeys(value, field, allowed: ["type", "normalizers"])
            var steps: [any Normalizer] = []
            for (i, item) in try doc.array(value["normalizers"], "\(field).normalizers").enumerated() {
                if let step = try makeNormalizer(item, doc, field: "\(field).normalizers[\(i)]") { steps.append(step) }
            }
            return SequenceNormalizer(steps)
        default:
            throw TokenizerError.unsupported(path: doc.path, field: "\(field).type", what: "the normalizer \"\(type)\"")
        }
    }

    enum PatternValue {
        case string(String), regex(String)
    }

    /// `{"String": s}` or `{"Regex": r}`.
    static func pattern(_ value: JSONValue?, _ doc: JSONDocument, field: String) throws -> PatternValue {
        let members = try doc.object(value, field)
        guard members.count == 1 else { throw doc.malformed(field, "expected {\"String\": …} or {\"Regex\": …}") }
        switch members[0].0 {
        case "String": return .string(try doc.string(members[0].1, "\(field).String"))
        case "Regex": return .regex(try doc.string(members[0].1, "\(field).Regex"))
        default: throw doc.malformed(field, "expected {\"String\": …} or {\"Regex\": …}")
        }
    }

    // MARK: - Pre-tokenizers

    static func makeSentencePreTokenizer(_ value: JSONValue, _ doc: JSONDocument, field: String) throws -> any PreTokenizer {
        let type = try doc.string(value["type"], "\(field).type")
        switch type {
        case "WhitespaceSplit":
            try doc.checkKeys(value, field, allowed: ["type"])
            return WhitespaceSplit()
        case "ByteLevel":
            try doc.checkKeys(value, field, allowed: ["type", "add_prefix_space", "trim_offsets", "use_regex"])
            _ = try doc.optionalBool(value, "trim_offsets", field: field, default: true)
            return ByteLevelPreTokenizer(
                addPrefixSpace: try doc.optionalBool(value, "add_prefix_space", field: field, default: true),
                useRegex: try doc.optionalBool(value, "use_regex", field: field, default: true))
        case "Metaspace":
            try doc.checkKeys(value, field, allowed: ["type", "replacement", "prepend_scheme", "split", "add_prefix_space", "str_rep"])
            let replacementString = try doc.string(value["replacement"], "\(field).replacement")
            let scalars = Array(replacementString.unicodeScalars)
            guard scalars.count == 1 else { throw doc.malformed("\(field).replacement", "expected one character") }
            var scheme = Metaspace.PrependScheme.always
            if let v = value["prepend_scheme"], v != .null {
                let name = try doc.string(v, "\(field).prepend_scheme")
                guard let s = Metaspace.PrependScheme(rawValue: name) else {
                    throw doc.malformed("\(field).prepend_scheme", "expected \"first\", \"always\" or \"never\", found \"\(name)\"")
                }
                scheme = s
            }
            // The old add_prefix_space: false must come with prepend_scheme "never" (HF refuses it otherwise,
            // prepend_scheme defaulting to "always").
            if let v = value["add_prefix_space"], v != .null, try !doc.bool(v, "\(field).add_prefix_space") {
                guard scheme == .never else {
                    throw doc.malformed("\(field).add_prefix_space", "false does not match prepend_scheme \"\(scheme.rawValue)\"")
                }
                scheme = .never
            }
            return Metaspace(replacement: scalars[0], prependScheme: scheme,
                             split: try doc.optionalBool(value, "split", field: field, default: true))
        case "Split":
            try doc.checkKeys(value, field, allowed: ["type", "pattern", "behavior", "invert"])
            let behaviorName = try doc.string(value["behavior"], "\(field).behavior")
            guard let behavior = SplitPreTokenizer.Behavior(rawValue: behaviorName) else {
                throw doc.malformed("\(field).behavior", "unknown behavior \"\(behaviorName)\"")
            }
            let invert = try doc.optionalBool(value, "invert", field: field, default: false)
            switch try pattern(value["pattern"], doc, field: "\(field).pattern") {
            case let .string(s):
                return SplitPreTokenizer(pattern: .literal(Array(s.unicodeScalars)), behavior: behavior, invert: invert)
            case let .regex(r):
                guard r.unicodeScalars.elementsEqual(SplitPreTokenizer.gpt2Pattern.unicodeScalars) else {
                    throw TokenizerError.unsupported(path: doc.path, field: "\(field).pattern.Regex",
                                                     what: "the regular expression \"\(r)\" (only the GPT-2 pattern is)")
                }
                return SplitPreTokenizer(pattern: .gpt2, behavior: behavior, invert: invert)
            }
        case "Sequence":
            try doc.checkKeys(value, field, allowed: ["type", "pretokenizers"])
            var steps: [any PreTokenizer] = []
            for (i, item) in try doc.array(value["pretokenizers"], "\(field).pretokenizers").enumerated() {
                if let step = try makePreTokenizer(item, doc, field: "\(field).pretokenizers[\(i)]") { steps.append(step) }
            }
            return SequencePreTokenizer(steps)
        default:
            throw TokenizerError.unsupported(path: doc.path, field: "\(field).type", what: "the pre-tokenizer \"\(type)\"")
        }
    }
}
