// The few FAISS calls MirrorBERT needs, as C functions over Debian's libfaiss-dev (1.7.3, a static
// C++ library whose C API Debian does not build). Every function catches FAISS's C++ exceptions
// and returns non-zero with the message in `error` (NUL-terminated, truncated to `error_size`).
// Indexes use inner product (METRIC_INNER_PRODUCT): on unit vectors, cosine similarity. FAISS runs
// on the OpenMP team (libgomp) that oneDNN uses, so Parallel's thread count applies to it too.
#ifndef MB_FAISS_BRIDGE_H
#define MB_FAISS_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mb_faiss_index mb_faiss_index;

/// A new empty index from an index-factory string ("Flat", "HNSW32", "IVF1024,Flat", "IVF256,PQ16", …)
/// over `dimension`-d vectors.
int mb_faiss_create(const char *factory, int dimension, mb_faiss_index **out, char *error, size_t error_size);

/// Whether the index needs training before vectors are added (IVF, PQ), and trains it on `n`
/// vectors (n × dimension, row-major).
int mb_faiss_is_trained(const mb_faiss_index *index);
int mb_faiss_train(mb_faiss_index *index, const float *vectors, int64_t n, char *error, size_t error_size);

/// Appends `n` vectors (n × dimension); their ids are the running row numbers.
int mb_faiss_add(mb_faiss_index *index, const float *vectors, int64_t n, char *error, size_t error_size);

/// Sets a search parameter by FAISS's ParameterSpace name ("efSearch", "nprobe"); it applies to
/// every later search. Errors if the index has no such parameter.
int mb_faiss_set_parameter(mb_faiss_index *index, const char *name, double value, char *error, size_t error_size);

/// For each of `nq` queries (nq × dimension) the `k` best rows: scores (nq × k, inner products,
/// best first) and labels (nq × k; -1 where the index returned fewer than k).
int mb_faiss_search(const mb_faiss_index *index, const float *queries, int64_t nq, int64_t k, float *scores,
                    int64_t *labels, char *error, size_t error_size);

int64_t mb_faiss_count(const mb_faiss_index *index);
int mb_faiss_dimension(const mb_faiss_index *index);
/// 1 if the index scores by inner product.
int mb_faiss_is_inner_product(const mb_faiss_index *index);

/// Writes FAISS's own file format (what faiss.read_index reads) to the open file `fd` (left open).
int mb_faiss_write_fd(const mb_faiss_index *index, int fd, char *error, size_t error_size);
/// Reads an index from `count` bytes in memory (a file the caller has read and checked).
int mb_faiss_read_memory(const void *bytes, size_t count, mb_faiss_index **out, char *error, size_t error_size);

void mb_faiss_free(mb_faiss_index *index);

#ifdef __cplusplus
}
#endif

#endif
