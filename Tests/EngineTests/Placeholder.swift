import Testing

@Test func engineBuilds() {}
