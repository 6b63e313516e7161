// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "loadd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "loadd", targets: ["loadd"]),
        .executable(name: "loadctl", targets: ["loadctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // C shims: typed wrappers over variadic C functions, nothing else.
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("curl")]),
        .target(name: "CSystemd", linkerSettings: [.linkedLibrary("systemd")]),
        .target(name: "CLinuxTimer"),

        .target(name: "Protocol", swiftSettings: strict),
        .target(
            name: "Engine",
            dependencies: [
                "CCurl", "CLinuxTimer", "Protocol",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict),
        .target(name: "Report", dependencies: ["Protocol"], swiftSettings: strict),
        // What a daemon needs from systemd: notify, socket activation, native journal logging.
        .target(
            name: "SystemdSupport",
            dependencies: ["CSystemd", "Protocol", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .target(
            name: "TargetServer",
            dependencies: [
                "Protocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict),
        // Master/worker transport and fleet bookkeeping: frames, auth, assignments, liveness.
        .target(
            name: "Federation",
            dependencies: [
                "Engine", "Protocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "loadctl",
            dependencies: [
                "Engine", "Protocol", "Report", "TargetServer", "CCurl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // `loadctl ui`: the loopback relay to the control socket.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // The daemon's logic as a library: the control API, run lifecycle, store and fleet wiring.
        // Tests drive it in-process; the `loadd` executable only parses flags and starts it.
        .target(
            name: "LoaddCore",
            dependencies: [
                "Engine", "Protocol", "Report", "SystemdSupport", "Federation",
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "loadd",
            dependencies: [
                "LoaddCore", "Protocol", "SystemdSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        // `bench/fleet.sh`: one real master against protocol-level fake workers in one process.
        .executableTarget(
            name: "FleetBench",
            dependencies: [
                "Federation", "Protocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "bench/FleetBench",
            swiftSettings: strict),
        // What several test targets need alike: waiting for an event, a throw-away certificate authority.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "ScenarioTests", dependencies: ["Engine", "Protocol"], swiftSettings: strict),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Protocol"], swiftSettings: strict),
        .testTarget(
            name: "TargetServerTests",
            dependencies: [
                "TargetServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "FederationTests",
            dependencies: [
                "Federation", "Engine", "Protocol", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(name: "SystemdTests", dependencies: ["SystemdSupport"], swiftSettings: strict),
        .testTarget(
            name: "EngineTests",
            dependencies: [
                "Engine", "Protocol", "TargetServer", "CCurl", "TestSupport",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ], swiftSettings: strict),
        .testTarget(
            name: "DaemonTests",
            dependencies: [
                "LoaddCore", "Protocol", "Engine", "SystemdSupport", "TargetServer", "TestSupport",
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // Drives an in-process daemon's graceful shutdown as SIGTERM would.
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // Runs the real binaries; depending on them makes `swift test` build them first.
        .testTarget(name: "CLITests", dependencies: ["Protocol", "TargetServer", "TestSupport", "loadctl", "loadd"], swiftSettings: strict),
    ]
)
