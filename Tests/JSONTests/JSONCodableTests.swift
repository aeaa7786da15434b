import JSON
import Testing

struct JSONCodableTests {
    struct Inner: Codable, Equatable {
        var tau: Float
        var seed: UInt64
        var name: String?
    }

    struct Outer: Codable, Equatable {
        var z_first: Int
        var inner: Inner
        var list: [Inner]
        var flag: Bool
    }

    /// Keys come out in the order encode(to:) writes them; Floats as the shortest text
    /// (0.04, not 0.03999999910593033); UInt64 exactly.
    @Test func encodesInOrderWithShortNumbers() throws {
        let value = Outer(z_first: 1, inner: Inner(tau: 0.04, seed: .max, name: nil),
                          list: [Inner(tau: 0.2, seed: 42, name: "x")], flag: true)
        let json = try JSONValueEncoder().encode(value)
        #expect(String(decoding: json.serialized(), as: UTF8.self)
                == #"{"z_first":1,"inner":{"tau":0.04,"seed":18446744073709551615},"list":[{"tau":0.2,"seed":42,"name":"x"}],"flag":true}"#)
        #expect(try JSONValueDecoder().decode(Outer.self, from: json) == value)
    }

    @Test func nonFiniteIsAnError() {
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode([Float.nan]) }
    }

    /// Errors name the field by its path.
    @Test func errorsNameTheField() throws {
        func problem(_ text: String) -> String {
            do {
                _ = try JSONValueDecoder().decode(Outer.self, from: Array(text.utf8))
                return "decoded"
            } catch let e as DecodingError {
                return e.jsonDescription
            } catch {
                return "\(error)"
            }
        }
        let inner = #"{"tau": 1, "seed": 2}"#
        #expect(problem(#"{"z_first": 1, "inner": \#(inner), "list": [], "flag": 1}"#) == #""flag": expected true or false, found a number"#)
        #expect(problem(#"{"z_first": 1, "inner": \#(inner), "list": [\#(inner), {"tau": "x", "seed": 1}], "flag": true}"#)
                == #""list[1].tau": expected a number, found a string"#)
        #expect(problem(#"{"z_first": 1.5, "inner": \#(inner), "list": [], "flag": true}"#)
                == #""z_first": expected an integer in \#(Int.min)…\#(Int.max), found 1.5"#)
        #expect(problem(#"{"z_first": 1, "list": [], "flag": true}"#) == #"missing "inner""#)
        #expect(problem(#"{"z_first": 1, "inner": {"tau": 1, "seed": -1}, "list": [], "flag": true}"#).hasPrefix(#""inner.seed": expected an integer"#))
        #expect(problem("[]") == "expected an object, found an array")
    }

    /// Whole numbers written with a fraction or exponent read as integers; 0.1 reads as the Float 0.1.
    @Test func conversions() throws {
        let v = try JSONValueDecoder().decode(Inner.self, from: Array(#"{"tau": 0.1, "seed": 2e3, "name": null}"#.utf8))
        #expect(v == Inner(tau: 0.1, seed: 2000, name: nil))
    }
}
