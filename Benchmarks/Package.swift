// swift-tools-version: 6.1
import PackageDescription

// Micro-benchmarks of the load generator's hot paths, in a package of their own so the main
// build (and CI) never compiles the benchmark framework. Run from this folder:
//   swift package benchmark            (or: swift package benchmark --target HotPaths)
let package = Package(
    name: "lvsbench-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "lvsbench", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .executableTarget(
            name: "HotPaths",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "LoadGen", package: "lvsbench"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Benchmarks/HotPaths",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v5]
)
