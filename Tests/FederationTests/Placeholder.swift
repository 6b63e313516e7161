import Testing

@Test func federationBuilds() {}
