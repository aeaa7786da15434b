// Encodable types written as a `JSONValue` (then `JSONWriter` or `serialized()` makes the text),
// keeping keys in the order `encode(to:)` writes them. Numbers get their shortest round-tripping
// text (a Float 0.1 is written "0.1"); a non-finite Float or Double is an error (write nil for it
// explicitly where a format allows null). A key written twice keeps its first place and last value.

public struct JSONValueEncoder {
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let node = Node()
        try ValueEncoder(node: node, codingPath: [], userInfo: userInfo).encode(value)
        return node.value
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let i = try? c.decode(Int.self) { self = .int(i); return }
        if let d = try? c.decode(Double.self) { self = .double(d); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([JSONValue].self) { self = .array(a); return }
        let o = try c.decode([String: JSONValue].self)
        self = .object(o.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null: var c = encoder.singleValueContainer(); try c.encodeNil()
        case let .bool(b): var c = encoder.singleValueContainer(); try c.encode(b)
        case let .number(n): var c = encoder.singleValueContainer(); try c.encode(n.double)
        case let .string(s): var c = encoder.singleValueContainer(); try c.encode(s)
        case let .array(a): var c = encoder.unkeyedContainer(); for v in a { try c.encode(v) }
        case let .object(members):
            var c = encoder.container(keyedBy: StringKey.self)
            for m in members { try c.encode(m.value, forKey: StringKey(m.key)) }
        }
    }
}

// MARK: - Storage

/// A value under construction; containers hold their children by reference so that nested
/// containers handed out earlier still write into the tree.
private final class Node {
    enum Content { case empty, scalar(JSONValue), object([(String, Node)]), array([Node]) }
    var content = Content.empty

    var value: JSONValue {
        switch content {
        case .empty: return .object([])
        case let .scalar(v): return v
        case let .object(members): return .object(members.map { ($0.0, $0.1.value) })
        case let .array(elements): return .array(elements.map(\.value))
        }
    }

    func member(_ key: String) -> Node {
        if case var .object(members) = content {
            if let i = members.firstIndex(where: { $0.0 == key }) {
                let fresh = Node()
                members[i].1 = fresh
                content = .object(members)
                return fresh
            }
            let fresh = Node()
            members.append((key, fresh))
            content = .object(members)
            return fresh
        }
        let fresh = Node()
        content = .object([(key, fresh)])
        return fresh
    }

    func appendElement() -> Node {
        let fresh = Node()
        if case var .array(elements) = content { elements.append(fresh); content = .array(elements) } else { content = .array([fresh]) }
        return fresh
    }
}

// MARK: - Encoder

private struct ValueEncoder: Encoder {
    let node: Node
    let codingPath: [any CodingKey]
    let userInfoStorage: [CodingUserInfoKey: any Sendable]
    var userInfo: [CodingUserInfoKey: Any] { userInfoStorage }

    init(node: Node, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: any Sendable]) {
        self.node = node; self.codingPath = codingPath; userInfoStorage = userInfo
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedContainer(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleContainer(encoder: self) }

    func child(_ node: Node, _ key: any CodingKey) -> ValueEncoder {
        ValueEncoder(node: node, codingPath: codingPath + [key], userInfo: userInfoStorage)
    }

    func encode<T: Encodable>(_ value: T) throws {
        switch value {
        case let v as JSONValue: node.content = .scalar(v)
        case let v as Bool: node.content = .scalar(.bool(v))
        case let v as String: node.content = .scalar(.string(v))
        case let v as Double: node.content = .scalar(.number(try finite(v, JSONNumber.init)))
        case let v as Float: node.content = .scalar(.number(try finite(v, JSONNumber.init)))
        case let v as Int: node.content = .scalar(.int(v))
        case let v as Int8: node.content = .scalar(.number(JSONNumber(text: String(v))))
        case let v as Int16: node.content = .scalar(.number(JSONNumber(text: String(v))))
        case let v as Int32: node.content = .scalar(.number(JSONNumber(text: String(v))))
        case let v as Int64: node.content = .scalar(.number(JSONNumber(text: String(v))))
        case let v as UInt: node.content = .scalar(.number(JSONNumber(text: String(v))))
        case let v as UInt8: node.content = .scalar(.number(JSONNumber(text: String(v))))
        case let v as UInt16: node.content = .scalar(.number(JSONNumber(text: String(v))))
        case let v as UInt32: node.content = .scalar(.number(JSONNumber(text: String(v))))
        case let v as UInt64: node.content = .scalar(.number(JSONNumber(v)))
        default: try value.encode(to: self)
        }
    }

    private func finite<F: BinaryFloatingPoint>(_ v: F, _ make: (F) -> JSONNumber) throws -> JSONNumber {
        guard v.isFinite else {
            throw EncodingError.invalidValue(v, .init(codingPath: codingPath, debugDescription: "\(v) is not a JSON number"))
        }
        return make(v)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    func child(_ key: Key) -> ValueEncoder { encoder.child(encoder.node.member(key.stringValue), key) }

    mutating func encodeNil(forKey key: Key) throws { child(key).node.content = .scalar(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try child(key).encode(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey> { child(key).container(keyedBy: keyType) }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { child(key).unkeyedContainer() }

    mutating func superEncoder() -> any Encoder { encoder.child(encoder.node.member("super"), StringKey("super")) }

    mutating func superEncoder(forKey key: Key) -> any Encoder { child(key) }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int {
        if case let .array(elements) = encoder.node.content { return elements.count }
        return 0
    }

    func next() -> ValueEncoder {
        let index = count
        return encoder.child(encoder.node.appendElement(), IndexKey(index))
    }

    mutating func encodeNil() throws { next().node.content = .scalar(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws { try next().encode(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        next().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { next().unkeyedContainer() }

    mutating func superEncoder() -> any Encoder { next() }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    mutating func encodeNil() throws { encoder.node.content = .scalar(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encode(value) }
}
