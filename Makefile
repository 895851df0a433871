# Top-level build.  `make` builds bin/*; `make test` runs the suite; `make asan`
# runs the suite under AddressSanitizer + UBSan; `make bench` runs benchmarks
# against PyTorch/torchaudio; `make deps` installs missing Debian packages.
#
# CUDA backend: built when nvcc is found (override with CUDA=0 / CUDA=1).
# oneDNN (libdnnl-dev) gives the CPU layers their AVX-512 sgemm: DNNL=1 (default); DNNL=0 builds
# the OpenBLAS-only reference path.

BUILD    ?= build
CC       ?= gcc
NVCC     ?= $(shell command -v nvcc 2>/dev/null || ls /usr/local/cuda/bin/nvcc 2>/dev/null)
CUDA_HOME ?= /usr/local/cuda
ifeq ($(origin CUDA), undefined)
  CUDA := $(if $(NVCC),1,0)
endif

OPT      ?= -O3 -march=native
CFLAGS   += -std=c11 -D_GNU_SOURCE $(OPT) -g -Wall -Wextra -fopenmp -Isrc -Ivision -Iaudio -Ikernels -Idatasets -Itools
LDLIBS   += -lopenblas -lfftw3f -lsndfile -lsamplerate -lsvm -lz -lm -lpthread
LDFLAGS  += -fopenmp -Wl,-u,svc_omp_wait_linked   # src/omp_wait.c: passive OpenMP waiting
DNNL     ?= 1
ifeq ($(DNNL),1)
  CFLAGS  += -DUSE_DNNL
  LDLIBS  += -ldnnl
endif
ifeq ($(SAN),1)
  CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRC := $(filter-out %_main.c,$(wildcard src/*.c src/layers/*.c src/methods/*.c \
                                            vision/*.c audio/*.c datasets/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/nets_embedded.o
NET_SPECS := $(wildcard vision/nets/*.net audio/nets/*.net)

ifeq ($(CUDA),1)
  CU_SRC  := $(wildcard kernels/*.cu)
  CU_OBJ  := $(CU_SRC:%.cu=$(BUILD)/%.cu.o)
  NVFLAGS ?= -O3 -std=c++17 -Isrc -Ikernels --compiler-options -Wall,-Wextra,-fPIC -Xcudafe --display_error_number \
             -gencode arch=compute_90,code=sm_90 -gencode arch=compute_80,code=sm_80
  CFLAGS  += -DUSE_CUDA
  LDLIBS  += -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcudnn -lcublas -lcudart -lstdc++
else
  CU_OBJ  := $(BUILD)/kernels/cuda_stub.o
endif

# sanitizer builds keep their binaries apart from the normal ones
BINDIR ?= $(if $(filter 1,$(SAN)),$(BUILD)/bin,bin)
BINS := $(BINDIR)/mnist-unlearn $(BINDIR)/speech-unlearn $(BINDIR)/unlearn-prep $(BINDIR)/unlearn-compare
TEST_SRC  := $(wildcard tests/test_*.c)
TEST_BINS := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: all test asan bench deps clean tests-build test-all run fuzz fuzz-smoke
all: $(BINS)

# The build configuration is recorded in $(BUILD)/config.stamp; the file is rewritten
# only when the configuration changes, and every object depends on it, so switching
# CUDA, SAN, OPT or the compilers rebuilds everything (and the archive is recreated
# from scratch, so no object of the previous configuration stays in it).
CONFIG_STAMP := $(BUILD)/config.stamp
CONFIG_LINE  := CUDA=$(CUDA) DNNL=$(DNNL) SAN=$(SAN) OPT=$(OPT) CC=$(CC) NVCC=$(if $(filter 1,$(CUDA)),$(NVCC))
$(shell mkdir -p $(BUILD) && [ "$$(cat $(CONFIG_STAMP) 2>/dev/null)" = '$(CONFIG_LINE)' ] || echo '$(CONFIG_LINE)' > $(CONFIG_STAMP))

# (rebuilt from scratch: `ar r` into an old archive would keep members of deleted or moved sources)

$(BUILD)/libunlearn.a: $(LIB_OBJ) $(CU_OBJ) $(CONFIG_STAMP)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $(filter %.o,$^)

$(BUILD)/%.o: %.c $(wildcard src/*.h src/methods/*.h src/layers/*.h vision/*.h audio/*.h kernels/*.h datasets/*.h tools/*.h) $(CONFIG_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/gen/nets_embedded.c: $(NET_SPECS) tools/embed_nets.sh
	@mkdir -p $(dir $@)
	bash tools/embed_nets.sh $@ $(NET_SPECS)
$(BUILD)/gen/nets_embedded.o: $(BUILD)/gen/nets_embedded.c src/netspec.h src/modality.h $(CONFIG_STAMP)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/%.cu.o: %.cu $(wildcard src/*.h kernels/*.h) $(CONFIG_STAMP)
	@mkdir -p $(dir $@)
	$(NVCC) $(NVFLAGS) -c $< -o $@

$(BINDIR)/mnist-unlearn: $(BUILD)/vision/mnist_main.o $(BUILD)/libunlearn.a
	@mkdir -p $(BINDIR)
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)
$(BINDIR)/speech-unlearn: $(BUILD)/audio/speech_main.o $(BUILD)/libunlearn.a
	@mkdir -p $(BINDIR)
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)
$(BINDIR)/unlearn-prep: $(BUILD)/datasets/prep_main.o $(BUILD)/libunlearn.a
	@mkdir -p $(BINDIR)
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)
COMPARE_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/compare_*.c))
$(BINDIR)/unlearn-compare: $(COMPARE_OBJ) $(BUILD)/libunlearn.a
	@mkdir -p $(BINDIR)
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*_bench.c))
$(BUILD)/bench/%: $(BUILD)/bench/%.o $(BUILD)/libunlearn.a
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)
# train_bench names the core and its fp32 peak (bench/peak.c)
$(BUILD)/bench/train_bench: $(BUILD)/bench/peak.o
$(BUILD)/bench/train_bench.o $(BUILD)/bench/peak.o: bench/peak.h

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/libunlearn.a
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# The GPU programs (tests/gpu/run.sh runs them on a GPU machine): built with the suite so that
# every build — CUDA=1 in CI included — compiles and links them; `make test` does not run them.
GPU_TEST_BINS := $(patsubst tests/gpu/%.c,$(BUILD)/gpu/%,$(wildcard tests/gpu/*.c))
$(BUILD)/gpu/%: tests/gpu/%.c $(BUILD)/libunlearn.a $(wildcard src/*.h src/methods/*.h kernels/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(BUILD)/libunlearn.a $(LDFLAGS) $(LDLIBS) -o $@

tests-build: $(TEST_BINS) $(BINS) $(GPU_TEST_BINS)

# The test command (README, .ci/run).  Runs every tests/test_* binary, then the shell tests.
test: tests-build
	BUILD=$(BUILD) BINDIR=$(BINDIR) bash tests/run.sh

# the sanitizer suite runs the CPU build (the CUDA backend is compiled and linked by `make test`)
asan:
	$(MAKE) BUILD=build-asan SAN=1 OPT="-O1" CUDA=0 test

bench: all $(BENCH_BINS)
	bash tools/install-deps.sh bench
	BUILD=$(BUILD) bash bench/run.sh

deps:
	bash tools/install-deps.sh

# The README's test command (and CI's): dependencies, the suite, the suite under sanitizers,
# a few seconds of each fuzz harness.
test-all: deps
	$(MAKE) test
	$(MAKE) asan
	$(MAKE) fuzz-smoke

# The README's main job: dependencies, build, data check + feature cache, pre-train,
# unlearn 6 -> 3 on both modalities, print the comparison.
run: deps
	$(MAKE) all
	bin/unlearn-prep check
	bin/unlearn-prep features
	bin/unlearn-compare $(RUN_ARGS)

# Fuzzing (tests/fuzz/): libFuzzer harnesses built with clang + ASan/UBSan in build-fuzz/.
# `make fuzz` runs each for FUZZ_SECONDS; `make fuzz-smoke` is the short CI run (or a
# replay of the seed corpora under gcc ASan/UBSan when clang's libFuzzer is missing).
FUZZ_SECONDS ?= 10
FUZZ_ENGINE  ?= libfuzzer
FUZZ_MAIN    := $(if $(filter replay,$(FUZZ_ENGINE)),tests/fuzz/replay_main.c,-fsanitize=fuzzer)
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_common.h tests/fuzz/replay_main.c $(BUILD)/libunlearn.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(FUZZ_MAIN) $(BUILD)/libunlearn.a -o $@ $(LDFLAGS) $(LDLIBS)
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh fuzz $(FUZZ_SECONDS)
fuzz-smoke:
	bash tests/fuzz/run.sh smoke

clean:
	rm -rf build build-asan build-fuzz build-fuzz-replay bin
