import Testing

@Test func ServerBuilds() { #expect(Bool(true)) }
