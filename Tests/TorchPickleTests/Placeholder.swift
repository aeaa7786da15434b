import Testing

@Test func TorchPickleBuilds() { #expect(Bool(true)) }
