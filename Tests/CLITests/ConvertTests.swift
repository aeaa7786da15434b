// `mirror-bert convert`: pytorch_model.bin → model.safetensors for a file or a whole model folder;
// converting then loading gives bit-identical parameters; unsafe or bad input leaves nothing.

import FileIO
import Foundation
import Models
import SafeTensors
import Testing
import TestSupport

private let binFolder = TestPaths.fixture("torchpickle/tiny-bert")

private func parameters(_ c: Checkpoint) -> [UInt32] {
    UnsafeBufferPointer(start: c.encoder.parameters.pointer, count: c.encoder.layout.totalCount).map(\.bitPattern)
}

@Suite struct ConvertTests {
    @Test func folderRoundTripIsBitIdentical() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let out = tmp.file("converted")
        let r = try MirrorBERTExecutable.run(["convert", "--input", binFolder.path, "--output", out.path])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("39 tensors (39 F32)"), "\(r)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(files == ["config.json", "model.safetensors", "tokenizer.json"])
        let converted = try Checkpoint.load(out), original = try Checkpoint.load(binFolder)
        #expect(parameters(converted) == parameters(original))
        let st = try SafeTensorsFile(url: out.appendingPathComponent("model.safetensors"))
        #expect(st.metadata == ["format": "pt"])

        let info = try MirrorBERTExecutable.run(["info", "--model", out.path])
        #expect(info.status == 0 && info.stdout.contains("hidden 32"), "\(info)")
        // encode gives the same bytes from the converted folder and from the .bin folder.
        let input = tmp.file("in.txt"); try Data("hello world\nthe fox\n".utf8).write(to: input)
        var outputs: [Data] = []
        for model in [out, binFolder] {
            let npy = tmp.file("\(model.lastPathComponent).npy")
            let e = try MirrorBERTExecutable.run(["encode", "--model", model.path, "--input", input.path, "--output", npy.path,
                                                  "--max-length", "32"])
            #expect(e.status == 0, "\(e)")
            outputs.append(try Data(contentsOf: npy))
        }
        #expect(outputs[0] == outputs[1])
    }

    @Test func fileConversionKeepsNamesAndWidensHalves() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let expected = try SafeTensorsFile(url: TestPaths.fixture("torchpickle/expected.safetensors"))
        for source in ["hf4_mlm.bin", "dtypes.bin", "views.bin", "big_endian.bin"] {
            let out = tmp.file(source + ".safetensors")
            let r = try MirrorBERTExecutable.run(["convert", "--input", TestPaths.fixture("torchpickle/" + source).path,
                                                  "--output", out.path])
            #expect(r.status == 0, "\(r)")
            let st = try SafeTensorsFile(url: out)
            let names = expected.tensors.map(\.name).filter { $0.hasPrefix(source + "/") }
            #expect(Set(st.tensors.map(\.name)) == Set(names.map { String($0.dropFirst(source.count + 1)) }))
            for key in names {
                let name = String(key.dropFirst(source.count + 1))
                let e = expected.info(key)!, t = st.info(name)!
                #expect(t.shape == e.shape, "\(key)")
                switch e.dtype {
                case .f16, .bf16:
                    #expect(t.dtype == .f32, "\(key)")
                    #expect(try st.floats(name).map(\.bitPattern) == expected.floats(key).map(\.bitPattern), "\(key)")
                default:
                    #expect(t.dtype == e.dtype, "\(key)")
                    #expect(try st.withRawBytes(name) { Array($0) } == expected.withRawBytes(key) { Array($0) }, "\(key)")
                }
            }
        }
    }

    @Test func fileIntoAnExistingFolder() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let r = try MirrorBERTExecutable.run(["convert", "--input", binFolder.appendingPathComponent("pytorch_model.bin").path,
                                              "--output", tmp.url.path])
        #expect(r.status == 0, "\(r)")
        #expect(try SafeTensorsFile(url: tmp.file("model.safetensors")).tensors.count == 39)
    }

    @Test func unsafeOrBadInputLeavesNothing() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let cases: [(String, [String])] = [
            ("malicious/os_system.bin", ["os.system", "refused"]),
            ("malicious/inst_popen.bin", ["INST subprocess.Popen"]),
            ("malformed/short_storage.bin", ["needs 24 bytes"]),
            ("malformed/legacy.bin", ["legacy"]),
        ]
        for (source, mentions) in cases {
            let out = tmp.file("out.safetensors")
            let r = try MirrorBERTExecutable.run(["convert", "--input", TestPaths.fixture("torchpickle/" + source).path,
                                                  "--output", out.path])
            #expect(r.status != 0, "\(source) converted: \(r)")
            for m in mentions { #expect(r.stderr.contains(m), "\(r)") }
            #expect(!r.stderr.contains("Fatal error"), "\(r)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.url.path).isEmpty, "\(source) left files")
        }
        // A folder without pytorch_model.bin, and --output equal to --input.
        let empty = tmp.file("empty"); try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let r1 = try MirrorBERTExecutable.run(["convert", "--input", empty.path, "--output", tmp.file("x").path])
        #expect(r1.status != 0 && r1.stderr.contains("pytorch_model.bin"), "\(r1)")
        let bin = binFolder.appendingPathComponent("pytorch_model.bin").path
        let r2 = try MirrorBERTExecutable.run(["convert", "--input", bin, "--output", bin])
        #expect(r2.status != 0 && r2.stderr.contains("must differ"), "\(r2)")
        #expect(!FileManager.default.fileExists(atPath: tmp.file("x").path))
    }
}
