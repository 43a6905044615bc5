// swift-tools-version: 6.1
import PackageDescription

// One target per concern; dependencies point one way:
// SystemKit <- Vocabulary <- Balancing <- {IPVSControl, NetfilterBalancing, ProxyBalancing} <- Lab
//   <- {Collector, Tuner} <- Experiments <- Scenarios <- lvsbench; Lab <- Keepalived <- Scenarios
//   (keepalived in lab nodes: health checks, VRRP)
// Vocabulary holds the terms every layer and the command line share (modes, schedulers,
// loads, weights...), typed once and parsed by ArgumentParser. Balancing is the seam of
// what the director does to traffic; IPVSControl, NetfilterBalancing (nftables, iptables)
// and ProxyBalancing (HAProxy) implement it, and only Lab's DirectorBalancer names them.
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
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .target(name: "SystemKit"),
        .target(name: "Vocabulary", dependencies: [
            "SystemKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "Balancing", dependencies: ["SystemKit", "Vocabulary"]),
        .target(name: "IPVSControl", dependencies: ["SystemKit", "Vocabulary", "Balancing"]),
        .target(name: "NetfilterBalancing", dependencies: ["SystemKit", "Vocabulary", "Balancing"]),
        .target(name: "ProxyBalancing", dependencies: ["SystemKit", "Vocabulary", "Balancing"]),
        .target(name: "Lab", dependencies: ["SystemKit", "Vocabulary", "Balancing", "IPVSControl", "NetfilterBalancing", "ProxyBalancing"]),
        // keepalived in a lab node: it needs the lab's nodes and state records, so it depends
        // on Lab; Lab knows nothing of it (the fault scenarios bring the two together).
        .target(name: "Keepalived", dependencies: ["SystemKit", "Vocabulary", "Balancing", "Lab"]),
        .systemLibrary(name: "CLiburing", pkgConfig: "liburing",
                       providers: [.apt(["liburing-dev"])]),
        .target(name: "LoadGen", dependencies: [
            "SystemKit", "CLiburing",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap",
                       providers: [.apt(["libpcap-dev"])]),
        .target(name: "Collector", dependencies: [
            "SystemKit", "Vocabulary", "Balancing", "IPVSControl", "Lab", "CPcap",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        .target(name: "Tuner", dependencies: ["SystemKit", "Vocabulary", "Balancing", "Lab", "Yams"]),
        .target(name: "Results", dependencies: ["SystemKit", "Vocabulary", "Balancing"]),
        .target(name: "Reports", dependencies: ["Vocabulary", "Results"]),
        .target(name: "Experiments", dependencies: [
            "SystemKit", "Vocabulary", "IPVSControl", "Lab", "LoadGen", "Collector", "Tuner", "Results", "Reports",
        ]),
        .target(name: "Scenarios", dependencies: [
            "SystemKit", "Vocabulary", "Balancing", "IPVSControl", "Lab", "Keepalived", "LoadGen", "Results", "Experiments",
        ]),
        .executableTarget(name: "lvsbench", dependencies: [
            "SystemKit", "Vocabulary", "IPVSControl", "Lab", "LoadGen", "Collector", "Tuner", "Results", "Reports", "Experiments",
            "Scenarios",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Shared by the test targets only: where the built lvsbench and the package's folders are.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SystemKitTests", dependencies: ["SystemKit"]),
        .testTarget(name: "VocabularyTests", dependencies: ["Vocabulary"]),
        .testTarget(name: "BalancingTests", dependencies: ["Balancing"]),
        .testTarget(name: "NetfilterBalancingTests", dependencies: ["SystemKit", "Vocabulary", "Balancing", "NetfilterBalancing"]),
        .testTarget(name: "ProxyBalancingTests", dependencies: ["ProxyBalancing"]),
        .testTarget(name: "IPVSControlTests", dependencies: ["TestSupport", "Vocabulary", "IPVSControl"]),
        .testTarget(name: "LabTests", dependencies: ["TestSupport", "Vocabulary", "Lab", "ProxyBalancing", "lvsbench"]),
        .testTarget(name: "KeepalivedTests", dependencies: ["TestSupport", "Vocabulary", "Balancing", "Lab", "Keepalived", "lvsbench"]),
        .testTarget(name: "LoadGenTests", dependencies: ["TestSupport", "LoadGen", "lvsbench"]),
        .testTarget(name: "CollectorTests", dependencies: ["TestSupport", "Collector", "lvsbench"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TunerTests", dependencies: ["TestSupport", "Vocabulary", "Tuner", "lvsbench"]),
        .testTarget(name: "ReportsTests", dependencies: ["TestSupport", "Vocabulary", "Reports", "Results", "Balancing"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["TestSupport", "Vocabulary", "Experiments", "lvsbench"]),
        .testTarget(name: "ScenariosTests", dependencies: ["SystemKit", "Vocabulary", "Lab", "Results", "Reports", "Scenarios"]),
    ],
    swiftLanguageModes: [.v5]
)
