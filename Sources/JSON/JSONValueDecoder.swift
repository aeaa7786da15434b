// Decodable types read from a `JSONValue` (what JSONParser returns), so that every JSON file and
// request body goes through the one strict parser and still gets Codable's convenience. Errors are
// Swift's `DecodingError`s whose coding path names the field; `DecodingError.jsonDescription`
// writes them as `"options.tau": expected a number, found a string`.
//
// Conversions: integers accept only whole numbers that fit the type (1.0 and 2e3 included);
// Float and Double any number whose value is finite in the type; a duplicate key reads as its
// last occurrence (as Python and serde_json do).

public struct JSONValueDecoder {
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try ValueDecoder(value: value, codingPath: [], userInfo: userInfo).decode(T.self)
    }

    /// Parses `bytes` (JSONSyntaxError on bad JSON) and decodes the document.
    public func decode<T: Decodable, Bytes: Sequence<UInt8>>(_ type: T.Type, from bytes: Bytes,
                                                            maxDepth: Int = JSONParser.defaultMaxDepth) throws -> T {
        try decode(T.self, from: try JSONParser.parse(bytes, maxDepth: maxDepth))
    }

    /// Parses and decodes `bytes`; a failure becomes `error(reason)`, with the reason in one line
    /// ("not valid JSON: line 3, column 8: …" or "\"a.b\": expected a number, found a string"),
    /// so each format throws its own error type naming its file.
    public func decode<T: Decodable, Bytes: Sequence<UInt8>>(_ type: T.Type, from bytes: Bytes, maxDepth: Int,
                                                            orThrow error: (String) -> any Error) throws -> T {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes, maxDepth: maxDepth) } catch let e as JSONSyntaxError {
            throw error("not valid JSON: \(e)")
        }
        return try decode(T.self, from: value, orThrow: error)
    }

    /// Decodes `value`; a failure becomes `error(reason)` (see above).
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, orThrow error: (String) -> any Error) throws -> T {
        do { return try decode(T.self, from: value) } catch let e as DecodingError { throw error(e.jsonDescription) }
    }
}

extension DecodingError {
    /// The field the error is about, written `a.b[2].c` ("" for the document itself).
    public var jsonPath: String {
        switch self {
        case let .keyNotFound(key, c): return JSONPath.string(c.codingPath + [key])
        case let .typeMismatch(_, c), let .valueNotFound(_, c), let .dataCorrupted(c): return JSONPath.string(c.codingPath)
        @unknown default: return ""
        }
    }

    /// What is wrong with that field ("expected a number, found a string").
    public var problem: String {
        switch self {
        case .keyNotFound: return "missing"
        case let .typeMismatch(_, c), let .valueNotFound(_, c), let .dataCorrupted(c): return c.debugDescription
        @unknown default: return "\(self)"
        }
    }

    /// `missing "a.b"`, or `"a.b": problem` (just the problem for the document itself).
    public var jsonDescription: String {
        if case .keyNotFound = self { return "missing \"\(jsonPath)\"" }
        return jsonPath.isEmpty ? problem : "\"\(jsonPath)\": \(problem)"
    }
}

/// Coding paths written as `a.b[2].c`.
enum JSONPath {
    static func string(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let i = key.intValue, key.stringValue.hasPrefix("Index ") { out += "[\(i)]"; continue }
            if !out.isEmpty { out += "." }
            out += key.stringValue
        }
        return out
    }
}

struct StringKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { return nil }
}

struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String
    init(_ i: Int) { intValue = i; stringValue = "Index \(i)" }
    init?(intValue: Int) { self.init(intValue) }
    init?(stringValue: String) { return nil }
}

// MARK: - Decoder

private struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let userInfoStorage: [CodingUserInfoKey: any Sendable]
    var userInfo: [CodingUserInfoKey: Any] { userInfoStorage }

    init(value: JSONValue, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: any Sendable]) {
        self.value = value; self.codingPath = codingPath; userInfoStorage = userInfo
    }

    func mismatch(_ type: Any.Type, _ expected: String) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(value.kindName)"))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case let .object(members) = value else { throw mismatch([String: Any].self, "an object") }
        return KeyedDecodingContainer(KeyedContainer<Key>(members: members, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case let .array(elements) = value else { throw mismatch([Any].self, "an array") }
        return UnkeyedContainer(elements: elements, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(decoder: self) }

    func child(_ value: JSONValue, _ key: any CodingKey) -> ValueDecoder {
        ValueDecoder(value: value, codingPath: codingPath + [key], userInfo: userInfoStorage)
    }

    // MARK: Scalars

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == JSONValue.self { return value as! T }
        switch type {
        case is Bool.Type: return try decodeBool() as! T
        case is String.Type: return try decodeString() as! T
        case is Double.Type: return try decodeDouble() as! T
        case is Float.Type: return try decodeFloat() as! T
        case is Int.Type: return try decodeInteger(Int.self) as! T
        case is Int8.Type: return try decodeInteger(Int8.self) as! T
        case is Int16.Type: return try decodeInteger(Int16.self) as! T
        case is Int32.Type: return try decodeInteger(Int32.self) as! T
        case is Int64.Type: return try decodeInteger(Int64.self) as! T
        case is UInt.Type: return try decodeInteger(UInt.self) as! T
        case is UInt8.Type: return try decodeInteger(UInt8.self) as! T
        case is UInt16.Type: return try decodeInteger(UInt16.self) as! T
        case is UInt32.Type: return try decodeInteger(UInt32.self) as! T
        case is UInt64.Type: return try decodeInteger(UInt64.self) as! T
        default: return try T(from: self)
        }
    }

    func decodeBool() throws -> Bool {
        guard case let .bool(b) = value else { throw mismatch(Bool.self, "true or false") }
        return b
    }

    func decodeString() throws -> String {
        guard case let .string(s) = value else { throw mismatch(String.self, "a string") }
        return s
    }

    func decodeDouble() throws -> Double {
        guard case let .number(n) = value else { throw mismatch(Double.self, "a number") }
        let d = n.double
        guard d.isFinite else { throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(n.text) is out of range")) }
        return d
    }

    func decodeFloat() throws -> Float {
        guard case let .number(n) = value else { throw mismatch(Float.self, "a number") }
        guard let f = Float(n.text), f.isFinite else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(n.text) is out of range"))
        }
        return f
    }

    func decodeInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard case let .number(n) = value else { throw mismatch(T.self, "an integer") }
        guard let i = n.integral(T.self) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath, debugDescription: "expected an integer in \(T.min)…\(T.max), found \(n.text)"))
        }
        return i
    }
}

// MARK: - Containers

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [(key: String, value: JSONValue)]
    let decoder: ValueDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        var seen = Set<String>()
        return members.compactMap { m in seen.insert(m.key).inserted ? Key(stringValue: m.key) : nil }
    }

    func lookup(_ key: Key) -> JSONValue? {
        for m in members.reversed() where m.key.unicodeScalars.elementsEqual(key.stringValue.unicodeScalars) { return m.value }
        return nil
    }

    func contains(_ key: Key) -> Bool { lookup(key) != nil }

    func child(_ key: Key) throws -> ValueDecoder {
        guard let v = lookup(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing \"\(key.stringValue)\""))
        }
        return decoder.child(v, key)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).value == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decode(T.self) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey> { try child(key).container(keyedBy: type) }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }

    func superDecoder() throws -> any Decoder {
        let key = StringKey("super")
        return decoder.child(members.last { $0.key == key.stringValue }?.value ?? .null, key)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { decoder.child(lookup(key) ?? .null, key) }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let decoder: ValueDecoder
    var currentIndex = 0
    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    init(elements: [JSONValue], decoder: ValueDecoder) { self.elements = elements; self.decoder = decoder }

    mutating func next() throws -> ValueDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(JSONValue.self, .init(
                codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "the array has only \(elements.count) elements"))
        }
        defer { currentIndex += 1 }
        return decoder.child(elements[currentIndex], IndexKey(currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(T.self) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey> { try next().container(keyedBy: type) }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }
}

private struct SingleContainer: SingleValueDecodingContainer {
    let decoder: ValueDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    func decodeNil() -> Bool { decoder.value == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(T.self) }
}
