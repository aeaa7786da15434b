// How fast this CPU's bf16 products run against its fp32 ones, measured once per process, for
// `--precision auto`. Native bf16 dot products are not always faster: on AMD Zen 4 oneDNN's bf16
// brgemm ran 835 GFLOP/s against fp32's ~430, but on an Intel Xeon with AVX512_BF16 and no AMX
// (2 threads) 170 against 281: slower, so there auto must pick fp32.
//
// The measurement: C (256, 1536) = A (256, 384) · B (1536, 384)ᵀ, a BERT feed-forward product of a
// 256-token batch, alternately in fp32 and bf16, each after a first call that builds its
// primitive; the best of 5 of each. It runs on one thread and counts that thread's CPU time, not
// wall time, so other load on the machine (a test suite, a training job) does not change the
// answer: the products' instruction throughput decides. It adds 40–60 ms to a command's start
// (2 cores, Intel Xeon, oneDNN 2.6).
//
// The thread is its own, and has exited when the measurement returns: the thread count set for
// it stays with it, and libgomp keeps a pool of team threads for every thread that has run a
// parallel region (with more pooled threads than cores it stops spinning between regions; a pool
// left on the main thread halved a server's requests/s).

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

enum ProductSpeed {
    /// bf16 products' speed divided by fp32's on this CPU (> 1: bf16 is faster).
    static func measureBF16Speedup() -> Double {
        let speedup = UnsafeMutablePointer<Double>.allocate(capacity: 1)
        speedup.initialize(to: 0)
        defer { speedup.deallocate() }
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { context in
            context!.assumingMemoryBound(to: Double.self).pointee = ProductSpeed.measureOnThisThread()
            return nil
        }, speedup)
        guard status == 0 else { return 0 }  // no thread to be had: auto picks fp32 (and prints "measured 0.00×")
        pthread_join(thread, nil)
        return speedup.pointee
    }

    fileprivate static func measureOnThisThread() -> Double {
        BLAS.threads = 1
        let m = 256, n = 1536, k = 384
        let a = FloatBuffer(count: m * k), b = FloatBuffer(count: n * k), c = FloatBuffer(count: m * n)
        a.pointer.update(repeating: 0.5, count: m * k)
        b.pointer.update(repeating: 0.25, count: n * k)
        let a16 = UnsafeMutablePointer<UInt16>.allocate(capacity: m * k), b16 = UnsafeMutablePointer<UInt16>.allocate(capacity: n * k)
        a16.initialize(repeating: 0x3F00, count: m * k)  // 0.5
        b16.initialize(repeating: 0x3E80, count: n * k)  // 0.25
        defer { a16.deallocate(); b16.deallocate() }
        func seconds(_ bf16: Bool) -> Double {
            let start = threadCPUNanoseconds()
            BLAS.gemm(transB: true, m: m, n: n, k: k, a: bf16 ? .bf16(a16) : .fp32(a.pointer), lda: k,
                      b: bf16 ? .bf16(b16) : .fp32(b.pointer), ldb: k, c: c.pointer, ldc: n)
            return Double(threadCPUNanoseconds() - start) * 1e-9
        }
        _ = seconds(false); _ = seconds(true)  // build both primitives
        var fp32 = Double.infinity, bf16 = Double.infinity
        for _ in 0..<5 {
            fp32 = min(fp32, seconds(false))
            bf16 = min(bf16, seconds(true))
        }
        return fp32 / bf16
    }

    /// CPU time this thread has used.
    private static func threadCPUNanoseconds() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }
}
