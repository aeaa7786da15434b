// Progress and messages on stderr; results go to stdout or files.

import Foundation

enum Console {
    static let isTerminal = isatty(2) != 0

    static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

/// A one-line progress display on stderr: redrawn in place on a terminal, otherwise a line every
/// few seconds (so logs stay readable).
final class Progress {
    let label: String
    let total: Int
    let start = Date()
    private var lastPrint = Date.distantPast
    private var shown = false

    init(_ label: String, total: Int) { self.label = label; self.total = total }

    func update(_ done: Int, extra: String = "") {
        let now = Date()
        let interval = Console.isTerminal ? 0.1 : 5.0
        guard now.timeIntervalSince(lastPrint) >= interval || done == total else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let pct = total > 0 ? 100 * done / total : 100
        let speed = rate >= 1 || rate == 0 ? String(format: "%.1f/s", rate) : String(format: "%.1f s/it", 1 / rate)
        var line = "\(label) \(done)/\(total) (\(pct)%) \(speed) ETA \(formatDuration(eta))"
        if !extra.isEmpty { line += " " + extra }
        if Console.isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            shown = true
        } else {
            Console.note(line)
        }
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\n".utf8)); shown = false }
    }
}

func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
    if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return "\(s)s"
}
