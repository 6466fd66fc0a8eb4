# whygpu - build, test and install.
#
#   make                 build libwhygpu.a, the whygpu tool and the tests into build/
#   make test            build, then run every test (GPU tests skip with a reason here)
#   make CUDA=0          a CPU-only build, even where nvcc is installed
#   make SANITIZE=1 test the same under AddressSanitizer + UndefinedBehaviorSanitizer
#                        (its own build folder, build-asan/)
#   make CUDA_GENCODE='-gencode arch=compute_90,code=sm_90'   choose GPU targets
#
# The CUDA backend is compiled when nvcc is found (on PATH or in /usr/local/cuda/bin),
# unless CUDA=0; CUDA=1 makes a missing nvcc an error.

CC       ?= cc
CUDA     ?= auto
SANITIZE ?= 0

ifeq ($(SANITIZE),1)
BUILD    ?= build-asan
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
BUILD    ?= build
SANFLAGS :=
endif

# ---- CUDA detection -----------------------------------------------------------------
NVCC := $(shell command -v nvcc 2>/dev/null || ls /usr/local/cuda/bin/nvcc 2>/dev/null)
ifeq ($(CUDA),0)
NVCC :=
endif
ifeq ($(CUDA),1)
ifeq ($(NVCC),)
$(error CUDA=1 but nvcc was not found on PATH or in /usr/local/cuda/bin)
endif
endif

CUDA_HOME    ?= $(abspath $(dir $(NVCC))..)
# sm_80 (A100) and sm_90 (H100) machine code, plus PTX the driver can compile for newer GPUs.
CUDA_GENCODE ?= -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 \
                -gencode arch=compute_90,code=compute_90

# ---- optional cJSON (tests read JSON back with it; absent: those tests skip) ----------
HASH := \#
HAVE_CJSON := $(shell printf '$(HASH)include <cjson/cJSON.h>\nint main(void) { return !cJSON_Version(); }\n' \
                | $(CC) -x c - -lcjson -o /dev/null >/dev/null 2>&1 && echo 1)

# ---- flags ------------------------------------------------------------------------------
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CPPFLAGS += -Iinclude -Isrc -D_GNU_SOURCE
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 $(WARN) -fopenmp $(SANFLAGS) -MMD -MP
LDFLAGS  += -fopenmp $(SANFLAGS)
LDLIBS   := -lm -lpthread

NVCCFLAGS := -O3 -std=c++17 -Iinclude -Isrc $(CUDA_GENCODE) --Werror all-warnings \
             -Xcompiler -Wall,-Wextra,-Werror -lineinfo -MMD -MP

LIB_SRC  := $(wildcard src/*.c src/cpu/*.c src/measure/*.c src/report/*.c src/nn/*.c)
ifneq ($(NVCC),)
CPPFLAGS += -DWG_WITH_CUDA
LIB_SRC  += $(wildcard src/cuda/*.c)
CU_SRC   := $(wildcard src/cuda/*.cu)
LDLIBS   += -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcublas -lcudart -lstdc++
endif

TOOL_SRC := $(wildcard tools/*.c)
TEST_SRC := $(wildcard tests/*.c)
TEST_LIBS :=
ifeq ($(HAVE_CJSON),1)
TEST_CPPFLAGS := -DWG_HAVE_CJSON
TEST_LIBS := -lcjson
endif

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(CU_SRC:%.cu=$(BUILD)/%.o)
TOOL_OBJ := $(TOOL_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)

LIB    := $(BUILD)/libwhygpu.a
WHYGPU := $(BUILD)/whygpu
TESTS  := $(BUILD)/test_whygpu

.PHONY: all test clean print-config
all: $(WHYGPU) $(TESTS)

# The CPU matmul kernels are the hot loops compiled here: -O3, and FMA contraction so the
# compiler turns their vector-extension multiply-adds into fused multiply-adds (strict
# -std=c11 turns contraction off by default).
$(BUILD)/src/cpu/gemm_%.o: CFLAGS += -O3 -ffp-contract=fast
# The measurement loops (src/measure/simd_*.c) likewise; the copy loop must stay a loop, not
# become a call to memcpy.
$(BUILD)/src/measure/simd_%.o: CFLAGS += -O3 -ffp-contract=fast -fno-tree-loop-distribute-patterns

$(BUILD)/tests/%.o: CPPFLAGS += $(TEST_CPPFLAGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.cu
	@mkdir -p $(dir $@)
	$(NVCC) $(NVCCFLAGS) -DWG_WITH_CUDA -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(WHYGPU): $(TOOL_OBJ) $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(TESTS): $(TEST_OBJ) $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) $(TEST_LIBS) -o $@

# ASan: cudart reserves address space that overlaps ASan's shadow gap on GPU machines.
test: $(WHYGPU) $(TESTS)
	ASAN_OPTIONS=protect_shadow_gap=0:detect_leaks=1 ./$(TESTS) --whygpu ./$(WHYGPU)

print-config:
	@echo "nvcc: $(if $(NVCC),$(NVCC),none (CPU-only build))"
	@echo "cJSON: $(if $(HAVE_CJSON),yes,no)"
	@echo "build: $(BUILD)"

clean:
	rm -rf build build-asan build-cpu

-include $(LIB_OBJ:.o=.d) $(TOOL_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
