#!/usr/bin/env bash
# Choose the seed baseline's forget weight on a validation set carved from MNIST's TRAINING split
# (stratified, fixed seed; the test split is never used): builds tools/tune_baseline.c against
# build/libunlearn.a and prints a Markdown table (see the C file's header).
#   tools/tune_baseline.sh [per_class_train per_class_val steps] > table.md
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
make -s "$BUILD/libunlearn.a" CUDA="${CUDA:-0}" DNNL=1 >&2
LIBS="-lopenblas -ldnnl -lfftw3f -lsndfile -lsamplerate -lsvm -lz -lm -lpthread"
if [ "${CUDA:-0}" = 1 ]; then LIBS="$LIBS -L/usr/local/cuda/lib64 -lcudnn -lcublas -lcudart -lstdc++"; fi
mkdir -p "$BUILD/tools"
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -fopenmp -Isrc -Ivision -Iaudio -Ikernels -Idatasets \
  tools/tune_baseline.c "$BUILD/libunlearn.a" -o "$BUILD/tools/tune_baseline" $LIBS
UNLEARN_DATA=${UNLEARN_DATA:-../shared/datasets} "$BUILD/tools/tune_baseline" "$@"
