// Optional wall-clock accounting of the encoder's stages, for benchmarks and tuning: enabled by
// MIRROR_BERT_PROFILE=1 (or `Profiler.enabled = true`); `Profiler.report()` gives a table.
// Disabled, a section costs one branch.

import Foundation

public enum Profiler {
    nonisolated(unsafe) public static var enabled = ProcessInfo.processInfo.environment["MIRROR_BERT_PROFILE"] == "1"
    nonisolated(unsafe) private static var totals: [String: (seconds: Double, calls: Int)] = [:]
    nonisolated(unsafe) private static var order: [String] = []

    @inline(__always)
    public static func section<R>(_ name: StaticString, _ body: () throws -> R) rethrows -> R {
        guard enabled else { return try body() }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = try body()
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let key = "\(name)"
        if totals[key] == nil { order.append(key) }
        totals[key, default: (0, 0)].seconds += dt
        totals[key, default: (0, 0)].calls += 1
        return r
    }

    public static func reset() { totals = [:]; order = [] }

    /// Seconds per section, largest first, with shares of the total.
    public static func report() -> String {
        let total = totals.values.reduce(0) { $0 + $1.seconds }
        guard total > 0 else { return "profile: nothing recorded (set MIRROR_BERT_PROFILE=1)" }
        var lines = ["section                      seconds   share   calls"]
        for key in order.sorted(by: { totals[$0]!.seconds > totals[$1]!.seconds }) {
            let v = totals[key]!
            lines.append(key.padding(toLength: 28, withPad: " ", startingAt: 0)
                + String(format: " %8.3f  %5.1f%%  %6d", v.seconds, 100 * v.seconds / total, v.calls))
        }
        lines.append(String(format: "total                        %8.3f", total))
        return lines.joined(separator: "\n")
    }
}
