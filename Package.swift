// swift-tools-version: 6.1
import PackageDescription

// One target per concern; dependencies point one way:
// SystemKit <- Balancing <- IPVSControl <- Lab <- {Collector, Tuner} <- Experiments <- lvsbench
// LoadGen and Results/Reports stand apart so they can be tested without a lab; Results uses
// Balancing's counters for the summary's director block.
let package = Package(
    name: "lvsbench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lvsbench", targets: ["lvsbench"]),
        .library(name: "LoadGen", targets: ["LoadGen"]),
        .library(name: "IPVSControl", targets: ["IPVSControl"]),
        .library(name: "Collector", targets: ["Collector"]),
        .library(name: "Reports", targets: ["Reports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .target(name: "SystemKit", dependencies: [
            .product(name: "SystemPackage", package: "swift-system"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Balancing", dependencies: ["SystemKit"]),
        .target(name: "IPVSControl", dependencies: ["SystemKit", "Balancing"]),
        .target(name: "Lab", dependencies: ["SystemKit", "Balancing", "IPVSControl"]),
        .systemLibrary(name: "CLiburing", pkgConfig: "liburing",
                       providers: [.apt(["liburing-dev"])]),
        .target(name: "LoadGen", dependencies: [
            "SystemKit", "CLiburing",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap",
                       providers: [.apt(["libpcap-dev"])]),
        .target(name: "Collector", dependencies: [
            "SystemKit", "Balancing", "IPVSControl", "Lab", "CPcap",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        .target(name: "Tuner", dependencies: ["SystemKit", "Balancing", "Lab", "Yams"]),
        .target(name: "Results", dependencies: ["SystemKit", "Balancing"]),
        .target(name: "Reports", dependencies: ["Results"]),
        .target(name: "Experiments", dependencies: [
            "SystemKit", "IPVSControl", "Lab", "LoadGen", "Collector", "Tuner", "Results", "Reports",
        ]),
        .executableTarget(name: "lvsbench", dependencies: [
            "SystemKit", "IPVSControl", "Lab", "LoadGen", "Collector", "Tuner", "Results", "Reports", "Experiments",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Shared by the test targets only: where the built lvsbench and the package's folders are.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SystemKitTests", dependencies: ["SystemKit"]),
        .testTarget(name: "BalancingTests", dependencies: ["Balancing"]),
        .testTarget(name: "IPVSControlTests", dependencies: ["TestSupport", "IPVSControl"]),
        .testTarget(name: "LabTests", dependencies: ["TestSupport", "Lab", "lvsbench"]),
        .testTarget(name: "LoadGenTests", dependencies: ["TestSupport", "LoadGen", "lvsbench"]),
        .testTarget(name: "CollectorTests", dependencies: ["TestSupport", "Collector", "lvsbench"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TunerTests", dependencies: ["TestSupport", "Tuner", "lvsbench"]),
        .testTarget(name: "ReportsTests", dependencies: ["TestSupport", "Reports", "Results", "Balancing"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["TestSupport", "Experiments", "lvsbench"]),
    ],
    swiftLanguageModes: [.v5]
)
