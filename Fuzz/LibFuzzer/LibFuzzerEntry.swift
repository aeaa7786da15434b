// libFuzzer's side, compiled only with -D LIBFUZZER (Scripts/fuzz.sh builds this product with
// -sanitize=fuzzer,address, which links libFuzzer). Every input goes to the same closure the tests
// replay (Fuzz/Targets).

#if LIBFUZZER
import CLibFuzzer
import Foundation
import FuzzTargets

enum LibFuzzerEntry {
    /// The target every input goes to; set once, before libFuzzer starts.
    nonisolated(unsafe) static var selected: FuzzTarget?

    /// Hands the process to libFuzzer, with the command line's libFuzzer flags and folders.
    static func run(_ target: FuzzTarget) -> Never {
        selected = target
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
    }

    /// One input. A thrown error is the parser refusing it (the expected outcome); a crash, an
    /// AddressSanitizer report, a timeout or an allocation over -rss_limit_mb is what libFuzzer reports.
    static let testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { data, size in
        guard let target = LibFuzzerEntry.selected else { preconditionFailure("LibFuzzerEntry.run sets the target") }
        let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        do { try target.body(input) } catch {}
        return 0
    }
}
#endif
