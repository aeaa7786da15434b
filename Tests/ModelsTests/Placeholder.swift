import Testing

@Test func ModelsBuilds() { #expect(Bool(true)) }
