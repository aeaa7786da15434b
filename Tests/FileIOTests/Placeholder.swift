import Testing

@Test func FileIOBuilds() { #expect(Bool(true)) }
