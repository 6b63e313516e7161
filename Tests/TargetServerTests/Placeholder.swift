import Testing

@Test func targetserverBuilds() {}
