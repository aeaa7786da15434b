// A parser of outside data under fuzzing: its seeds (real files from the repository) and a body
// that feeds it one input. A thrown error is the expected outcome for a bad input; a crash (trap,
// precondition, out-of-bounds), a hang or an allocation without bound is a bug. `FuzzSession` runs
// a target for a number of inputs or a time budget and counts outcomes by error type.

import Foundation

public struct FuzzTarget: @unchecked Sendable {
    public let name: String
    /// Seed inputs; mutations start from these.
    public let seeds: [[UInt8]]
    /// Inputs are cut to this size.
    public let maxSize: Int
    /// Parses one input; throwing is fine.
    public let body: ([UInt8]) throws -> Void

    public init(name: String, seeds: [[UInt8]], maxSize: Int = 1 << 20, body: @escaping ([UInt8]) throws -> Void) {
        self.name = name; self.seeds = seeds; self.maxSize = maxSize; self.body = body
    }
}

/// What a run of one target found.
public struct FuzzReport: CustomStringConvertible, Sendable {
    public let target: String
    public var executions = 0
    public var accepted = 0
    /// Error type → count (e.g. "SafeTensorsError.headerNotJSON").
    public var rejections: [String: Int] = [:]
    public var seconds: Double = 0
    public var slowest: Double = 0

    public var description: String {
        let rate = seconds > 0 ? Double(executions) / seconds : 0
        let kinds = rejections.sorted { $0.value > $1.value }.prefix(6).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return String(format: "%-14@ %9d execs in %6.1f s (%7.0f/s), %d accepted, %d distinct errors, slowest input %.3f s",
                      target as NSString, executions, seconds, rate, accepted, rejections.count, slowest)
            + (kinds.isEmpty ? "" : "\n    top errors: \(kinds)")
    }
}

public enum FuzzSession {
    /// Runs `target` on every seed, then on mutants until `executions` inputs or `seconds` have been
    /// spent (whichever comes first). `onInput` sees each input before it is parsed (the runner
    /// saves it, so a crash leaves the input that caused it on disk).
    public static func run(_ target: FuzzTarget, executions: Int = .max, seconds: Double = .infinity, seed: UInt64 = 1,
                           onInput: (([UInt8]) -> Void)? = nil,
                           onSlow: ((_ input: [UInt8], _ seconds: Double) -> Void)? = nil) -> FuzzReport {
        var report = FuzzReport(target: target.name)
        var rng = FuzzRng(seed: seed ^ 0x5EED)
        var corpus = target.seeds.isEmpty ? [[]] : target.seeds
        let start = Date()
        var i = 0
        while report.executions < executions {
            let input: [UInt8]
            if i < target.seeds.count {
                input = target.seeds[i]
            } else {
                let base = corpus[rng.below(corpus.count)]
                input = Mutator.mutate(base, others: target.seeds, rng: &rng, maxSize: target.maxSize)
            }
            i += 1
            onInput?(input)
            let t0 = Date()
            do {
                try target.body(input)
                report.accepted += 1
                // Accepted mutants are kept as new starting points (a small corpus, bounded).
                if i > target.seeds.count && corpus.count < 256 { corpus.append(input) }
            } catch {
                report.rejections[errorKind(error), default: 0] += 1
            }
            let dt = Date().timeIntervalSince(t0)
            if dt > 0.5 { onSlow?(input, dt) }
            report.slowest = max(report.slowest, dt)
            report.executions += 1
            if report.executions % 16 == 0 && Date().timeIntervalSince(start) >= seconds { break }
        }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    /// "Type.case" for an error.
    static func errorKind(_ error: Error) -> String {
        let type = String(describing: Swift.type(of: error))
        let mirror = Mirror(reflecting: error)
        if mirror.displayStyle == .enum, let label = mirror.children.first?.label { return type + "." + label }
        return type
    }
}
