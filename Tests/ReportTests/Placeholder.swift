import Testing

@Test func reportBuilds() {}
