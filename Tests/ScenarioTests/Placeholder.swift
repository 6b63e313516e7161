import Testing

@Test func scenarioBuilds() {}
