// Seeded randomness. Two generators:
// - `Rng`: a sequential xoshiro256** stream (shuffles, span-mask draws, drophead), seeded with
//   SplitMix64 so any UInt64 seed gives a well-mixed state.
// - `CounterRng`: a stateless hash of (seed, stream, index) → uniform, used for dropout masks so
//   that element i's draw does not depend on how the work is split across threads, and the backward
//   pass can regenerate the forward's mask instead of storing it.

/// SplitMix64 step: the standard 64-bit finalizer (Steele, Lea, Flood 2014).
@inline(__always)
public func splitMix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// xoshiro256** (Blackman & Vigna), a fast sequential generator with a 256-bit state.
public struct Rng: Sendable, Equatable {
    public var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var s = seed
        var words: [UInt64] = []
        for _ in 0..<4 {
            s = s &+ 0x9E37_79B9_7F4A_7C15
            words.append(splitMix64(s &- 0x9E37_79B9_7F4A_7C15))
        }
        state = (words[0], words[1], words[2], words[3])
    }

    public static func == (a: Rng, b: Rng) -> Bool {
        a.state.0 == b.state.0 && a.state.1 == b.state.1 && a.state.2 == b.state.2 && a.state.3 == b.state.3
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    /// Uniform integer in [0, bound), unbiased (Lemire's multiply-and-reject).
    public mutating func int(below bound: Int) -> Int {
        precondition(bound > 0, "Rng.int(below:) needs a positive bound")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Uniform Float in [0, 1) with 24 random bits.
    public mutating func uniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Fisher–Yates shuffle of `array` in place.
    public mutating func shuffle<T>(_ array: inout [T]) {
        if array.count < 2 { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = int(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }

    /// A new generator seeded from this one's stream (for independent sub-streams).
    public mutating func fork() -> Rng { Rng(seed: next()) }
}

@inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

/// Stateless uniform draws: u(seed, stream, index) ∈ [0, 1), identical however work is split.
public struct CounterRng: Sendable, Equatable {
    public let seed: UInt64
    public init(seed: UInt64) { self.seed = seed }

    /// The 64-bit hash of (seed, stream, index).
    @inline(__always)
    public func bits(stream: UInt64, index: UInt64) -> UInt64 {
        splitMix64(splitMix64(seed ^ (stream &* 0xD6E8_FEB8_6659_FD93)) ^ index)
    }

    /// Uniform Float in [0, 1) with 24 random bits.
    @inline(__always)
    public func uniform(stream: UInt64, index: UInt64) -> Float {
        Float(bits(stream: stream, index: index) >> 40) * (1.0 / 16_777_216.0)
    }
}
