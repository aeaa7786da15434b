// How `serve` uses glibc's allocator. glibc keeps freed memory in per-thread arenas for reuse,
// and raises its mmap threshold each time a large mmapped block is freed (up to 32 MiB), after
// which request-sized buffers (bodies up to --payload-limit, 10,000-input requests) come from the
// arenas too. Under hostile traffic spread over the event-loop threads (Scripts/soak.py) the
// server's RSS crept up by a few MiB a minute while the bytes malloc had in use stayed flat
// (malloc_stats() under gdb): retention and fragmentation, not a leak. Measured with the soak
// (3-minute attacks): RSS under attack ~210 MiB and +6–11% after it with glibc's defaults; a
// malloc_trim(0) gave 5–18 MiB back each time; with 2 arenas, a fixed 256 KiB mmap threshold and
// a trim every 10 s, ~190 MiB under attack and +2% after it. Only where the C library has these
// functions (glibc); other allocators are left as they are.

import Foundation

enum ServerHeap {
    /// At most 2 arenas (not 8 per core) and large blocks always mmapped (so freeing one gives it
    /// back): call before the server starts its threads. False where mallopt is missing or refused.
    @discardableResult
    static func configure() -> Bool {
        guard let mallopt = function("mallopt", as: (@convention(c) (Int32, Int32) -> Int32).self) else { return false }
        let arenaMax: Int32 = -8, mmapThreshold: Int32 = -3  // M_ARENA_MAX, M_MMAP_THRESHOLD (malloc.h)
        return mallopt(arenaMax, 2) == 1 && mallopt(mmapThreshold, 256 * 1024) == 1
    }

    /// Gives freed memory back every `interval` until the returned task is cancelled; nil without
    /// malloc_trim.
    static func startTrimming(every interval: Duration) -> Task<Void, Never>? {
        guard let trim = function("malloc_trim", as: (@convention(c) (Int) -> Int32).self) else { return nil }
        return Task.detached(priority: .background) {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }  // cancelled
                // A few milliseconds for the server's tens of MiB of heap; whether anything was
                // released needs no action.
                _ = trim(0)
            }
        }
    }

    /// A C library function looked up at run time (Glibc's module map declares neither).
    private static func function<F>(_ name: String, as type: F.Type) -> F? {
        guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }
}
