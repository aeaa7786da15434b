import Testing

@Test func TrainingBuilds() { #expect(Bool(true)) }
