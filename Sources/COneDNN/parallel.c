// od_parallel_for through libgomp's entry point for `#pragma omp parallel` (the ABI gcc emits;
// clang's -fopenmp would target libomp instead, and Debian's oneDNN runs on libgomp).
#include "openmp_team.h"

void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
int omp_get_thread_num(void);
int omp_get_num_threads(void);

// ThreadSanitizer (Scripts/tsan.sh) cannot see libgomp's fork and join (libgomp is not
// instrumented: its barriers are futexes), so it would report the caller's writes before a region
// and the team's reads in it, or the team's writes and the caller's reads after it, as races.
// They are declared to it instead: the caller releases `fork` before the region and acquires
// `join` after it; each team thread acquires `fork` at the start of its share and releases `join`
// at its end. Two addresses, so that no team thread acquires another's end: races between the
// team's calls in one region are still seen.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define OD_UNDER_TSAN 1
#endif
#endif
#ifdef OD_UNDER_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define od_happens_before(addr) __tsan_release(addr)
#define od_happens_after(addr) __tsan_acquire(addr)
#else
#define od_happens_before(addr) ((void)(addr))
#define od_happens_after(addr) ((void)(addr))
#endif

typedef struct {
    void (*fn)(void *, int);
    void *ctx;
    int n;
    char fork, join;  // only their addresses are used (ThreadSanitizer's view of the team; above)
} od_team_work;

// Thread t of a team of T runs calls t, t + T, … (T = n unless the runtime gives fewer threads).
static void od_team_body(void *data) {
    od_team_work *w = data;
    od_happens_after(&w->fork);
    int t = omp_get_thread_num(), team = omp_get_num_threads();
    for (int i = t; i < w->n; i += team) w->fn(w->ctx, i);
    od_happens_before(&w->join);
}

void od_parallel_for(int n, void (*fn)(void *ctx, int i), void *ctx) {
    if (n <= 0) return;
    if (n == 1) { fn(ctx, 0); return; }
    od_team_work w = {fn, ctx, n, 0, 0};
    od_happens_before(&w.fork);
    GOMP_parallel(od_team_body, &w, (unsigned)n, 0);
    od_happens_after(&w.join);
}
