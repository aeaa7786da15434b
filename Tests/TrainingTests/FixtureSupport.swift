// Loading the fixtures that Scripts/reference/record_training_fixtures.py records under
// Tests/Fixtures/training/.

import Foundation
import TestSupport

enum TrainingFixture {
    /// Decodes Tests/Fixtures/training/`name` as JSON.
    static func json<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let data = try Data(contentsOf: TestPaths.fixture("training/\(name)"))
        return try JSONDecoder().decode(T.self, from: data)
    }

    /// Tests/Fixtures/training/`name` as little-endian float32 values.
    static func floats(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: TestPaths.fixture("training/\(name)"))
        precondition(data.count % 4 == 0, "\(name): not a whole number of float32 values")
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
            }
        }
    }
}

/// max|a − e| / max|e|: the error relative to the size of the expected tensor.
func normRelativeError<A: Collection, E: Collection>(_ a: A, _ e: E) -> Double
where A.Element: BinaryFloatingPoint, E.Element: BinaryFloatingPoint {
    var diff = 0.0, scale = 0.0
    for (x, y) in zip(a, e) {
        diff = max(diff, abs(Double(x) - Double(y)))
        scale = max(scale, abs(Double(y)))
    }
    return scale == 0 ? diff : diff / scale
}
