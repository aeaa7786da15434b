import Testing

@Test func TokenizersBuilds() { #expect(Bool(true)) }
