// Scalar (int8, uint8) and binary (binary, ubinary) quantization of float32 embeddings, exactly as
// sentence-transformers 6.2's `quantize_embeddings(embeddings, precision, calibration_embeddings=C)`
// (sentence_transformers/util/quantization.py) computes it with numpy 2.x, all in float32:
//   ranges  = (min over C's rows, max over C's rows)          per dimension, shape (2, D)
//   start   = ranges[0];  step = (ranges[1] − start) / 255;  step = 1 where step == 0
//   q       = clip(floor((x − start) / step), 0, 255)        float32, in this order of operations
//   uint8   = q;   int8 = q − 128
// A value outside the calibration range saturates (clip): below the minimum gives 0 (int8 −128),
// above the maximum 255 (int8 127); ±inf likewise. (sentence-transformers ≤ 3 instead cast
// `(x − start) / step − 128` straight to int8, which wrapped: not what is mirrored here.)
//   ubinary = np.packbits(x > 0, axis=−1): bit 7 of byte k is dimension 8k, bit 0 is 8k+7;
//             the last byte is padded with 0 bits when D is not a multiple of 8 → ⌈D/8⌉ bytes
//   binary  = (ubinary − 128).astype(int8): uint8 arithmetic wrapping mod 256, then the same bits
//             read as int8, so binary = ubinary − 128 ∈ [−128, 127] (the bit pattern ubinary ^ 0x80).
// x > 0 is false for 0, −0 and NaN. A NaN cannot be scalar-quantized (numpy's cast of NaN to an
// integer is undefined), so int8/uint8 refuse it; calibration values must be finite (an infinite
// range gives step = inf and (x − start) / step = NaN).

/// The precisions of sentence-transformers' `quantize_embeddings` other than float32.
public enum QuantizationPrecision: String, CaseIterable, Sendable {
    case int8, uint8, binary, ubinary

    /// int8 and uint8 need per-dimension ranges from calibration embeddings.
    public var needsRanges: Bool { self == .int8 || self == .uint8 }

    /// int8 and binary are stored as signed bytes (numpy int8), the others as uint8.
    public var isSigned: Bool { self == .int8 || self == .binary }

    /// Bytes per embedding of `dimension` floats: D, or ⌈D/8⌉ for the packed bits.
    public func columns(dimension: Int) -> Int { needsRanges ? dimension : (dimension + 7) / 8 }
}

/// Problems quantizing embeddings, each naming the row and column (0-based).
public enum QuantizationError: Error, CustomStringConvertible, Equatable {
    /// int8/uint8 without calibration ranges.
    case rangesRequired(QuantizationPrecision)
    /// Ranges taken from no embedding at all.
    case emptyCalibration
    /// (x − start) / step is NaN for this embedding value: x is NaN (or the range overflowed).
    case notANumber(row: Int, column: Int)
    /// A NaN or infinite value in a calibration embedding.
    case nonFiniteCalibration(row: Int, column: Int, value: Float)

    public var description: String {
        switch self {
        case let .rangesRequired(p):
            return "\(p.rawValue) quantization needs per-dimension ranges from calibration embeddings"
        case .emptyCalibration: return "no calibration embeddings: the quantization ranges are undefined"
        case let .notANumber(row, column):
            return "embedding row \(row), dimension \(column): (x − start) / step is NaN, which has no quantized value"
        case let .nonFiniteCalibration(row, column, value):
            return "calibration embedding row \(row), dimension \(column) is \(value): the ranges must be finite"
        }
    }
}

/// Per-dimension minimum and maximum of calibration embeddings (`_get_quantization_ranges`),
/// accumulated a block of rows at a time so that the calibration set is never held whole.
public struct QuantizationRanges: Sendable, Equatable {
    public let dimension: Int
    public private(set) var minimum: [Float]
    public private(set) var maximum: [Float]
    /// Rows included so far.
    public private(set) var rows = 0

    public init(dimension: Int) {
        precondition(dimension > 0, "QuantizationRanges: dimension \(dimension)")
        self.dimension = dimension
        minimum = [Float](repeating: .infinity, count: dimension)
        maximum = [Float](repeating: -.infinity, count: dimension)
    }

    /// Includes x (count, dimension); a NaN or infinity throws `QuantizationError.nonFiniteCalibration`
    /// (row counted from the first row ever included) and leaves the ranges as they were.
    public mutating func include(_ x: UnsafePointer<Float>, count: Int) throws {
        let D = dimension
        for r in 0..<count {
            for j in 0..<D where !x[r * D + j].isFinite {
                throw QuantizationError.nonFiniteCalibration(row: rows + r, column: j, value: x[r * D + j])
            }
        }
        for r in 0..<count {
            let row = x + r * D
            for j in 0..<D {
                minimum[j] = Swift.min(minimum[j], row[j])
                maximum[j] = Swift.max(maximum[j], row[j])
            }
        }
        rows += count
    }
}

/// Quantizes float32 embeddings of one dimension to one precision.
public struct EmbeddingQuantizer: Sendable {
    public let precision: QuantizationPrecision
    public let dimension: Int
    /// int8/uint8 only: ranges[0] and the float32 step per dimension (1 where the range is empty).
    private let starts: [Float]
    private let steps: [Float]

    /// `ranges` is required for int8/uint8 (and must have `dimension` columns) and ignored by
    /// binary/ubinary, which need none.
    public init(precision: QuantizationPrecision, dimension: Int, ranges: QuantizationRanges? = nil) throws {
        precondition(dimension > 0, "EmbeddingQuantizer: dimension \(dimension)")
        self.precision = precision
        self.dimension = dimension
        guard precision.needsRanges else { starts = []; steps = []; return }
        guard let ranges else { throw QuantizationError.rangesRequired(precision) }
        guard ranges.rows > 0 else { throw QuantizationError.emptyCalibration }
        precondition(ranges.dimension == dimension, "ranges of \(ranges.dimension) dimensions for \(dimension)")
        starts = ranges.minimum
        steps = (0..<dimension).map { j in
            let step = (ranges.maximum[j] - ranges.minimum[j]) / 255
            return step == 0 ? 1 : step
        }
    }

    /// Bytes per quantized embedding.
    public var columns: Int { precision.columns(dimension: dimension) }

    /// out (rows, columns) ← x (rows, dimension), for int8 and binary.
    public func quantize(_ x: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Int8>) throws {
        precondition(precision.isSigned, "\(precision.rawValue) is stored as uint8")
        try quantizeBytes(x, rows: rows) { i, byte in out[i] = Int8(bitPattern: byte ^ 0x80) }
    }

    /// out (rows, columns) ← x (rows, dimension), for uint8 and ubinary.
    public func quantize(_ x: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<UInt8>) throws {
        precondition(!precision.isSigned, "\(precision.rawValue) is stored as int8")
        try quantizeBytes(x, rows: rows) { i, byte in out[i] = byte }
    }

    /// The unsigned byte of each output element (q for scalar, the packed bits for binary),
    /// which the signed precisions shift by −128 (= flipping bit 7).
    private func quantizeBytes(_ x: UnsafePointer<Float>, rows: Int, _ store: (Int, UInt8) -> Void) throws {
        let D = dimension, C = columns
        if precision.needsRanges {
            for r in 0..<rows {
                let row = x + r * D
                for j in 0..<D {
                    let q = ((row[j] - starts[j]) / steps[j]).rounded(.down)
                    guard !q.isNaN else { throw QuantizationError.notANumber(row: r, column: j) }
                    store(r * C + j, UInt8(Swift.min(Swift.max(q, 0), 255)))
                }
            }
        } else {
            for r in 0..<rows {
                let row = x + r * D
                for k in 0..<C {
                    var byte: UInt8 = 0
                    for b in 0..<8 where 8 * k + b < D && row[8 * k + b] > 0 { byte |= 0x80 >> UInt8(b) }
                    store(r * C + k, byte)
                }
            }
        }
    }
}
