import Testing

@Test func KernelsBuilds() { #expect(Bool(true)) }
