import Testing

@Test func SafeTensorsBuilds() { #expect(Bool(true)) }
