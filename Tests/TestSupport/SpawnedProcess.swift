// A child process started without waiting, for tests that signal it mid-run (SIGINT, SIGKILL) or
// measure its peak memory: posix_spawn, stdout and stderr to files, and while waiting the child's
// VmHWM (peak resident set) polled from /proc every 10 ms. (wait4's ru_maxrss is no use here:
// Linux carries the pre-exec high-water mark over exec, and posix_spawn's pre-exec child shares
// the test process's memory, so it would report the test process's size.)

import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class SpawnedProcess {
    public let pid: pid_t
    public let stdoutURL: URL
    public let stderrURL: URL

    /// How the process ended.
    public struct Exit: CustomStringConvertible, Sendable {
        /// The exit status, or nil if a signal ended it.
        public let status: Int32?
        /// The signal that ended it, or nil.
        public let signal: Int32?
        /// Peak resident set size in KiB (VmHWM, last read before the process ended).
        public let maxRSSKiB: Int
        public var description: String {
            signal.map { "killed by signal \($0)" } ?? "exit \(status ?? -1)" + ", peak RSS \(maxRSSKiB) KiB"
        }
    }

    /// Starts `executable args…` with `environment` added to this process's, writing its stdout
    /// and stderr to the given files (stdin is /dev/null).
    public init(_ executable: URL, _ args: [String], environment: [String: String] = [:],
                stdout: URL, stderr: URL) throws {
        stdoutURL = stdout
        stderrURL = stderr
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([executable.path] + args).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable.path, &actions, nil, argv, envp)
        guard rc == 0 else {
            throw NSError(domain: "SpawnedProcess", code: Int(rc),
                          userInfo: [NSLocalizedDescriptionKey: "posix_spawn \(executable.path): \(String(cString: strerror(rc)))"])
        }
        self.pid = pid
    }

    /// Starts the `mirror-bert` executable built with the tests.
    public static func mirrorBERT(_ args: [String], environment: [String: String] = [:], logs: URL,
                                  name: String = "run") throws -> SpawnedProcess {
        try SpawnedProcess(MirrorBERTExecutable.url, args, environment: environment,
                           stdout: logs.appendingPathComponent("\(name).stdout"), stderr: logs.appendingPathComponent("\(name).stderr"))
    }

    public func send(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the process to end.
    public func wait() -> Exit {
        var status: Int32 = 0
        var peak = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { break }
            if let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
               let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
               let kib = Int(line.split(separator: " ").dropFirst().first ?? "") {
                peak = max(peak, kib)
            }
            usleep(10_000)
        }
        let termSignal = status & 0x7F
        return Exit(status: termSignal == 0 ? (status >> 8) & 0xFF : nil, signal: termSignal == 0 ? nil : termSignal,
                    maxRSSKiB: peak)
    }

    public var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
}

/// Polls `condition` every 20 ms until it holds or `timeout` seconds pass; returns whether it held.
public func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}
