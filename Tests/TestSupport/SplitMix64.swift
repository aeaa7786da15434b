// SplitMix64 (Steele, Lea, Flood 2014), the seeded generator of test data that other tools can
// reproduce: Scripts/reference/record_evaluation_fixtures.py draws the same sequence operation
// for operation, so fixtures made from it stay valid.

/// A seeded SplitMix64 stream.
public struct SplitMix64 {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A double in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) / 9_007_199_254_740_992.0 }

    /// A float in [-1, 1) with 24 random bits.
    public mutating func signedUnit() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
}
