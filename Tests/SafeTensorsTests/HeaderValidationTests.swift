// One test per malformation the reader must refuse, plus the edge cases it must accept.

import Foundation
import Testing
@testable import SafeTensors

/// The error reading `data` throws, or nil if it reads.
private func rejection(_ data: Data) -> SafeTensorsError? {
    do {
        _ = try SafeTensorsFile(data: data, path: testPath)
        return nil
    } catch let e as SafeTensorsError {
        return e
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}

/// The offset and reason of a headerNotJSON rejection, or nil.
private func jsonRejection(_ header: String) -> (offset: Int, reason: String)? {
    if case let .headerNotJSON(path, offset, reason) = rejection(stFile(header)), path == testPath {
        return (offset, reason)
    }
    return nil
}

private let four = [UInt8](repeating: 0, count: 4)
private let eight = [UInt8](repeating: 0, count: 8)

@Suite struct FramingTests {
    @Test func fileShorterThanEightBytes() {
        #expect(rejection(Data()) == .fileTooShort(path: testPath, size: 0))
        #expect(rejection(Data([1, 0, 0, 0, 0, 0, 0])) == .fileTooShort(path: testPath, size: 7))
    }

    @Test func absurdHeaderLength() {
        #expect(rejection(stFile("{}", length: 100_000_001)) == .headerTooLarge(path: testPath, length: 100_000_001))
        #expect(rejection(stFile("{}", length: .max)) == .headerTooLarge(path: testPath, length: .max))
    }

    @Test func headerLengthPastEndOfFile() {
        #expect(rejection(stFile("{}", length: 3)) == .headerPastEndOfFile(path: testPath, length: 3, fileSize: 10))
        #expect(rejection(stFile("", length: 1)) == .headerPastEndOfFile(path: testPath, length: 1, fileSize: 8))
    }

    @Test func headerNotUTF8() {
        let header = Array("{\"a".utf8) + [0xFF] + Array("\":{}}".utf8)
        #expect(rejection(stFile(bytes: header)) == .headerNotUTF8(path: testPath, offset: 3))
        // Overlong "/" and an encoded surrogate are invalid UTF-8 too.
        #expect(rejection(stFile(bytes: Array("{\"".utf8) + [0xC0, 0xAF] + Array("\":1}".utf8)))
                == .headerNotUTF8(path: testPath, offset: 2))
        #expect(rejection(stFile(bytes: Array("{\"é".utf8) + [0xED, 0xA0, 0x80] + Array("\":1}".utf8)))
                == .headerNotUTF8(path: testPath, offset: 4))
    }

    @Test func headerNotJSON() {
        #expect(jsonRejection("")?.offset == 0)
        #expect(jsonRejection("{")?.offset == 1)
        #expect(jsonRejection("{\"a\":}")?.offset == 5)
        #expect(jsonRejection("{} x")?.offset == 3)
        #expect(jsonRejection("{}\0")?.offset == 2)            // NUL is not whitespace
        #expect(jsonRejection("{'a':1}") != nil)               // single quotes
        #expect(jsonRejection("{\"a\":01}") != nil)            // leading zero
        #expect(jsonRejection("{\"a\":NaN}") != nil)
        #expect(jsonRejection("{\"a\":1.}") != nil)
        #expect(jsonRejection("{\"a\":[1,]}") != nil)          // trailing comma
        #expect(jsonRejection("{\"a\":1,}") != nil)
        #expect(jsonRejection("{\"a\tb\":1}") != nil)          // raw control character in a string
        #expect(jsonRejection("{\"\\ud800\":1}") != nil)       // lone surrogate
        #expect(jsonRejection("{\"\\x41\":1}") != nil)         // invalid escape
        #expect(jsonRejection("{\"a\":tru}") != nil)
        let deep = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(jsonRejection(deep)?.reason.contains("nesting") == true)
    }

    @Test func headerNotAnObject() {
        #expect(rejection(stFile("[]")) == .headerNotObject(path: testPath, found: "an array"))
        #expect(rejection(stFile("null  ")) == .headerNotObject(path: testPath, found: "null"))
        #expect(rejection(stFile("\"x\"")) == .headerNotObject(path: testPath, found: "the string \"x\""))
        #expect(rejection(stFile("12")) == .headerNotObject(path: testPath, found: "the number 12"))
    }
}

@Suite struct MetadataValidationTests {
    private func withMetadata(_ m: String) -> Data {
        stFile("{\"__metadata__\":\(m),\(entry("a", shape: "[1]", offsets: "[0,4]"))}", data: four)
    }

    @Test func metadataNotAnObject() {
        #expect(rejection(withMetadata("[]")) == .metadataNotObject(path: testPath, found: "an array"))
        #expect(rejection(withMetadata("\"pt\"")) == .metadataNotObject(path: testPath, found: "the string \"pt\""))
    }

    @Test func metadataValueNotString() {
        #expect(rejection(withMetadata("{\"x\":1}")) == .metadataValueNotString(path: testPath, key: "x", found: "the number 1"))
        #expect(rejection(withMetadata("{\"x\":null}")) == .metadataValueNotString(path: testPath, key: "x", found: "null"))
        #expect(rejection(withMetadata("{\"x\":{}}")) == .metadataValueNotString(path: testPath, key: "x", found: "an object"))
    }

    @Test func duplicateMetadataKey() {
        #expect(rejection(withMetadata("{\"x\":\"1\",\"x\":\"2\"}")) == .duplicateMetadataKey(path: testPath, key: "x"))
    }

    @Test func duplicateMetadata() {
        let d = stFile("{\"__metadata__\":{},\"__metadata__\":{},\(entry("a", shape: "[1]", offsets: "[0,4]"))}", data: four)
        #expect(rejection(d) == .duplicateMetadata(path: testPath))
    }

    @Test func nullMetadataReadsAsNone() throws {
        let f = try SafeTensorsFile(data: withMetadata("null"))
        #expect(f.metadata == [:])
    }
}

@Suite struct TensorEntryValidationTests {
    private func one(_ body: String, data: [UInt8] = four) -> SafeTensorsError? {
        rejection(stFile("{\"w\":\(body)}", data: data))
    }

    @Test func duplicateTensorName() {
        // The Python package keeps the last of identical duplicates; a repeated key is refused here.
        let e = entry("w", shape: "[1]", offsets: "[0,4]")
        #expect(rejection(stFile("{\(e),\(e)}", data: four)) == .duplicateTensor(path: testPath, tensor: "w"))
        let other = entry("w", shape: "[1]", offsets: "[4,8]")
        #expect(rejection(stFile("{\(e),\(other)}", data: eight)) == .duplicateTensor(path: testPath, tensor: "w"))
    }

    @Test func entryNotAnObject() {
        #expect(one("[1]") == .tensorEntryNotObject(path: testPath, tensor: "w", found: "an array"))
        #expect(one("\"F32\"") == .tensorEntryNotObject(path: testPath, tensor: "w", found: "the string \"F32\""))
    }

    @Test func missingFields() {
        #expect(one("{\"shape\":[1],\"data_offsets\":[0,4]}") == .missingField(path: testPath, tensor: "w", field: "dtype"))
        #expect(one("{\"dtype\":\"F32\",\"data_offsets\":[0,4]}") == .missingField(path: testPath, tensor: "w", field: "shape"))
        #expect(one("{\"dtype\":\"F32\",\"shape\":[1]}") == .missingField(path: testPath, tensor: "w", field: "data_offsets"))
    }

    @Test func unexpectedAndDuplicateFields() {
        #expect(one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"strides\":[1]}")
                == .unexpectedField(path: testPath, tensor: "w", field: "strides"))
        #expect(one("{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}")
                == .duplicateField(path: testPath, tensor: "w", field: "dtype"))
    }

    @Test func wrongJSONTypes() {
        let shapeType = "an array of non-negative integers", offsetType = "an array of two non-negative integers"
        #expect(one("{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}")
                == .wrongFieldType(path: testPath, tensor: "w", field: "dtype", expected: "a string", found: "the number 32"))
        #expect(one("{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}")
                == .wrongFieldType(path: testPath, tensor: "w", field: "shape", expected: shapeType, found: "the number 1"))
        #expect(one("{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}")
                == .wrongFieldType(path: testPath, tensor: "w", field: "shape", expected: shapeType, found: "the string \"1\""))
        #expect(one("{\"dtype\":\"F32\",\"shape\":null,\"data_offsets\":[0,4]}")
                == .wrongFieldType(path: testPath, tensor: "w", field: "shape", expected: shapeType, found: "null"))
        #expect(one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}")
                == .wrongFieldType(path: testPath, tensor: "w", field: "data_offsets", expected: offsetType, found: "an array"))
        #expect(one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}")
                == .wrongFieldType(path: testPath, tensor: "w", field: "data_offsets", expected: offsetType, found: "an array"))
        #expect(one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,true]}")
                == .wrongFieldType(path: testPath, tensor: "w", field: "data_offsets", expected: offsetType, found: "true"))
        #expect(one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{\"0\":4}}")
                == .wrongFieldType(path: testPath, tensor: "w", field: "data_offsets", expected: offsetType, found: "an object"))
    }

    @Test func unknownDType() {
        #expect(one("{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}") == .unknownDType(path: testPath, tensor: "w", dtype: "F33"))
        #expect(one("{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}") == .unknownDType(path: testPath, tensor: "w", dtype: "f32"))
    }

    @Test func dimensionsMustBeNonNegativeIntegers() {
        for text in ["-1", "1.0", "1e0", "-0", "18446744073709551616", "9223372036854775808"] {
            #expect(one("{\"dtype\":\"F32\",\"shape\":[\(text)],\"data_offsets\":[0,4]}")
                    == .invalidDimension(path: testPath, tensor: "w", text: text))
        }
    }

    @Test func offsetsMustBeNonNegativeIntegers() {
        for text in ["-4", "4.0", "4E0", "100000000000000000000"] {
            #expect(one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,\(text)]}")
                    == .invalidOffset(path: testPath, tensor: "w", text: text))
        }
    }

    @Test func shapeProductOverflow() {
        let big = 1 << 62
        #expect(one("{\"dtype\":\"F32\",\"shape\":[\(big),4],\"data_offsets\":[0,4]}")
                == .shapeOverflow(path: testPath, tensor: "w", shape: [big, 4]))
        #expect(one("{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}")
                == .shapeOverflow(path: testPath, tensor: "w", shape: [1 << 32, 1 << 32]))
        // 2^62 elements fit in Int, their 2^64 bytes do not; nor do 2^62 F4 elements' bits.
        #expect(one("{\"dtype\":\"F32\",\"shape\":[\(1 << 62)],\"data_offsets\":[0,4]}")
                == .shapeOverflow(path: testPath, tensor: "w", shape: [1 << 62]))
        #expect(one("{\"dtype\":\"F4\",\"shape\":[\(1 << 62)],\"data_offsets\":[0,4]}")
                == .shapeOverflow(path: testPath, tensor: "w", shape: [1 << 62]))
    }

    @Test func hugeConsistentTensorIsRefusedWithoutAllocating() {
        // 2^58 F32 elements = 2^60 bytes, offsets consistent: only the data length gives it away.
        let n = 1 << 58
        #expect(one("{\"dtype\":\"F32\",\"shape\":[\(n)],\"data_offsets\":[0,\(n * 4)]}")
                == .truncatedData(path: testPath, expected: n * 4, actual: 4))
    }

    @Test func packedTypesMustFillWholeBytes() throws {
        #expect(one("{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}", data: [0, 0])
                == .misalignedSubByteTensor(path: testPath, tensor: "w"))
        let ok = try SafeTensorsFile(data: stFile("{\"w\":{\"dtype\":\"F4\",\"shape\":[4],\"data_offsets\":[0,2]}}", data: [0, 0]))
        #expect(ok.info("w")?.byteRange == 0..<2)
        let f6 = try SafeTensorsFile(data: stFile("{\"w\":{\"dtype\":\"F6_E2M3\",\"shape\":[4],\"data_offsets\":[0,3]}}", data: [0, 0, 0]))
        #expect(f6.info("w")?.elementCount == 4)
    }

    @Test func offsetsEndBeforeBegin() {
        #expect(one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}", data: eight)
                == .offsetsReversed(path: testPath, tensor: "w", begin: 8, end: 4))
    }

    @Test func offsetsDisagreeWithShape() {
        #expect(one("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}")
                == .byteLengthMismatch(path: testPath, tensor: "w", expected: 8, actual: 4))
        #expect(one("{\"dtype\":\"F16\",\"shape\":[],\"data_offsets\":[0,4]}")
                == .byteLengthMismatch(path: testPath, tensor: "w", expected: 2, actual: 4))
        #expect(one("{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,4]}")
                == .byteLengthMismatch(path: testPath, tensor: "w", expected: 0, actual: 4))
    }
}

@Suite struct LayoutValidationTests {
    @Test func overlappingTensors() {
        let h = "{\(entry("a", shape: "[2]", offsets: "[0,8]")),\(entry("b", shape: "[2]", offsets: "[4,12]"))}"
        #expect(rejection(stFile(h, data: [UInt8](repeating: 0, count: 12)))
                == .overlappingTensors(path: testPath, tensor: "b", previous: "a"))
        // Same range twice.
        let same = "{\(entry("a", shape: "[1]", offsets: "[0,4]")),\(entry("b", shape: "[1]", offsets: "[0,4]"))}"
        #expect(rejection(stFile(same, data: four)) == .overlappingTensors(path: testPath, tensor: "b", previous: "a"))
        // An empty tensor placed inside another one.
        let inside = "{\(entry("a", shape: "[2]", offsets: "[0,8]")),\(entry("z", shape: "[0]", offsets: "[4,4]"))}"
        #expect(rejection(stFile(inside, data: eight)) == .overlappingTensors(path: testPath, tensor: "z", previous: "a"))
    }

    @Test func gaps() {
        #expect(rejection(stFile("{\(entry("a", shape: "[1]", offsets: "[4,8]"))}", data: eight))
                == .gapBeforeTensor(path: testPath, tensor: "a", from: 0, to: 4))
        let h = "{\(entry("a", shape: "[1]", offsets: "[0,4]")),\(entry("b", shape: "[1]", offsets: "[8,12]"))}"
        #expect(rejection(stFile(h, data: [UInt8](repeating: 0, count: 12)))
                == .gapBeforeTensor(path: testPath, tensor: "b", from: 4, to: 8))
    }

    @Test func bufferShorterOrLongerThanLastOffset() {
        let h = "{\(entry("a", shape: "[2]", offsets: "[0,8]"))}"
        #expect(rejection(stFile(h, data: [0, 0, 0, 0, 0, 0, 0])) == .truncatedData(path: testPath, expected: 8, actual: 7))
        #expect(rejection(stFile(h, data: [UInt8](repeating: 0, count: 9))) == .trailingData(path: testPath, expected: 8, actual: 9))
        #expect(rejection(stFile("{}", data: [0])) == .trailingData(path: testPath, expected: 0, actual: 1))
    }

    @Test func orderInHeaderDoesNotMatterOnlyOffsets() throws {
        let h = "{\(entry("b", shape: "[1]", offsets: "[4,8]")),\(entry("a", shape: "[1]", offsets: "[0,4]"))}"
        let f = try SafeTensorsFile(data: stFile(h, data: eight))
        #expect(f.tensors.map(\.name) == ["a", "b"])
    }
}

@Suite struct AcceptedEdgeCaseTests {
    @Test func whitespaceAroundTokensAndPadding() throws {
        let h = " \n{ \"a\" :\t{\"dtype\" : \"F32\", \"shape\" : [ 1 ] ,\"data_offsets\":[0 , 4]} }\r\n      "
        let f = try SafeTensorsFile(data: stFile(h, data: four))
        #expect(f.tensors == [TensorInfo(name: "a", dtype: .f32, shape: [1], byteRange: 0..<4)])
    }

    @Test func emptyHeaderObject() throws {
        let f = try SafeTensorsFile(data: stFile("{}      "))
        #expect(f.tensors.isEmpty && f.metadata.isEmpty && f.dataOffset == 16)
    }

    @Test func scalarsAndZeroSizedTensors() throws {
        let h = "{\(entry("s", shape: "[]", offsets: "[0,4]")),\(entry("z", shape: "[3,0,2]", offsets: "[4,4]")),"
            + "\(entry("e", shape: "[0]", offsets: "[0,0]")),\(entry("t", shape: "[1,1]", offsets: "[4,8]"))}"
        var data = [UInt8](repeating: 0, count: 8)
        withUnsafeBytes(of: Float(2.5).bitPattern.littleEndian) { data.replaceSubrange(0..<4, with: $0) }
        withUnsafeBytes(of: Float(-1).bitPattern.littleEndian) { data.replaceSubrange(4..<8, with: $0) }
        let f = try SafeTensorsFile(data: stFile(h, data: data))
        #expect(f.tensors.map(\.name) == ["e", "s", "z", "t"])
        #expect(f.info("s")?.elementCount == 1)
        #expect(f.info("z")?.elementCount == 0)
        #expect(try f.floats("s") == [2.5])
        #expect(try f.floats("z") == [])
        #expect(try f.floats("t") == [-1])
    }

    @Test func escapedNamesAreDecoded() throws {
        let h = "{\"a\\u0062\\/\\ud83d\\ude00\\n\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"
        let f = try SafeTensorsFile(data: stFile(h, data: four))
        #expect(f.tensors.map(\.name) == ["ab/😀\n"])
    }

    @Test func everyDTypeIsKnown() throws {
        var entries: [String] = []
        var offset = 0
        for d in DType.allCases {
            let n = 8  // 8 elements fill whole bytes for every type
            let bytes = n * d.bitSize / 8
            entries.append(entry(d.rawValue, dtype: d.rawValue, shape: "[\(n)]", offsets: "[\(offset),\(offset + bytes)]"))
            offset += bytes
        }
        let f = try SafeTensorsFile(data: stFile("{\(entries.joined(separator: ","))}", data: [UInt8](repeating: 0, count: offset)))
        #expect(f.tensors.map(\.dtype) == DType.allCases)
        #expect(DType.f32.byteSize == 4 && DType.bf16.byteSize == 2 && DType.f64.byteSize == 8 && DType.bool.byteSize == 1)
        #expect(DType.f4.bitSize == 4 && DType.f6e3m2.bitSize == 6 && DType.c64.byteSize == 8)
    }

    @Test func dataSliceWithNonZeroStartIndex() throws {
        let whole = Data([9, 9, 9]) + stFile("{\(entry("a", shape: "[1]", offsets: "[0,4]"))}", data: four)
        let f = try SafeTensorsFile(data: whole[3...])
        #expect(try f.floats("a") == [0])
    }

    @Test func errorDescriptionsNameFileAndTensor() {
        let e = SafeTensorsError.byteLengthMismatch(path: "m.safetensors", tensor: "w", expected: 8, actual: 4)
        #expect(e.description == "m.safetensors: tensor \"w\": shape and dtype need 8 bytes, data_offsets span 4")
    }
}
