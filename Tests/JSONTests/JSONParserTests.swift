import JSON
import Testing

struct JSONParserTests {
    func parse(_ s: String, maxDepth: Int = JSONParser.defaultMaxDepth) throws -> JSONValue {
        try JSONParser.parse(Array(s.utf8), maxDepth: maxDepth)
    }

    @Test func values() throws {
        let v = try parse(#" {"a": [1, -2.5e3, true, false, null], "b": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "c": {}} "#)
        #expect(v["a"] == .array([.number(JSONNumber(text: "1")), .number(JSONNumber(text: "-2.5e3")), .bool(true), .bool(false), .null]))
        #expect(v["b"] == .string("x\"\\/\u{8}\u{C}\n\r\t\u{E9}\u{1F600}"))
        #expect(v["c"] == .object([]))
        #expect(v["missing"] == nil)
    }

    /// Numbers keep their text: an integer literal reads as Int only when it is one and fits.
    @Test func numbers() throws {
        guard case let .array(items) = try parse("[1, -2.5e3, 18446744073709551617, 1.0, 2e3]") else { Issue.record("not an array"); return }
        let numbers = items.compactMap { v -> JSONNumber? in if case let .number(n) = v { return n } else { return nil } }
        #expect(numbers.map(\.int) == [1, nil, nil, nil, nil])
        #expect(numbers[1].double == -2500)
        #expect(numbers[2].text == "18446744073709551617")
        #expect(numbers[3].integral(Int.self) == 1 && numbers[4].integral(Int.self) == 2000)
        #expect(numbers[2].exactInteger(UInt64.self) == nil)
    }

    /// Members stay in file order, keys are compared by scalars, the last duplicate wins.
    @Test func objectsKeepOrderAndScalars() throws {
        let v = try parse(#"{"\u00e9": 1, "e\u0301": 2, "k": 3, "k": 4}"#)
        guard case let .object(members) = v else { Issue.record("not an object"); return }
        #expect(members.map { $0.key.unicodeScalars.count } == [1, 2, 1, 1])
        #expect(v["\u{E9}"] == .int(1))
        #expect(v["e\u{301}"] == .int(2))
        #expect(v["k"] == .int(4))
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
            #expect(e.offset == 19)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    /// Arrays and objects may nest `maxDepth` deep, no deeper.
    @Test func depthLimit() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try parse(ok, maxDepth: 64) }
        do {
            _ = try parse("[" + ok + "]", maxDepth: 64)
            Issue.record("parsed")
        } catch let e as JSONSyntaxError {
            #expect(e.message.contains("nesting deeper than 64"))
        }
        #expect(throws: JSONSyntaxError.self) { try parse(String(repeating: "{\"a\":", count: 600) + "1" + String(repeating: "}", count: 600)) }
    }
}
