// SIGINT and SIGTERM during long commands: the first one is recorded (the command checks it between
// steps, saves what it must and exits 128 + signal), a second one ends the process at once.

import Dispatch
import FileIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class Interrupts: @unchecked Sendable {
    private let lock = NSLock()
    private var signalReceived: Int32?
    private var sources: [DispatchSourceSignal] = []
    private let signals: [Int32]

    private init(signals: [Int32]) { self.signals = signals }

    /// Starts catching `signals` (default SIGINT and SIGTERM).
    static func install(_ signals: [Int32] = [SIGINT, SIGTERM]) -> Interrupts {
        let interrupts = Interrupts(signals: signals)
        for s in signals {
            signal(s, SIG_IGN)  // delivered to the dispatch source instead of killing the process
            let source = DispatchSource.makeSignalSource(signal: s, queue: .global())
            source.setEventHandler { interrupts.handle(s) }
            source.resume()
            interrupts.sources.append(source)
        }
        return interrupts
    }

    /// The first signal caught, if any.
    var received: Int32? {
        lock.lock(); defer { lock.unlock() }
        return signalReceived
    }

    private func handle(_ s: Int32) {
        lock.lock()
        let first = signalReceived == nil
        if first { signalReceived = s }
        lock.unlock()
        if first {
            Console.note("\n\(s == SIGINT ? "SIGINT" : "SIGTERM"): finishing the current step, then saving a checkpoint "
                         + "(send it again to quit at once without saving)")
        } else {
            _exit(128 + s)
        }
    }

    /// Restores the default handlers.
    func uninstall() {
        for source in sources { source.cancel() }
        sources = []
        for s in signals { signal(s, SIG_DFL) }
    }
}
