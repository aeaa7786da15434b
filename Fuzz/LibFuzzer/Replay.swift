// Without -D LIBFUZZER (the ordinary `swift build`), mirror-bert-fuzz replays inputs through a
// target without sanitizers: `FUZZ_TARGET=tokenizer mirror-bert-fuzz crash-… Fuzz/Corpus/tokenizer`
// runs each file (a folder: each file in it) and prints whether the parser accepted it or which
// error it threw. A crash is a crash here too, with Swift's own message.

#if !LIBFUZZER
import Foundation
import FuzzTargets

enum Replay {
    static func run(_ target: FuzzTarget) {
        let paths = CommandLine.arguments.dropFirst()
        guard !paths.isEmpty else { TargetSelection.fail("usage: FUZZ_TARGET=<name> mirror-bert-fuzz <file or folder>…") }
        var files: [URL] = []
        for path in paths {
            let url = URL(fileURLWithPath: path)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                TargetSelection.fail("no such file: \(path)")
            }
            if isFolder.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.sorted().map { url.appendingPathComponent($0) }
            } else {
                files.append(url)
            }
        }
        for file in files {
            guard let data = try? Data(contentsOf: file) else { TargetSelection.fail("cannot read \(file.path)") }
            do {
                try target.body([UInt8](data))
                print("\(file.path): accepted")
            } catch {
                print("\(file.path): \(type(of: error)): \(String(describing: error).prefix(200))")
            }
        }
    }
}
#endif
