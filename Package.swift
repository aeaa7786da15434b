// swift-tools-version:6.0
// MirrorBERT: Mirror-BERT fine-tuning, encoding, evaluation and serving for BERT-family encoders,
// on the CPU, in Swift. The folders under Sources/ show the architecture (see README.md).
import PackageDescription

let package = Package(
    name: "MirrorBERT",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mirror-bert", targets: ["mirror-bert"]),
        .library(
            name: "MirrorBERT",
            targets: ["FileIO", "JSON", "Kernels", "SafeTensors", "TorchPickle", "Tokenizers", "Models", "Training", "Charts",
                      "Evaluation", "Search", "Server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.0.0"),
    ],
    targets: [
        // MARK: - System and C
        .target(name: "COneDNN", path: "Sources/COneDNN", linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp")]),
        .target(name: "CKernels", path: "Sources/CKernels"),
        // FAISS (Debian's libfaiss-dev: a static C++ library; BLAS/LAPACK and libgomp under it).
        .target(name: "CFaiss", path: "Sources/CFaiss",
                linkerSettings: [.linkedLibrary("faiss"), .linkedLibrary("lapack"), .linkedLibrary("blas"),
                                 .linkedLibrary("gomp")]),

        // MARK: - Library
        .target(name: "FileIO"),
        .target(name: "JSON"),
        .target(name: "Kernels", dependencies: ["COneDNN", "CKernels"]),
        .target(name: "SafeTensors", dependencies: ["FileIO", "JSON"]),
        .target(name: "TorchPickle", dependencies: ["FileIO", "SafeTensors"]),
        .target(name: "Tokenizers", dependencies: ["FileIO", "JSON"]),
        .target(name: "Models", dependencies: ["FileIO", "JSON", "Kernels", "SafeTensors", "TorchPickle", "Tokenizers"]),
        .target(name: "Training", dependencies: ["FileIO", "JSON", "Kernels", "Models", "SafeTensors", "Tokenizers"]),
        .target(name: "Charts", dependencies: ["FileIO"]),
        .target(name: "Evaluation", dependencies: ["Charts", "FileIO", "JSON"]),
        .target(name: "Search", dependencies: ["CFaiss", "FileIO", "JSON", "Kernels", "Models"]),
        .target(name: "Server", dependencies: [
            "JSON", "Models", "Search", "Tokenizers",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        ]),

        // MARK: - Command line
        .executableTarget(
            name: "mirror-bert",
            dependencies: [
                "FileIO", "JSON", "Kernels", "SafeTensors", "TorchPickle", "Tokenizers", "Models", "Training", "Charts",
                "Evaluation", "Search", "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // MARK: - Benchmarks (Benchmarks/run.sh prints the table)
        .executableTarget(
            name: "mirror-bert-bench", dependencies: ["FileIO", "JSON", "Kernels", "Models", "Search", "Tokenizers", "Training"],
            path: "Benchmarks/Sources"),

        // MARK: - Fuzzing (Scripts/fuzz.sh runs every parser of outside data under libFuzzer)
        .target(
            name: "FuzzTargets",
            dependencies: ["FileIO", "SafeTensors", "TorchPickle", "Tokenizers", "Models", "Training", "Evaluation", "Search",
                           "Server"],
            path: "Fuzz/Targets"),
        // Built with -D LIBFUZZER and -sanitize=fuzzer,address by Scripts/fuzz.sh, it runs libFuzzer's
        // driver (declared by CLibFuzzer); in an ordinary build it replays inputs without sanitizers.
        .target(name: "CLibFuzzer", path: "Fuzz/LibFuzzerDriver"),
        .executableTarget(name: "mirror-bert-fuzz", dependencies: ["CLibFuzzer", "FuzzTargets"], path: "Fuzz/LibFuzzer"),

        // MARK: - Tests
        .target(name: "TestSupport", dependencies: ["SafeTensors", "Kernels"], path: "Tests/TestSupport"),
        .testTarget(name: "FileIOTests", dependencies: ["FileIO", "TestSupport"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors", "FileIO", "TestSupport"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["JSON", "Models", "Kernels", "SafeTensors", "Tokenizers", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Models", "Kernels", "FileIO", "JSON", "SafeTensors", "Tokenizers", "TestSupport"]),
        .testTarget(name: "ChartsTests", dependencies: ["Charts", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Charts", "TestSupport"]),
        .testTarget(name: "TorchPickleTests", dependencies: ["TorchPickle", "SafeTensors", "TestSupport"]),
        .testTarget(name: "SearchTests", dependencies: ["Search", "Models", "TestSupport"]),
        .testTarget(name: "ServerTests", dependencies: ["JSON", "Server", "Search", "Models", "TestSupport"]),
        .testTarget(name: "FuzzTests", dependencies: ["FileIO", "FuzzTargets", "Models", "Search", "Tokenizers", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["mirror-bert", "Kernels", "Models", "Search", "SafeTensors", "FileIO", "Tokenizers", "Training", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
