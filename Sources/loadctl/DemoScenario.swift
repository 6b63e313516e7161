/// The seed scenario `loadctl demo` runs against the built-in target: the read mix our users
/// measured (GET /Test/V1…V4 weighted 60:1:14:5). `host` is replaced by the target's address.
enum DemoScenario {
    static let yaml = """
        name: demo-mixed-read
        host: http://127.0.0.1:8089
        users: 50
        spawn_rate: 25
        duration: 15s
        wait: none
        tasks:
          - { weight: 60, request: GET /Test/V1 }
          - { weight: 1,  request: GET /Test/V2 }
          - { weight: 14, request: GET /Test/V3 }
          - { weight: 5,  request: GET /Test/V4 }
        thresholds: [ "p95 < 150ms", "failure_rate < 0.1%" ]
        """
}
