// A restricted pickle machine for torch.save's data.pkl (pickle protocols 2–5 as torch writes
// them; https://github.com/python/cpython/blob/3.11/Lib/pickletools.py documents every opcode).
//
// It builds data only. Nothing is imported, called or executed: GLOBAL/STACK_GLOBAL resolve
// against a fixed whitelist (`TorchGlobal`) and anything else is refused on the spot; REDUCE runs
// one of three built-in interpretations (OrderedDict(), _rebuild_tensor_v2, _rebuild_parameter);
// BUILD is accepted only on an OrderedDict (torch.save stores the state dict's `_metadata` that
// way, and it is ignored); INST, OBJ, NEWOBJ(_EX), EXT1/2/4, text PERSID and the protocol 0/1
// text opcodes are refused. Storage references (BINPERSID) go to a callback that checks them
// against the archive.
//
// Bounds: every opcode consumes at least one byte, so the loop ends; lengths read from the file
// are checked against the bytes left before anything is allocated; integers wider than 64 bits
// are refused; containers nested deeper than `maxDepth` are refused, and when the machine is done
// every list and dict is emptied so no deallocation recurses deeply or leaks through a cycle.

final class Unpickler {
    static let maxDepth = 100

    private let path: String
    private let bytes: UnsafeRawBufferPointer
    private let resolveStorage: (_ key: String, _ type: StorageType, _ numel: Int64, _ offset: Int) throws -> StorageRef

    private var pos = 0
    private var stack: [PickleValue] = []
    /// Stack heights at each open MARK (Python keeps a stack of stacks; this is the same).
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    private var lists: [PickleList] = []
    private var dicts: [PickleDict] = []
    /// Offset of the opcode being executed, for errors.
    private var at = 0

    init(bytes: UnsafeRawBufferPointer, path: String,
         resolveStorage: @escaping (String, StorageType, Int64, Int) throws -> StorageRef) {
        self.bytes = bytes
        self.path = path
        self.resolveStorage = resolveStorage
    }

    /// Runs the pickle and passes its result to `body`, then empties every container it built.
    func withResult<R>(_ body: (PickleValue) throws -> R) throws -> R {
        defer { tearDown() }
        return try body(try run())
    }

    private func tearDown() {
        for l in lists { l.items = [] }
        for d in dicts { d.removeAll() }
        stack = []
        memo = [:]
        lists = []
        dicts = []
    }

    // MARK: - Main loop

    private func run() throws -> PickleValue {
        while true {
            at = pos
            let op = try byte()
            switch op {
            case 0x80:  // PROTO
                let v = try byte()
                guard v <= 5 else { throw malformed("unknown pickle protocol \(v)") }
            case 0x95:  // FRAME: a length prefix for the opcodes that follow; frames are transparent here
                let n = try uint(8)
                guard n <= UInt64(bytes.count - pos) else { throw truncated() }
            case 0x2E:  // STOP
                guard marks.isEmpty, stack.count == 1 else {
                    throw malformed("STOP with \(stack.count) values on the stack and \(marks.count) open marks")
                }
                guard pos == bytes.count else { throw TorchPickleError.pickleTrailingData(path: path, offset: pos) }
                return stack[0]

            // MARK: Stack and memo
            case 0x28: marks.append(stack.count)  // MARK
            case 0x30:  // POP (pops the mark itself when nothing was pushed since it)
                if available > 0 { stack.removeLast() } else { _ = try popMark() }
            case 0x31: _ = try popMark()  // POP_MARK
            case 0x32: push(try top())  // DUP
            case 0x71: memo[Int(try byte())] = try top()  // BINPUT
            case 0x72: memo[Int(try uint(4))] = try top()  // LONG_BINPUT
            case 0x94: memo[memo.count] = try top()  // MEMOIZE
            case 0x68: try get(Int(try byte()))  // BINGET
            case 0x6A: try get(Int(try uint(4)))  // LONG_BINGET

            // MARK: Scalars
            case 0x4E: push(.none)  // NONE
            case 0x88: push(.bool(true))  // NEWTRUE
            case 0x89: push(.bool(false))  // NEWFALSE
            case 0x4B: push(.int(Int64(try byte())))  // BININT1
            case 0x4D: push(.int(Int64(try uint(2))))  // BININT2
            case 0x4A: push(.int(Int64(Int32(truncatingIfNeeded: try uint(4)))))  // BININT
            case 0x8A: push(.int(try long(Int(try byte()))))  // LONG1
            case 0x8B:  // LONG4
                let n = Int32(truncatingIfNeeded: try uint(4))
                guard n >= 0 else { throw malformed("negative LONG4 length") }
                push(.int(try long(Int(n))))
            case 0x47: push(.float(Double(bitPattern: try uintBigEndian(8))))  // BINFLOAT
            case 0x58: push(.string(try utf8(try length(4))))  // BINUNICODE
            case 0x8C: push(.string(try utf8(try length(1))))  // SHORT_BINUNICODE
            case 0x8D: push(.string(try utf8(try length(8))))  // BINUNICODE8
            case 0x54: push(.string(try utf8(try length(4))))  // BINSTRING (Python 2 str, read as UTF-8 like torch.load)
            case 0x55: push(.string(try utf8(try length(1))))  // SHORT_BINSTRING
            case 0x42: push(.bytes(Array(try take(try length(4)))))  // BINBYTES
            case 0x43: push(.bytes(Array(try take(try length(1)))))  // SHORT_BINBYTES
            case 0x8E: push(.bytes(Array(try take(try length(8)))))  // BINBYTES8

            // MARK: Containers
            case 0x29: push(.tuple(PickleTuple([])))  // EMPTY_TUPLE
            case 0x74: try pushTuple(try popMark())  // TUPLE
            case 0x85: try pushTuple(try pop(1))  // TUPLE1
            case 0x86: try pushTuple(try pop(2))  // TUPLE2
            case 0x87: try pushTuple(try pop(3))  // TUPLE3
            case 0x5D: push(.list(newList()))  // EMPTY_LIST
            case 0x6C:  // LIST
                let items = try popMark()
                let l = newList()
                try append(items, to: l)
                push(.list(l))
            case 0x61: try append(try pop(1), to: try topList())  // APPEND
            case 0x65:  // APPENDS
                let items = try popMark()
                try append(items, to: try topList())
            case 0x7D: push(.dict(newDict()))  // EMPTY_DICT
            case 0x64:  // DICT
                let items = try popMark()
                let d = newDict()
                try setItems(items, in: d)
                push(.dict(d))
            case 0x73: try setItems(try pop(2), in: try topDict())  // SETITEM
            case 0x75:  // SETITEMS
                let items = try popMark()
                try setItems(items, in: try topDict())

            // MARK: Globals, calls, storages
            case 0x63:  // GLOBAL
                let module = try line(), name = try line()
                push(.global(try resolveGlobal(module, name, opcode: "GLOBAL")))
            case 0x93:  // STACK_GLOBAL
                let pair = try pop(2)
                guard case .string(let module) = pair[0], case .string(let name) = pair[1] else {
                    throw malformed("STACK_GLOBAL needs two strings, found \(pair[0].kind) and \(pair[1].kind)")
                }
                push(.global(try resolveGlobal(module, name, opcode: "STACK_GLOBAL")))
            case 0x52:  // REDUCE
                let pair = try pop(2)
                push(try reduce(pair[0], pair[1]))
            case 0x62:  // BUILD
                let state = try pop(1)[0]
                try build(try top(), state: state)
            case 0x51:  // BINPERSID
                push(.storage(try persistentLoad(try pop(1)[0])))
            case 0x69:  // INST: name the class in the refusal
                let module = try line(), name = try line()
                if TorchGlobal(module: module, name: name) == nil {
                    throw TorchPickleError.forbiddenGlobal(path: path, offset: at, opcode: "INST", global: "\(module).\(name)")
                }
                throw TorchPickleError.unsupportedOpcode(path: path, offset: at, opcode: "INST (\(module).\(name))")
            default:
                throw TorchPickleError.unsupportedOpcode(path: path, offset: at, opcode: opcodeName(op))
            }
        }
    }

    // MARK: - Reading operands

    private func truncated() -> TorchPickleError { .pickleTruncated(path: path, offset: bytes.count) }
    private func malformed(_ reason: String) -> TorchPickleError { .malformedPickle(path: path, offset: at, reason: reason) }

    private func byte() throws -> UInt8 {
        guard pos < bytes.count else { throw truncated() }
        defer { pos += 1 }
        return bytes[pos]
    }

    /// An n-byte little-endian unsigned integer.
    private func uint(_ n: Int) throws -> UInt64 {
        guard bytes.count - pos >= n else { throw truncated() }
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(bytes[pos + i]) << (8 * UInt64(i)) }
        pos += n
        return v
    }

    private func uintBigEndian(_ n: Int) throws -> UInt64 {
        guard bytes.count - pos >= n else { throw truncated() }
        var v: UInt64 = 0
        for i in 0..<n { v = v << 8 | UInt64(bytes[pos + i]) }
        pos += n
        return v
    }

    /// A length prefix of `n` bytes, checked against the bytes left.
    private func length(_ n: Int) throws -> Int {
        let v = try uint(n)
        guard v <= UInt64(bytes.count - pos) else { throw truncated() }
        return Int(v)
    }

    private func take(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard bytes.count - pos >= n else { throw truncated() }
        defer { pos += n }
        return UnsafeRawBufferPointer(rebasing: bytes[pos..<(pos + n)])
    }

    private func utf8(_ n: Int) throws -> String {
        guard let s = String(validatingUTF8CodeUnits: try take(n)) else { throw malformed("string is not UTF-8") }
        return s
    }

    /// A two's-complement little-endian integer of n ≤ 8 bytes (LONG1/LONG4).
    private func long(_ n: Int) throws -> Int64 {
        guard n <= bytes.count - pos else { throw truncated() }
        guard n <= 8 else { throw TorchPickleError.integerTooLarge(path: path, offset: at, bytes: n) }
        guard n > 0 else { return 0 }
        let raw = try uint(n)
        let shift = UInt64(64 - 8 * n)
        return Int64(bitPattern: raw << shift) >> Int64(shift)  // sign-extend
    }

    /// A newline-terminated UTF-8 line (GLOBAL and INST operands).
    private func line() throws -> String {
        var end = pos
        while end < bytes.count && bytes[end] != 0x0A { end += 1 }
        guard end < bytes.count else { throw truncated() }
        let s = try utf8(end - pos)
        pos += 1
        return s
    }

    // MARK: - Stack

    /// Items pushed since the innermost open MARK.
    private var available: Int { stack.count - (marks.last ?? 0) }

    private func push(_ v: PickleValue) { stack.append(v) }

    private func top() throws -> PickleValue {
        guard available > 0 else { throw malformed("stack underflow") }
        return stack[stack.count - 1]
    }

    private func pop(_ n: Int) throws -> [PickleValue] {
        guard available >= n else { throw malformed("stack underflow") }
        let items = Array(stack[(stack.count - n)...])
        stack.removeLast(n)
        return items
    }

    private func popMark() throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw malformed("no MARK to pop to") }
        let items = Array(stack[mark...])
        stack.removeLast(stack.count - mark)
        return items
    }

    private func get(_ index: Int) throws {
        guard let v = memo[index] else { throw TorchPickleError.memoMissing(path: path, offset: at, index: index) }
        push(v)
    }

    // MARK: - Containers

    private func checkDepth(_ depth: Int) throws {
        guard depth <= Self.maxDepth else { throw TorchPickleError.nestingTooDeep(path: path, offset: at, limit: Self.maxDepth) }
    }

    private func pushTuple(_ items: [PickleValue]) throws {
        let t = PickleTuple(items)
        try checkDepth(t.depth)
        push(.tuple(t))
    }

    private func newList() -> PickleList {
        let l = PickleList()
        lists.append(l)
        return l
    }

    private func newDict(ordered: Bool = false) -> PickleDict {
        let d = PickleDict(isOrderedDict: ordered)
        dicts.append(d)
        return d
    }

    private func topList() throws -> PickleList {
        let t = try top()
        guard case .list(let l) = t else { throw malformed("APPEND to \(t.kind), not a list") }
        return l
    }

    private func topDict() throws -> PickleDict {
        let t = try top()
        guard case .dict(let d) = t else { throw malformed("SETITEM on \(t.kind), not a dict") }
        return d
    }

    private func append(_ items: [PickleValue], to l: PickleList) throws {
        for v in items {
            l.depth = max(l.depth, 1 + v.depth)
            try checkDepth(l.depth)
            l.items.append(v)
        }
    }

    private func setItems(_ items: [PickleValue], in d: PickleDict) throws {
        guard items.count % 2 == 0 else { throw malformed("odd number of items for a dict") }
        for i in stride(from: 0, to: items.count, by: 2) {
            let key = items[i]
            guard let hash = HashKey(key) else { throw malformed("unhashable dict key: \(key.kind)") }
            d.set(key, hash: hash, items[i + 1])
            try checkDepth(d.depth)
        }
    }

    // MARK: - Globals and calls

    private func resolveGlobal(_ module: String, _ name: String, opcode: String) throws -> TorchGlobal {
        if let g = TorchGlobal(module: module, name: name) { return g }
        if module.hasPrefix("torch") && name.hasSuffix("Storage") {
            throw TorchPickleError.unsupportedStorageType(path: path, offset: at, name: "\(module).\(name)")
        }
        throw TorchPickleError.forbiddenGlobal(path: path, offset: at, opcode: opcode, global: "\(module).\(name)")
    }

    private func reduce(_ callee: PickleValue, _ argsValue: PickleValue) throws -> PickleValue {
        guard case .global(let g) = callee else { throw TorchPickleError.forbiddenCall(path: path, offset: at, callee: "calling \(callee.kind)") }
        guard case .tuple(let argsTuple) = argsValue else {
            throw TorchPickleError.invalidArguments(path: path, offset: at, callee: g.qualifiedName, reason: "arguments are \(argsValue.kind), not a tuple")
        }
        let args = argsTuple.items
        func invalid(_ reason: String) -> TorchPickleError {
            .invalidArguments(path: path, offset: at, callee: g.qualifiedName, reason: reason)
        }
        switch g {
        case .orderedDict:
            guard args.isEmpty else { throw invalid("expected no arguments, got \(args.count)") }
            return .dict(newDict(ordered: true))
        case .rebuildTensorV2:
            // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            guard args.count == 6 || args.count == 7 else { throw invalid("expected 6 or 7 arguments, got \(args.count)") }
            guard case .storage(let storage) = args[0] else { throw invalid("storage is \(args[0].kind)") }
            guard case .int(let offset) = args[1] else { throw invalid("storage_offset is \(args[1].kind)") }
            let shape = try ints(args[2], what: "size", invalid)
            let strides = try ints(args[3], what: "stride", invalid)
            guard shape.count == strides.count else { throw invalid("size has \(shape.count) dimensions, stride \(strides.count)") }
            guard case .bool = args[4] else { throw invalid("requires_grad is \(args[4].kind)") }
            try checkNoHooks(args[5], invalid)
            var unsupported: String? = nil
            if args.count == 7 {
                switch args[6] {
                case .none: break
                case .dict(let meta):
                    for (k, v) in zip(meta.keys, meta.values) {
                        guard case .string(let key) = k, case .bool(let on) = v else { throw invalid("metadata entry \(k.kind): \(v.kind)") }
                        if on { unsupported = "\(key) bit set" }
                    }
                default: throw invalid("metadata is \(args[6].kind)")
                }
            }
            return .tensor(TensorRef(storage: storage, offset: Int(offset), shape: shape, strides: strides,
                                     unsupportedMetadata: unsupported))
        case .rebuildParameter:
            // (data, requires_grad, backward_hooks): an nn.Parameter is its tensor here.
            guard args.count == 3 else { throw invalid("expected 3 arguments, got \(args.count)") }
            guard case .tensor = args[0] else { throw invalid("data is \(args[0].kind)") }
            guard case .bool = args[1] else { throw invalid("requires_grad is \(args[1].kind)") }
            try checkNoHooks(args[2], invalid)
            return args[0]
        case .storageType(let s):
            throw TorchPickleError.forbiddenCall(path: path, offset: at, callee: "calling storage class torch.\(s.name)")
        }
    }

    private func ints(_ v: PickleValue, what: String, _ invalid: (String) -> TorchPickleError) throws -> [Int] {
        guard case .tuple(let t) = v else { throw invalid("\(what) is \(v.kind), not a tuple") }
        return try t.items.map {
            guard case .int(let i) = $0 else { throw invalid("\(what) holds \($0.kind)") }
            return Int(i)
        }
    }

    /// backward_hooks must be an empty (Ordered)dict: hooks are code, and torch never saves them.
    private func checkNoHooks(_ v: PickleValue, _ invalid: (String) -> TorchPickleError) throws {
        guard case .dict(let d) = v else { throw invalid("backward_hooks is \(v.kind), not a dict") }
        guard d.keys.isEmpty else { throw invalid("backward_hooks holds \(d.keys.count) hooks (not supported)") }
    }

    private func build(_ target: PickleValue, state: PickleValue) throws {
        // OrderedDict state dicts carry `_metadata` as instance attributes: accept and ignore them.
        guard case .dict(let d) = target, d.isOrderedDict else {
            throw TorchPickleError.forbiddenCall(path: path, offset: at, callee: "BUILD on \(target.kind)")
        }
        switch state {
        case .none: break
        case .dict(let attributes):
            guard attributes.keys.allSatisfy({ if case .string = $0 { return true } else { return false } }) else {
                throw TorchPickleError.forbiddenCall(path: path, offset: at, callee: "BUILD with non-string attribute names")
            }
        default:
            throw TorchPickleError.forbiddenCall(path: path, offset: at, callee: "BUILD of an OrderedDict with state \(state.kind)")
        }
    }

    private func persistentLoad(_ pid: PickleValue) throws -> StorageRef {
        func invalid(_ reason: String) -> TorchPickleError { .invalidPersistentID(path: path, offset: at, reason: reason) }
        guard case .tuple(let t) = pid else { throw invalid("persistent id is \(pid.kind), not a tuple") }
        guard t.items.count == 5 else { throw invalid("expected 5 fields, got \(t.items.count)") }
        guard case .string("storage") = t.items[0] else { throw invalid("first field is \(t.items[0].kind), not \"storage\"") }
        guard case .global(.storageType(let type)) = t.items[1] else { throw invalid("storage class is \(t.items[1].kind)") }
        guard case .string(let key) = t.items[2], !key.isEmpty, !key.contains("/") else {
            throw invalid("storage key is \(t.items[2].kind)")
        }
        guard case .string = t.items[3] else { throw invalid("location is \(t.items[3].kind)") }
        guard case .int(let numel) = t.items[4], numel >= 0 else { throw invalid("numel is \(t.items[4].kind)") }
        return try resolveStorage(key, type, numel, at)
    }
}

// MARK: - Opcode names (for refusals)

private func opcodeName(_ op: UInt8) -> String {
    let names: [UInt8: String] = [
        0x69: "INST", 0x6F: "OBJ", 0x81: "NEWOBJ", 0x92: "NEWOBJ_EX", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4",
        0x50: "PERSID", 0x49: "INT", 0x4C: "LONG", 0x46: "FLOAT", 0x53: "STRING", 0x56: "UNICODE", 0x67: "GET",
        0x70: "PUT", 0x8F: "EMPTY_SET", 0x90: "ADDITEMS", 0x91: "FROZENSET", 0x96: "BYTEARRAY8",
        0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
    ]
    let hex = String(op, radix: 16)
    return (names[op] ?? "unknown") + " (0x" + (hex.count == 1 ? "0" : "") + hex + ")"
}
