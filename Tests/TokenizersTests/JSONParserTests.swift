import Testing
@testable import Tokenizers

struct JSONParserTests {
    func parse(_ s: String) throws -> JSONValue { try JSONParser.parse(Array(s.utf8)) }

    @Test func values() throws {
        let v = try parse(#" {"a": [1, -2.5e3, true, false, null], "b": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "c": {}} "#)
        #expect(v["a"] == .array([.number(1, integer: 1), .number(-2500, integer: nil), .bool(true), .bool(false), .null]))
        #expect(v["b"] == .string("x\"\\/\u{8}\u{C}\n\r\t\u{E9}\u{1F600}"))
        #expect(v["c"] == .object([]))
        #expect(v["missing"] == nil)
    }

    /// Members stay in file order, keys are compared by scalars, the last duplicate wins.
    @Test func objectsKeepOrderAndScalars() throws {
        let v = try parse(#"{"\u00e9": 1, "e\u0301": 2, "k": 3, "k": 4}"#)
        guard case let .object(members) = v else { Issue.record("not an object"); return }
        #expect(members.map { $0.0.unicodeScalars.count } == [1, 2, 1, 1])
        #expect(v["\u{E9}"] == .number(1, integer: 1))
        #expect(v["e\u{301}"] == .number(2, integer: 2))
        #expect(v["k"] == .number(4, integer: 4))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "\"abc", "\"\\x\"", "\"\\ud800\"",
                      "\"\\udc00\"", "tru", "{} x", "\"a\u{1}\"", "[1 2]", "{1: 2}"])
    func rejects(text: String) {
        #expect(throws: JSONSyntaxError.self) { try parse(text) }
    }

    @Test func errorPosition() {
        do {
            _ = try parse("{\n  \"a\": 1,\n  \"b\": x\n}")
            Issue.record("parsed")
        } catch let e as JSONSyntaxError {
            #expect(e.line == 3 && e.column == 8)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }
}
