// Element-wise work on the same OpenMP threads as oneDNN's products (libgomp). Between two
// products oneDNN's threads spin for a while; work handed to another pool (GCD) would compete
// with them for the cores, so Kernels.Parallel runs its chunks here instead.
#pragma once

/// Calls fn(ctx, i) for i in 0..<n on a team of up to n threads (the caller is one of them), and
/// returns when every call has returned. Inside another team (nested) the calls run on the caller.
void od_parallel_for(int n, void (*fn)(void *ctx, int i), void *ctx);
