// Approximate comparison for numeric tests: |a − e| ≤ atol + rtol·|e| element-wise, reporting the
// worst element so a failure message says where and by how much.

public struct Closeness: CustomStringConvertible, Sendable {
    public let label: String
    public let count: Int
    public let maxAbsDiff: Double
    public let worstIndex: Int
    public let worstActual: Double
    public let worstExpected: Double
    /// The largest |a − e| / (atol + rtol·|e|): ≤ 1 means every element is within tolerance.
    public let worstRatio: Double
    public let atol: Double
    public let rtol: Double
    public let shapeMismatch: Bool

    public var ok: Bool { !shapeMismatch && worstRatio <= 1 && !worstRatio.isNaN }

    public var description: String {
        if shapeMismatch { return "\(label): count mismatch" }
        return "\(label): n=\(count) max|diff|=\(maxAbsDiff) worst at [\(worstIndex)] actual \(worstActual) expected \(worstExpected) (tolerance ratio \(worstRatio), atol \(atol), rtol \(rtol))"
    }
}

/// Compares `actual` with `expected` element-wise with tolerance atol + rtol·|expected|.
public func closeness<A: Collection, E: Collection>(
    _ label: String, _ actual: A, _ expected: E, atol: Double = 1e-5, rtol: Double = 1e-4
) -> Closeness where A.Element: BinaryFloatingPoint, E.Element: BinaryFloatingPoint {
    let a = actual.map { Double($0) }
    let e = expected.map { Double($0) }
    guard a.count == e.count else {
        return Closeness(label: label, count: a.count, maxAbsDiff: .infinity, worstIndex: -1, worstActual: .nan,
                         worstExpected: .nan, worstRatio: .infinity, atol: atol, rtol: rtol, shapeMismatch: true)
    }
    var maxAbs = 0.0, worstRatio = 0.0, worst = 0
    for i in 0..<a.count {
        let d = abs(a[i] - e[i])
        if !(d.isFinite) && a[i] != e[i] {  // NaN or infinite mismatch
            return Closeness(label: label, count: a.count, maxAbsDiff: .nan, worstIndex: i, worstActual: a[i],
                             worstExpected: e[i], worstRatio: .nan, atol: atol, rtol: rtol, shapeMismatch: false)
        }
        if d.isFinite { maxAbs = max(maxAbs, d) }
        let r = d.isFinite ? d / (atol + rtol * abs(e[i])) : 0
        if r > worstRatio { worstRatio = r; worst = i }
    }
    return Closeness(label: label, count: a.count, maxAbsDiff: maxAbs, worstIndex: worst,
                     worstActual: a.isEmpty ? 0 : a[worst], worstExpected: e.isEmpty ? 0 : e[worst],
                     worstRatio: worstRatio, atol: atol, rtol: rtol, shapeMismatch: false)
}
