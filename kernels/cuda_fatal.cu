/* cuda_fatal.cu — the one place a failed CUDA, cuDNN or cuBLAS call ends the process (CK, CKDNN, CKBLAS). */
#include "cuda_internal.h"
#include <stdio.h>
#include <stdlib.h>

void cu_fatal(const char *call, const char *msg, const char *file, int line) {
    fprintf(stderr, "CUDA backend error: %s failed: %s (%s:%d)\n", call, msg, file, line);
    exit(3);
}
