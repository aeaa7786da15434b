// See include/faiss_bridge.h. An mb_faiss_index is a faiss::Index owned by the caller.

#include "faiss_bridge.h"

#include <faiss/AutoTune.h>
#include <faiss/Index.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>

#include <unistd.h>

struct mb_faiss_index {
    std::unique_ptr<faiss::Index> index;
};

namespace {

void set_error(char *error, size_t size, const char *message) {
    if (error && size > 0) std::snprintf(error, size, "%s", message);
}

/// Runs `body`, turning any C++ exception into a non-zero return and its message.
template <typename F> int guarded(char *error, size_t size, F body) {
    try {
        body();
        return 0;
    } catch (const std::exception &e) {
        set_error(error, size, e.what());
    } catch (...) {
        set_error(error, size, "unknown C++ exception from FAISS");
    }
    return 1;
}

}  // namespace

extern "C" {

int mb_faiss_create(const char *factory, int dimension, mb_faiss_index **out, char *error, size_t error_size) {
    *out = nullptr;
    return guarded(error, error_size, [&] {
        std::unique_ptr<faiss::Index> index(faiss::index_factory(dimension, factory, faiss::METRIC_INNER_PRODUCT));
        *out = new mb_faiss_index{std::move(index)};
    });
}

int mb_faiss_is_trained(const mb_faiss_index *index) { return index->index->is_trained ? 1 : 0; }

int mb_faiss_train(mb_faiss_index *index, const float *vectors, int64_t n, char *error, size_t error_size) {
    return guarded(error, error_size, [&] { index->index->train(n, vectors); });
}

int mb_faiss_add(mb_faiss_index *index, const float *vectors, int64_t n, char *error, size_t error_size) {
    return guarded(error, error_size, [&] { index->index->add(n, vectors); });
}

int mb_faiss_set_parameter(mb_faiss_index *index, const char *name, double value, char *error, size_t error_size) {
    return guarded(error, error_size, [&] {
        faiss::ParameterSpace().set_index_parameter(index->index.get(), name, value);
    });
}

int mb_faiss_search(const mb_faiss_index *index, const float *queries, int64_t nq, int64_t k, float *scores,
                    int64_t *labels, char *error, size_t error_size) {
    return guarded(error, error_size, [&] { index->index->search(nq, queries, k, scores, labels); });
}

int64_t mb_faiss_count(const mb_faiss_index *index) { return index->index->ntotal; }

int mb_faiss_dimension(const mb_faiss_index *index) { return index->index->d; }

int mb_faiss_is_inner_product(const mb_faiss_index *index) {
    return index->index->metric_type == faiss::METRIC_INNER_PRODUCT ? 1 : 0;
}

int mb_faiss_write_fd(const mb_faiss_index *index, int fd, char *error, size_t error_size) {
    // A FILE over a duplicate of fd, so that fclose leaves the caller's descriptor open.
    int copy = dup(fd);
    if (copy < 0) {
        set_error(error, error_size, std::strerror(errno));
        return 1;
    }
    FILE *file = fdopen(copy, "wb");
    if (!file) {
        set_error(error, error_size, std::strerror(errno));
        close(copy);
        return 1;
    }
    int failed = guarded(error, error_size, [&] { faiss::write_index(index->index.get(), file); });
    if (std::fflush(file) != 0 && !failed) {
        set_error(error, error_size, std::strerror(errno));
        failed = 1;
    }
    std::fclose(file);
    return failed;
}

int mb_faiss_read_memory(const void *bytes, size_t count, mb_faiss_index **out, char *error, size_t error_size) {
    *out = nullptr;
    if (count == 0) {
        set_error(error, error_size, "empty file");
        return 1;
    }
    // fmemopen reads the caller's buffer in place: the bytes FAISS parses are the bytes checked.
    FILE *file = fmemopen(const_cast<void *>(bytes), count, "rb");
    if (!file) {
        set_error(error, error_size, std::strerror(errno));
        return 1;
    }
    int failed = guarded(error, error_size, [&] {
        std::unique_ptr<faiss::Index> index(faiss::read_index(file));
        *out = new mb_faiss_index{std::move(index)};
    });
    std::fclose(file);
    return failed;
}

void mb_faiss_free(mb_faiss_index *index) { delete index; }

}  // extern "C"
