import Testing

@Test func SearchBuilds() { #expect(Bool(true)) }
