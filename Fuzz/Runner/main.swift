// mirror-bert-fuzz: runs the fuzz targets (Fuzz/Targets) for a time budget and prints executions
// per parser. Usage: mirror-bert-fuzz [--seconds N per target] [--target NAME]… [--seed S] [--root DIR]
// Each input is written to <root>/.build/fuzz/current-<target> before it is parsed, so after a
// crash that file holds the input that caused it. Memory is capped (RLIMIT_AS, 8 GiB) so an
// allocation without bound crashes instead of swapping.

import Foundation
import FuzzTargets
#if canImport(Glibc)
import Glibc
#endif

var seconds = 10.0
var names: [String] = []
var seed: UInt64 = UInt64(Date().timeIntervalSince1970)
var root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--seconds": seconds = Double(args.popFirst() ?? "") ?? seconds
    case "--target": names.append(args.popFirst() ?? "")
    case "--seed": seed = UInt64(args.popFirst() ?? "") ?? seed
    case "--root": root = URL(fileURLWithPath: args.popFirst() ?? ".")
    default:
        FileHandle.standardError.write(Data("usage: mirror-bert-fuzz [--seconds N] [--target NAME]... [--seed S] [--root DIR]\n".utf8))
        exit(2)
    }
}

var limit = rlimit(rlim_cur: 8 << 30, rlim_max: 8 << 30)
setrlimit(Int32(RLIMIT_AS.rawValue), &limit)

let all = FuzzTargets.all(root: root)
let chosen = names.isEmpty ? all : all.filter { names.contains($0.name) }
guard !chosen.isEmpty else {
    print("no such target; targets: \(all.map(\.name).joined(separator: ", "))")
    exit(2)
}
let crashDir = root.appendingPathComponent(".build/fuzz")
try? FileManager.default.createDirectory(at: crashDir, withIntermediateDirectories: true)
print("fuzzing \(chosen.count) parsers, \(seconds) s each, seed \(seed)")
var total = 0
for target in chosen {
    let current = crashDir.appendingPathComponent("current-\(target.name)")
    let fd = open(current.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var slow = 0
    let report = FuzzSession.run(target, seconds: seconds, seed: seed, onInput: { input in
        // Kept up to date cheaply: rewritten in place (the file holds the last input tried).
        _ = ftruncate(fd, 0)
        _ = input.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }, onSlow: { input, seconds in
        slow += 1
        let url = crashDir.appendingPathComponent("slow-\(target.name)-\(slow)")
        try? Data(input).write(to: url)
        print(String(format: "    slow input (%.2f s) saved to %@", seconds, url.path))
    })
    close(fd)
    try? FileManager.default.removeItem(at: current)
    total += report.executions
    print(report)
    if report.slowest > 1 { print("    warning: an input took \(report.slowest) s") }
}
print("\(total) executions, no crash")
