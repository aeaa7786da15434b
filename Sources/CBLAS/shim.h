// OpenBLAS's CBLAS interface (Debian: libopenblas-dev). Only Sources/Kernels/BLAS.swift includes it.
#include <cblas.h>
