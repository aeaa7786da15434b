// Work splitting across cores, on the OpenMP threads oneDNN's products use (COneDNN parallel.c).
// Splits are a pure function of the work size and the thread count (never of timing), so results
// are bit-identical from run to run on one machine.

import COneDNN
import Foundation

public enum Parallel {
    /// Threads used by the element-wise kernels (default: the active processor count).
    nonisolated(unsafe) public static var threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body(chunkIndex, range)` for `threads` contiguous chunks of 0..<count, concurrently.
    /// Work smaller than `minPerChunk` per chunk runs on fewer chunks (possibly inline).
    @inline(__always)
    public static func chunks(_ count: Int, minPerChunk: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        let n = chunkCount(count, minPerChunk: minPerChunk)
        if n <= 1 {
            if count > 0 { body(0, 0..<count) }
            return
        }
        run(n) { c in body(c, chunkRange(c, of: n, count: count)) }
    }

    /// Calls `body(i)` for i in 0..<count concurrently (count is small: one task per thread).
    @inline(__always)
    public static func each(_ count: Int, _ body: (Int) -> Void) {
        if count == 1 { body(0); return }
        run(count, body)
    }

    /// Runs body(0..<n) on the OpenMP team oneDNN's products use (see openmp_team.h: a second
    /// pool would fight oneDNN's spinning threads for the cores).
    private static func run(_ n: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            var call = body
            withUnsafeMutablePointer(to: &call) { pointer in
                od_parallel_for(Int32(n), { context, i in
                    guard let context else { return }  // always the pointer passed below
                    context.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(i))
                }, pointer)
            }
        }
    }

    /// How many chunks `chunks(count, minPerChunk:)` uses.
    public static func chunkCount(_ count: Int, minPerChunk: Int = 1) -> Int {
        max(1, min(threads, count / max(1, minPerChunk)))
    }

    /// The c-th of n near-equal contiguous chunks of 0..<count.
    @inline(__always)
    public static func chunkRange(_ c: Int, of n: Int, count: Int) -> Range<Int> {
        (c * count / n)..<((c + 1) * count / n)
    }
}
