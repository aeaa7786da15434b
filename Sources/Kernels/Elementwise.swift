// Small element-wise helpers, split across threads.

public enum Elementwise {
    /// y[i] += x[i]
    public static func add(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
        Parallel.chunks(count, minPerChunk: 8192) { _, r in
            for i in r { y[i] += x[i] }
        }
    }

    /// y[i] = x[i]
    public static func copy(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
        Parallel.chunks(count, minPerChunk: 65536) { _, r in
            (y + r.lowerBound).update(from: x + r.lowerBound, count: r.count)
        }
    }

    /// y[i] = 0
    public static func zero(_ y: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.chunks(count, minPerChunk: 65536) { _, r in
            (y + r.lowerBound).update(repeating: 0, count: r.count)
        }
    }
}
