// The values the restricted unpickler builds. Only data: scalars, strings, tuples, lists, dicts,
// and three torch-specific values — a whitelisted global (a callable or a storage class, never
// invoked as Python would), a storage reference from a persistent id, and a tensor view.

import SafeTensors

indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple(PickleTuple)
    case list(PickleList)
    case dict(PickleDict)
    case global(TorchGlobal)
    case storage(StorageRef)
    case tensor(TensorRef)

    /// How deep containers nest inside this value (0 for scalars).
    var depth: Int {
        switch self {
        case .tuple(let t): return t.depth
        case .list(let l): return l.depth
        case .dict(let d): return d.depth
        default: return 0
        }
    }

    /// A short description for errors (never recurses).
    var kind: String {
        switch self {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return "the integer \(i)"
        case .float(let f): return "the float \(f)"
        case .string(let s): return "the string \"\(s.count > 40 ? String(s.prefix(40)) + "…" : s)\""
        case .bytes(let b): return "\(b.count) bytes"
        case .tuple(let t): return "a tuple of \(t.items.count)"
        case .list(let l): return "a list of \(l.items.count)"
        case .dict(let d): return "a dict of \(d.keys.count)"
        case .global(let g): return g.qualifiedName
        case .storage(let s): return "a storage (\(s.dtype.rawValue), key \"\(s.key)\")"
        case .tensor: return "a tensor"
        }
    }
}

/// An immutable tuple; its depth is exact because its items are complete when it is built.
struct PickleTuple {
    let items: [PickleValue]
    let depth: Int
    init(_ items: [PickleValue]) {
        self.items = items
        depth = 1 + (items.map(\.depth).max() ?? 0)
    }
}

/// A mutable list (shared through the memo, as in Python). `depth` is a lower bound: items
/// appended to a list that is already inside another container do not update the outer one.
final class PickleList {
    var items: [PickleValue] = []
    var depth = 1
}

/// A mutable dict keeping insertion order (dict and OrderedDict alike); keys must be hashable.
final class PickleDict {
    /// Built by collections.OrderedDict() (which may take BUILD), not by EMPTY_DICT/DICT.
    let isOrderedDict: Bool
    private(set) var keys: [PickleValue] = []
    private(set) var values: [PickleValue] = []
    private var index: [HashKey: Int] = [:]
    var depth = 1

    init(isOrderedDict: Bool) { self.isOrderedDict = isOrderedDict }

    /// Sets `key` to `value` (replacing an existing value in place, as Python does).
    func set(_ key: PickleValue, hash: HashKey, _ value: PickleValue) {
        if let i = index[hash] {
            values[i] = value
        } else {
            index[hash] = keys.count
            keys.append(key)
            values.append(value)
        }
        depth = max(depth, 1 + max(key.depth, value.depth))
    }

    /// Drops every item (breaks reference cycles, keeps deallocation shallow).
    func removeAll() { keys = []; values = []; index = [:] }
}

/// A hashable image of a dict key: scalars and tuples of them (Python's hashable built-ins).
indirect enum HashKey: Hashable {
    case none, bool(Bool), int(Int64), float(UInt64), string(String), bytes([UInt8]), tuple([HashKey])

    /// nil for unhashable values (lists, dicts) and torch objects.
    init?(_ v: PickleValue) {
        switch v {
        case .none: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .float(let f): self = .float(f.bitPattern)
        case .string(let s): self = .string(s)
        case .bytes(let b): self = .bytes(b)
        case .tuple(let t):
            var items: [HashKey] = []
            for item in t.items {
                guard let k = HashKey(item) else { return nil }
                items.append(k)
            }
            self = .tuple(items)
        default: return nil
        }
    }
}

// MARK: - Torch values

/// The globals a state dict may name. Anything else is refused when GLOBAL reads it.
enum TorchGlobal: Equatable {
    case orderedDict
    case rebuildTensorV2
    case rebuildParameter
    case storageType(StorageType)

    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch", _), ("torch.cuda", _):
            guard let s = StorageType(name: name) else { return nil }
            self = .storageType(s)
        default: return nil
        }
    }

    var qualifiedName: String {
        switch self {
        case .orderedDict: return "collections.OrderedDict"
        case .rebuildTensorV2: return "torch._utils._rebuild_tensor_v2"
        case .rebuildParameter: return "torch._utils._rebuild_parameter"
        case .storageType(let s): return "torch.\(s.name)"
        }
    }
}

/// The typed storage classes torch.save names in persistent ids, by dtype.
struct StorageType: Equatable {
    let name: String
    let dtype: DType

    private static let byName: [String: DType] = [
        "FloatStorage": .f32, "HalfStorage": .f16, "BFloat16Storage": .bf16, "DoubleStorage": .f64,
        "LongStorage": .i64, "IntStorage": .i32, "ShortStorage": .i16, "CharStorage": .i8,
        "ByteStorage": .u8, "BoolStorage": .bool,
    ]
    static var supportedNames: [String] { byName.keys.sorted() }

    init?(name: String) {
        guard let dtype = Self.byName[name] else { return nil }
        self.name = name
        self.dtype = dtype
    }
}

/// A storage from a persistent id: the archive record "data/<key>" holding numel elements.
struct StorageRef {
    let key: String
    let dtype: DType
    let numel: Int
}

/// A tensor as _rebuild_tensor_v2 describes it: a strided view into a storage (sizes and strides
/// in elements). Bounds are checked when the state dict is collected, where the name is known.
struct TensorRef {
    let storage: StorageRef
    let offset: Int
    let shape: [Int]
    let strides: [Int]
    /// Set when the metadata dict sets the conjugate or negative bit.
    let unsupportedMetadata: String?
}
