import JSON
import Testing

struct JSONWriterTests {
    func text(_ v: JSONValue, _ style: JSONWriter.Style = .compact) -> String { String(decoding: v.serialized(style), as: UTF8.self) }

    /// Escapes as serde_json and Python's json module write them; other UTF-8 passes through.
    @Test func strings() {
        var w = JSONWriter()
        w.string("a\"b\\c\u{8}\u{C}\n\r\t\u{1}é😀")
        #expect(w.text == #""a\"b\\c\b\f\n\r\t\u0001é😀""#)
    }

    /// Floats in their shortest round-tripping form; non-finite numbers as null.
    @Test func numbers() {
        var w = JSONWriter()
        w.float(0.1); w.raw(","); w.double(2e-5); w.raw(","); w.float(.nan); w.raw(","); w.int(-3)
        #expect(w.text == "0.1,2e-05,null,-3")
        #expect(JSONValue.float(0.04) == .number(JSONNumber(text: "0.04")))
        #expect(JSONValue.double(.infinity) == .null)
    }

    @Test func compactAndPretty() {
        let v = JSONValue.object([("a", .int(1)), ("b", .array([.int(1), .int(2)])),
                                  ("c", .array([.object([("x", .bool(true))]), .string("s")])), ("d", .object([]))])
        #expect(text(v) == #"{"a":1,"b":[1,2],"c":[{"x":true},"s"],"d":{}}"#)
        #expect(text(v, .pretty) == """
            {
              "a": 1,
              "b": [1, 2],
              "c": [
                {"x": true},
                "s"
              ],
              "d": {}
            }

            """)
    }

    /// What the writer writes, the parser reads back as the same value.
    @Test func roundTrip() throws {
        let v = JSONValue.object([("k\u{0}", .array([.float(1.5e-7), .double(-0.0), .null, .string("\u{1F}\"")])),
                                  ("e\u{301}", .object([("n", .number(JSONNumber(text: "18446744073709551617")))]))])
        for style in [JSONWriter.Style.compact, .pretty] {
            #expect(try JSONParser.parse(v.serialized(style)) == v)
        }
    }
}
