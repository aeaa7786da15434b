// Runs the built `mirror-bert` executable (it sits next to the test bundle), or any other
// program, and captures its exit status, stdout and stderr.

import Foundation

public struct CommandResult: CustomStringConvertible, Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    public var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

public enum MirrorBERTExecutable {
    /// The executable built alongside the tests.
    public static var url: URL {
        let exe = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                      ?? CommandLine.arguments[0])
        var dir = exe.deletingLastPathComponent()
        // On Linux the test bundle is an executable in the build folder; on macOS a bundle inside it.
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("mirror-bert")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return exe.deletingLastPathComponent().appendingPathComponent("mirror-bert")
    }

    /// Runs `mirror-bert args…` in `directory` with `stdin`, waiting for it to exit.
    public static func run(_ args: [String], stdin: Data? = nil, in directory: URL? = nil,
                           environment: [String: String] = [:]) throws -> CommandResult {
        try Subprocess.run(url, args, stdin: stdin, in: directory, environment: environment)
    }
}

public enum Subprocess {
    /// Runs `executable args…` in `directory` with `stdin` and `environment` added to ours,
    /// waiting for it to exit; stdout and stderr are read concurrently, so a full pipe cannot
    /// block the child.
    public static func run(_ executable: URL, _ args: [String], stdin: Data? = nil, in directory: URL? = nil,
                           environment: [String: String] = [:]) throws -> CommandResult {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        if let directory { p.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        if let stdin { inp.fileHandleForWriting.write(stdin) }
        try inp.fileHandleForWriting.close()
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return CommandResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errBox.data, as: UTF8.self))
    }

    /// `python3 args…` found on the PATH.
    public static func python(_ args: [String], stdin: Data? = nil) throws -> CommandResult {
        try run(URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + args, stdin: stdin)
    }
}
