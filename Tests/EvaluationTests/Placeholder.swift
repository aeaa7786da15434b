import Testing

@Test func EvaluationBuilds() { #expect(Bool(true)) }
