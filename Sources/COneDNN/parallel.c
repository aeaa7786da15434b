// od_parallel_for through libgomp's entry point for `#pragma omp parallel` (the ABI gcc emits;
// clang's -fopenmp would target libomp instead, and Debian's oneDNN runs on libgomp).
#include "openmp_team.h"

void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
int omp_get_thread_num(void);
int omp_get_num_threads(void);

typedef struct {
    void (*fn)(void *, int);
    void *ctx;
    int n;
} od_team_work;

// Thread t of a team of T runs calls t, t + T, … (T = n unless the runtime gives fewer threads).
static void od_team_body(void *data) {
    const od_team_work *w = data;
    int t = omp_get_thread_num(), team = omp_get_num_threads();
    for (int i = t; i < w->n; i += team) w->fn(w->ctx, i);
}

void od_parallel_for(int n, void (*fn)(void *ctx, int i), void *ctx) {
    if (n <= 0) return;
    if (n == 1) { fn(ctx, 0); return; }
    od_team_work w = {fn, ctx, n};
    GOMP_parallel(od_team_body, &w, (unsigned)n, 0);
}
