// Which fuzz target this process runs, from the environment (libFuzzer owns the command line):
//   FUZZ_TARGET=<name>          the target (Fuzz/Targets/Targets.swift lists them)
//   FUZZ_ROOT=<repository>      where its seed files are (default: the current directory)
//   FUZZ_COMMAND=list           print the target names, one a line, and exit
//   FUZZ_COMMAND=describe       print the target's libFuzzer settings ("max_len=N dictionaries=a,b")
//   FUZZ_COMMAND=seeds:<dir>    write the target's seeds (both kinds) to <dir>/seed-NNN and exit
// Scripts/fuzz.sh uses the commands to build libFuzzer's flags and seed folder, so a target's
// seeds, size limit and dictionaries are defined once, in Fuzz/Targets.

import Foundation
import FuzzTargets

enum TargetSelection {
    /// The target named by FUZZ_TARGET; runs a FUZZ_COMMAND and exits instead, if one is given.
    static func fromEnvironment() -> FuzzTarget {
        let env = ProcessInfo.processInfo.environment
        let root = URL(fileURLWithPath: env["FUZZ_ROOT"] ?? FileManager.default.currentDirectoryPath)
        let command = env["FUZZ_COMMAND"] ?? ""
        if command == "list" {
            print(FuzzTargets.names.joined(separator: "\n"))
            exit(0)
        }
        guard let name = env["FUZZ_TARGET"], let target = FuzzTargets.named(name, root: root) else {
            fail("set FUZZ_TARGET to one of: \(FuzzTargets.names.joined(separator: ", "))")
        }
        switch command {
        case "":
            return target
        case "describe":
            print("max_len=\(target.maxSize) dictionaries=\(target.dictionaries.joined(separator: ","))")
            exit(0)
        case let c where c.hasPrefix("seeds:"):
            writeSeeds(target, to: URL(fileURLWithPath: String(c.dropFirst("seeds:".count))))
            exit(0)
        default:
            fail("unknown FUZZ_COMMAND \"\(command)\" (list, describe or seeds:<dir>)")
        }
    }

    static func writeSeeds(_ target: FuzzTarget, to dir: URL) {
        // No seeds means the repository's files are missing (wrong FUZZ_ROOT): say so rather than
        // fuzz from nothing.
        guard !target.seeds.isEmpty else { fail("\(target.name) has no seeds under FUZZ_ROOT (run from the repository)") }
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for (i, seed) in (target.seeds + target.refusedSeeds).enumerated() {
                try Data(seed).write(to: dir.appendingPathComponent(String(format: "seed-%03d", i)))
            }
        } catch {
            fail("cannot write the seeds to \(dir.path): \(error)")
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("mirror-bert-fuzz: \(message)\n".utf8))
        exit(2)
    }
}
