// Pickles that would run code if Python unpickled them (written byte by byte by the fixture
// script, never unpickled there) are refused, naming the offending global or opcode, and nothing
// runs: each would create /tmp/mirror-bert-pickle-pwned.

import Foundation
import Testing
@testable import TorchPickle

private let marker = "/tmp/mirror-bert-pickle-pwned"

/// (fixture, error case, text the message must contain)
private let cases: [(String, String, String)] = [
    ("os_system", "forbiddenGlobal", "GLOBAL os.system"),
    ("posix_system_in_dict", "forbiddenGlobal", "GLOBAL posix.system"),
    ("builtins_exec", "forbiddenGlobal", "GLOBAL builtins.exec"),
    ("stack_global_eval", "forbiddenGlobal", "STACK_GLOBAL builtins.eval"),
    ("inst_popen", "forbiddenGlobal", "INST subprocess.Popen"),
    ("newobj_popen", "forbiddenGlobal", "GLOBAL subprocess.Popen"),
    ("reduce_popen", "forbiddenGlobal", "GLOBAL subprocess.Popen"),
    ("obj_ordered_dict", "unsupportedOpcode", "OBJ"),
    ("ext1", "unsupportedOpcode", "EXT1"),
    ("hooks_call", "forbiddenGlobal", "GLOBAL os.system"),
    ("call_storage_class", "forbiddenCall", "calling storage class torch.FloatStorage"),
    ("build_tensor", "forbiddenCall", "BUILD on a tensor"),
    ("torch_load", "forbiddenGlobal", "GLOBAL torch.load"),
]

@Suite(.serialized) struct MaliciousTests {
    @Test(arguments: cases.map { $0.0 })
    func refusedWithoutExecuting(_ name: String) throws {
        let (_, errorCase, mention) = cases.first { $0.0 == name }!
        try? FileManager.default.removeItem(atPath: marker)
        let url = Fixture.url("malicious/\(name).bin")
        do {
            _ = try TorchCheckpoint(url: url)
            Issue.record("\(name) was accepted")
        } catch let e as TorchPickleError {
            #expect(caseName(e) == errorCase, "\(e)")
            #expect(e.description.contains(mention), "\(e)")
            #expect(e.description.hasPrefix(url.path), "the message names the file: \(e)")
        }
        #expect(!FileManager.default.fileExists(atPath: marker), "\(name) ran code")
    }

    @Test func whitelistIsExact() {
        #expect(TorchGlobal(module: "collections", name: "OrderedDict") == .orderedDict)
        #expect(TorchGlobal(module: "torch._utils", name: "_rebuild_tensor_v2") == .rebuildTensorV2)
        #expect(TorchGlobal(module: "torch._utils", name: "_rebuild_parameter") == .rebuildParameter)
        #expect(TorchGlobal(module: "torch", name: "BFloat16Storage") != nil)
        for (module, name) in [("collections", "defaultdict"), ("torch._utils", "_rebuild_tensor"),
                               ("torch._utils", "_rebuild_parameter_with_state"), ("torch", "load"),
                               ("torch", "UntypedStorage"), ("builtins", "getattr"), ("copyreg", "_reconstructor"),
                               ("torch.nn.modules.linear", "Linear"), ("__builtin__", "eval"), ("nt", "system")] {
            #expect(TorchGlobal(module: module, name: name) == nil, "\(module).\(name)")
        }
    }

    @Test func forbiddenCallsInsideAnArchiveBuiltHere() {
        // REDUCE on a string, on a storage, and OrderedDict called with items.
        let calls: [[UInt8]] = [
            [0x80, 0x02] + P.str("os.system") + [0x29, 0x52, 0x2E],
            [0x80, 0x02] + P.storage("FloatStorage", "0", 2) + [0x29, 0x52, 0x2E],
        ]
        for pkl in calls {
            #expect(caseName(rejection(torchArchive(pkl, storages: [("0", f32Bytes([1, 2]))]))) == "forbiddenCall")
        }
        let od = [0x80, 0x02] + P.global("collections", "OrderedDict") + [0x5D, 0x85, 0x52, 0x2E]
        #expect(caseName(rejection(torchArchive(od))) == "invalidArguments")
        // BUILD on a plain dict (only OrderedDict carries attributes).
        let build: [UInt8] = [0x80, 0x02, 0x7D, 0x7D] + P.str("x") + P.int(1) + [0x73, 0x62, 0x2E]
        #expect(caseName(rejection(torchArchive(build))) == "forbiddenCall")
    }
}
