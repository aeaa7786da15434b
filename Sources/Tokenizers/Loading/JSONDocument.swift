// A parsed JSON file and typed accessors whose errors name the file and the field.

import Foundation
import FileIO
import JSON

/// A JSON file's root value and its path, for error messages.
struct JSONDocument {
    let path: String
    let root: JSONValue

    /// Reads and parses `url`.
    static func read(_ url: URL) throws -> JSONDocument {
        let data: Data
        do {
            data = try TextLines.readFile(url)
        } catch {
            throw TokenizerError.from(error, path: url.path)
        }
        return try parse(data, path: url.path)
    }

    /// Parses JSON bytes; `path` names them in errors.
    static func parse(_ data: Data, path: String) throws -> JSONDocument {
        do {
            let root = try JSONParser.parse(data)
            return JSONDocument(path: path, root: root)
        } catch let e as JSONSyntaxError {
            throw TokenizerError.invalidJSON(path: path, detail: e.description)
        }
    }

    func malformed(_ field: String, _ problem: String) -> TokenizerError {
        .malformed(path: path, field: field, problem: problem)
    }

    // MARK: - Typed access

    func object(_ value: JSONValue?, _ field: String) throws -> [(String, JSONValue)] {
        guard case let .object(members)? = value else { throw malformed(field, "expected an object, found \(value?.kindName ?? "nothing")") }
        return members
    }

    func array(_ value: JSONValue?, _ field: String) throws -> [JSONValue] {
        guard case let .array(elements)? = value else { throw malformed(field, "expected an array, found \(value?.kindName ?? "nothing")") }
        return elements
    }

    func string(_ value: JSONValue?, _ field: String) throws -> String {
        guard case let .string(s)? = value else { throw malformed(field, "expected a string, found \(value?.kindName ?? "nothing")") }
        return s
    }

    func bool(_ value: JSONValue?, _ field: String) throws -> Bool {
        guard case let .bool(b)? = value else { throw malformed(field, "expected true or false, found \(value?.kindName ?? "nothing")") }
        return b
    }

    func int(_ value: JSONValue?, _ field: String) throws -> Int {
        guard case let .number(n)? = value, let integer = n.int else { throw malformed(field, "expected an integer, found \(value?.kindName ?? "nothing")") }
        return integer
    }

    /// A token type id: an integer in 0..<2^31 (the tokenizers package reads a u32).
    func typeId(_ value: JSONValue?, _ field: String) throws -> Int32 {
        let i = try int(value, field)
        guard i >= 0, i <= Int(Int32.max) else { throw malformed(field, "type id \(i) is out of range") }
        return Int32(i)
    }

    /// A token id: an integer in 0..<2^31.
    func tokenId(_ value: JSONValue?, _ field: String) throws -> Int32 {
        let i = try int(value, field)
        guard i >= 0, i <= Int(Int32.max) else { throw malformed(field, "id \(i) is out of range") }
        return Int32(i)
    }

    /// `value[key]` if `value` has that member and it is not null, else `defaultValue`.
    func optionalBool(_ value: JSONValue, _ key: String, field: String, default defaultValue: Bool) throws -> Bool {
        guard let member = value[key], member != .null else { return defaultValue }
        return try bool(member, "\(field).\(key)")
    }

    /// Rejects members other than `allowed`: an unknown member means a feature not implemented here.
    func checkKeys(_ value: JSONValue, _ field: String, allowed: Set<String>) throws {
        guard case let .object(members) = value else { throw malformed(field, "expected an object, found \(value.kindName)") }
        for (key, _) in members where !allowed.contains(key) {
            throw TokenizerError.unsupported(path: path, field: field.isEmpty ? key : "\(field).\(key)",
                                             what: "the field \"\(key)\"")
        }
    }
}
