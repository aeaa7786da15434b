// Inverted dropout (PyTorch nn.Dropout in training mode): keep with probability 1 − p and scale
// kept values by 1/(1 − p). The mask of element i in `stream` is a pure function of
// (seed, stream, i), so the backward pass regenerates it instead of storing it.

import CKernels

public struct DropoutSite: Sendable, Equatable {
    public var p: Float
    public var seed: UInt64
    public var stream: UInt64
    public init(p: Float, seed: UInt64, stream: UInt64) { self.p = p; self.seed = seed; self.stream = stream }
    public var isActive: Bool { p > 0 }
}

public enum Dropout {
    /// y = x·mask/(1 − p) for elements [first, first + count) of the site; x may alias y.
    public static func forward(y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, count: Int,
                               site: DropoutSite, first: Int = 0) {
        precondition(site.p >= 0 && site.p < 1, "dropout probability must be in [0, 1)")
        Parallel.chunks(count, minPerChunk: 4096) { _, r in
            ck_dropout_forward(y + r.lowerBound, x + r.lowerBound, r.count, site.p, site.seed, site.stream,
                               UInt64(first + r.lowerBound))
        }
    }

    /// dx (+)= dy·mask/(1 − p), regenerating the forward's mask.
    public static func backward(dx: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>, count: Int,
                                site: DropoutSite, first: Int = 0, accumulate: Bool) {
        Parallel.chunks(count, minPerChunk: 4096) { _, r in
            ck_dropout_backward(dx + r.lowerBound, dy + r.lowerBound, r.count, site.p, site.seed, site.stream,
                                UInt64(first + r.lowerBound), accumulate ? 1 : 0)
        }
    }

    /// Single-threaded variants for callers that already split the work (e.g. per attention head).
    @inline(__always)
    public static func forwardSerial(y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, count: Int,
                                     site: DropoutSite, first: Int) {
        ck_dropout_forward(y, x, count, site.p, site.seed, site.stream, UInt64(first))
    }

    @inline(__always)
    public static func backwardSerial(dx: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>, count: Int,
                                      site: DropoutSite, first: Int, accumulate: Bool) {
        ck_dropout_backward(dx, dy, count, site.p, site.seed, site.stream, UInt64(first), accumulate ? 1 : 0)
    }
}
