# whygpu - build, test and install.
#
#   make                 build libwhygpu.a, the whygpu tool and the tests into build/
#   make test            build, then run every test (GPU tests skip with a reason here)
#   make CUDA=0          a CPU-only build, even where nvcc is installed
#   make SANITIZE=1 test the same under AddressSanitizer + UndefinedBehaviorSanitizer
#                        (its own build folder, build-asan/)
#   make fuzz FUZZ_SECONDS=20   fuzz the IDX and checkpoint parsers with clang's libFuzzer
#                        (build-fuzz/; needs clang and libclang-rt-14-dev)
#   make ZLIB=0          build without zlib even where it is installed (gzip IDX refused)
#   make CUDA_GENCODE='-gencode arch=compute_90,code=sm_90'   choose GPU targets
#   make install PREFIX=/usr/local [DESTDIR=...]   the static and shared library, the
#                        headers, the whygpu tool, whygpu.pc (pkg-config) and the docs;
#                        make uninstall removes them (same PREFIX)
#   make examples        the programs of examples/, built against this build's library
#
# The CUDA backend is compiled when nvcc is found (on PATH or in /usr/local/cuda/bin),
# unless CUDA=0; CUDA=1 makes a missing nvcc an error.

# `make` alone builds everything (the OpenCL objects' order-only rule below would
# otherwise be the first target, and the default)
.DEFAULT_GOAL := all

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
# sm_75 (T4, the free hosted GPU; RTX 20xx), sm_80 (A100) and sm_90 (H100) machine code,
# plus PTX the driver can compile for newer GPUs.
CUDA_GENCODE ?= -gencode=arch=compute_75,code=sm_75 -gencode=arch=compute_80,code=sm_80 \
                -gencode=arch=compute_90,code=sm_90 -gencode=arch=compute_90,code=compute_90
# The ladder rungs that use sm_80 features (6: cp.async; 7, 8: TF32/BF16 tensor-core WMMA)
# are built for the targets from sm_80 up only; on an older GPU the ladder skips them and
# says why (their minimum compute capability).
comma := ,
CUDA_GENCODE_SM80 := $(or $(filter-out -gencode=arch=compute_7%,$(CUDA_GENCODE)),\
                          -gencode=arch=compute_80$(comma)code=sm_80)

# ---- optional cJSON (whygpu plot/report and the tests read JSON with it; absent: plot and
# report say so, those tests skip). CJSON=0: off ---------------------------------------------
HASH := \#
HAVE_CJSON := $(shell printf '$(HASH)include <cjson/cJSON.h>\nint main(void) { return !cJSON_Version(); }\n' \
                | $(CC) -x c - -lcjson -o /dev/null >/dev/null 2>&1 && echo 1)
ifeq ($(CJSON),0)
HAVE_CJSON :=
endif

# ---- optional zlib (gzip-compressed IDX files; absent: gunzip them first). ZLIB=0: off --
HAVE_ZLIB := $(shell printf '$(HASH)include <zlib.h>\nint main(void) { return !zlibVersion(); }\n' \
                | $(CC) -x c - -lz -o /dev/null >/dev/null 2>&1 && echo 1)
ifeq ($(ZLIB),0)
HAVE_ZLIB :=
endif
ZLIB_CPPFLAGS := $(if $(HAVE_ZLIB),-DWG_HAVE_ZLIB)
ZLIB_LIBS     := $(if $(HAVE_ZLIB),-lz)

# ---- optional OpenCL (the opencl:N devices: any vendor's GPU, or PoCL on the CPU; absent:
# those devices say why). Needs the ICD loader and headers (ocl-icd-opencl-dev,
# opencl-c-headers); CLBlast (libclblast-dev), the vendor reference GEMM, is optional on top.
# OPENCL=0: off ------------------------------------------------------------------------------
HAVE_OPENCL := $(shell printf '$(HASH)define CL_TARGET_OPENCL_VERSION 120\n$(HASH)include <CL/cl.h>\nint main(void) { cl_uint n; return clGetPlatformIDs(0, 0, &n); }\n' \
                | $(CC) -x c - -lOpenCL -o /dev/null >/dev/null 2>&1 && echo 1)
ifeq ($(OPENCL),0)
HAVE_OPENCL :=
endif
HAVE_CLBLAST := $(if $(HAVE_OPENCL),$(shell printf '$(HASH)include <clblast_c.h>\nint main(void) { return CLBlastClearCache() != CLBlastSuccess; }\n' \
                | $(CC) -x c - -lclblast -lOpenCL -o /dev/null >/dev/null 2>&1 && echo 1))
ifeq ($(CLBLAST),0)
HAVE_CLBLAST :=
endif

# ---- flags ------------------------------------------------------------------------------
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CPPFLAGS += -Iinclude -Isrc -D_GNU_SOURCE $(ZLIB_CPPFLAGS)
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 $(WARN) -fopenmp $(SANFLAGS) -MMD -MP
LDFLAGS  += -fopenmp $(SANFLAGS)
LDLIBS   := -lm -lpthread $(ZLIB_LIBS)

NVCCFLAGS := -O3 -std=c++17 -Iinclude -Isrc $(CUDA_GENCODE) --Werror all-warnings \
             -Xcompiler -Wall,-Wextra,-Werror -lineinfo -MMD -MP

# CUDA is one of two units: src/cuda/ when nvcc is found, else src/cuda_stub.c, whose entry
# points all fail with "whygpu was built without CUDA".
LIB_SRC  := $(filter-out src/cuda_stub.c src/opencl_stub.c,$(wildcard src/*.c src/cpu/*.c \
                                        src/measure/*.c src/report/*.c src/nn/*.c))
ifneq ($(NVCC),)
CPPFLAGS += -DWG_WITH_CUDA
LIB_SRC  += $(wildcard src/cuda/*.c)
CU_SRC   := $(wildcard src/cuda/*.cu)
LDLIBS   += -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcublasLt -lcublas -lcudart -lstdc++
else
LIB_SRC  += src/cuda_stub.c
endif

# OpenCL likewise: src/opencl/ when its headers and loader are found, else src/opencl_stub.c.
ifeq ($(HAVE_OPENCL),1)
CPPFLAGS += -DWG_WITH_OPENCL $(if $(HAVE_CLBLAST),-DWG_HAVE_CLBLAST)
LIB_SRC  += $(wildcard src/opencl/*.c)
LDLIBS   += $(if $(HAVE_CLBLAST),-lclblast) -lOpenCL
else
LIB_SRC  += src/opencl_stub.c
endif
# The OpenCL C sources (src/opencl/kernels/*.cl) become C string literals in headers under
# $(BUILD)/gen, compiled into the library and built by the driver at run time.
CL_KERNELS := $(wildcard src/opencl/kernels/*.cl)
CL_HEADERS := $(CL_KERNELS:src/opencl/kernels/%.cl=$(BUILD)/gen/opencl/%.cl.h)
$(BUILD)/gen/opencl/%.cl.h: src/opencl/kernels/%.cl
	@mkdir -p $(dir $@)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@
$(BUILD)/src/opencl/%.o: CPPFLAGS += -I$(BUILD)/gen/opencl
$(patsubst %.c,$(BUILD)/%.o,$(wildcard src/opencl/*.c)): | $(CL_HEADERS)

# Rung 6's tuning table (src/ladder6-tuning.txt), compiled in as a string literal the
# same way.
$(BUILD)/gen/ladder6-tuning.txt.h: src/ladder6-tuning.txt
	@mkdir -p $(dir $@)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@
$(BUILD)/src/ladder_tuning.o: CPPFLAGS += -I$(BUILD)/gen
$(BUILD)/src/ladder_tuning.o: $(BUILD)/gen/ladder6-tuning.txt.h

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

.PHONY: all test clean print-config fuzz install uninstall shared examples
all: $(WHYGPU) $(TESTS)

# The CPU matmul kernels are the hot loops compiled here: -O3, and FMA contraction so the
# compiler turns their vector-extension multiply-adds into fused multiply-adds (strict
# -std=c11 turns contraction off by default).
$(BUILD)/src/cpu/gemm_%.o: CFLAGS += -O3 -ffp-contract=fast
# The measurement loops (src/measure/simd_*.c) likewise; the copy loop must stay a loop, not
# become a call to memcpy.
$(BUILD)/src/measure/simd_%.o: CFLAGS += -O3 -ffp-contract=fast -fno-tree-loop-distribute-patterns
# The training step's layer operations (bias, ReLU, their backward, the optimisers): -O3 so
# their per-ISA clones are vectorised.
$(BUILD)/src/nn/nn_cpu.o: CFLAGS += -O3

$(BUILD)/tests/%.o: CPPFLAGS += $(TEST_CPPFLAGS)
$(BUILD)/tools/%.o: CPPFLAGS += $(TEST_CPPFLAGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/src/cuda/ladder_6_%.o $(BUILD)/src/cuda/ladder_7_%.o $(BUILD)/src/cuda/ladder_8_%.o: \
    NVCCFLAGS := $(filter-out $(CUDA_GENCODE),$(NVCCFLAGS)) $(CUDA_GENCODE_SM80)
# The Hopper rungs (9-11: wgmma, TMA, setmaxnreg, clusters) exist only as sm_90a code (ptxas
# refuses wgmma for plain sm_90); elsewhere the registry says why they do not run.
$(BUILD)/src/cuda/ladder_9_%.o $(BUILD)/src/cuda/ladder_10_%.o $(BUILD)/src/cuda/ladder_11_%.o: \
    NVCCFLAGS := $(filter-out $(CUDA_GENCODE),$(NVCCFLAGS)) -gencode=arch=compute_90a,code=sm_90a

$(BUILD)/%.o: %.cu
	@mkdir -p $(dir $@)
	$(NVCC) $(NVCCFLAGS) -DWG_WITH_CUDA -c $< -o $@

# The commit the build comes from, for every JSON document's "commit" (src/build_commit.c);
# a stamp file that changes only with the commit rebuilds that one file.
WG_COMMIT := $(shell git describe --always --dirty --abbrev=40 2>/dev/null || echo unknown)
$(BUILD)/src/build_commit.o: CPPFLAGS += -DWG_COMMIT='"$(WG_COMMIT)"'
$(BUILD)/src/build_commit.o: $(BUILD)/commit.stamp
$(BUILD)/commit.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(WG_COMMIT)' | cmp -s - $@ || echo '$(WG_COMMIT)' > $@
.PHONY: FORCE
FORCE:

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(WHYGPU): $(TOOL_OBJ) $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) $(TEST_LIBS) -o $@

$(TESTS): $(TEST_OBJ) $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) $(TEST_LIBS) -o $@

# ASan: cudart reserves address space that overlaps ASan's shadow gap on GPU machines.
test: $(WHYGPU) $(TESTS)
	ASAN_OPTIONS=protect_shadow_gap=0:detect_leaks=1 ./$(TESTS) --whygpu ./$(WHYGPU)

print-config:
	@echo "nvcc: $(if $(NVCC),$(NVCC),none (CPU-only build))"
	@echo "cJSON: $(if $(HAVE_CJSON),yes,no)"
	@echo "zlib: $(if $(HAVE_ZLIB),yes,no)"
	@echo "OpenCL: $(if $(HAVE_OPENCL),yes,no) (CLBlast: $(if $(HAVE_CLBLAST),yes,no))"
	@echo "build: $(BUILD)"

# ---- fuzzing: make fuzz FUZZ_SECONDS=20 ---------------------------------------------------
# Builds the libFuzzer targets of tests/fuzz/ with clang (ASan + UBSan) from only the
# sources they need, writes a seed corpus, and runs each target for FUZZ_SECONDS.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_BUILD   := $(BUILD)-fuzz
FUZZ_LIB_SRC := src/error.c src/nn/idx.c src/nn/checkpoint.c src/nn/crc32.c src/nn/file_io.c \
                src/report/output_file.c
FUZZ_TARGETS := idx checkpoint
FUZZ_CFLAGS  := -std=c11 -g -O1 $(WARN) -Iinclude -Isrc -D_GNU_SOURCE $(ZLIB_CPPFLAGS) \
                -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_DEPS    := $(FUZZ_LIB_SRC) $(wildcard src/nn/*.h) src/error.h include/whygpu.h

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined $< $(FUZZ_LIB_SRC) \
	    $(ZLIB_LIBS) -lpthread -o $@

$(FUZZ_BUILD)/fuzz_seeds: tests/fuzz/fuzz_seeds.c tests/nn_files.c tests/nn_files.h $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itests -fsanitize=address,undefined $< tests/nn_files.c \
	    $(FUZZ_LIB_SRC) $(ZLIB_LIBS) -lpthread -o $@

fuzz: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%) $(FUZZ_BUILD)/fuzz_seeds
	./$(FUZZ_BUILD)/fuzz_seeds $(FUZZ_BUILD)/seeds
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_BUILD)/corpus-$$t || exit 1; \
	    echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	    ./$(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	        -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/crash-$$t- \
	        $(FUZZ_BUILD)/corpus-$$t $(FUZZ_BUILD)/seeds/$$t \
	        || exit 1; \
	done

clean:
	rm -rf build build-asan build-cpu build-fuzz build-pic build-cpu-pic

# ---- install: make install PREFIX=/usr/local [DESTDIR=/staging] -------------------------
# The shared library is linked from a second, position-independent build of the same
# sources in $(BUILD)-pic (a recursive make with PIC=1, so every per-file flag above applies
# there too); the static library and the tool stay as they are.
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     := $(PREFIX)/bin
LIBDIR     := $(PREFIX)/lib
INCLUDEDIR := $(PREFIX)/include
DOCDIR     := $(PREFIX)/share/doc/whygpu
PCDIR      := $(LIBDIR)/pkgconfig
WG_VER     := $(shell sed -n 's/^\#define WG_VERSION "\(.*\)"/\1/p' include/whygpu.h)
SONAME     := libwhygpu.so.$(firstword $(subst ., ,$(WG_VER)))
SHLIB      := $(BUILD)/libwhygpu.so.$(WG_VER)
PUBLIC_HEADERS := include/whygpu.h include/whygpu_lab.h
DOCS       := README.md $(wildcard docs/*.md)
EXAMPLES   := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))

ifeq ($(PIC),1)
CFLAGS    += -fPIC
NVCCFLAGS += -Xcompiler -fPIC
endif

$(BUILD)-pic/libwhygpu.a: FORCE
	$(MAKE) --no-print-directory BUILD=$(BUILD)-pic PIC=1 CUDA=$(CUDA) $@

$(SHLIB): $(BUILD)-pic/libwhygpu.a
	$(CC) -shared -Wl,-soname,$(SONAME) -o $@ -Wl,--whole-archive $< -Wl,--no-whole-archive \
	    $(LDFLAGS) $(LDLIBS)

shared: $(SHLIB)

# Libs.private: what a static link needs besides the library itself. Rewritten each time:
# PREFIX may differ from the last install.
$(BUILD)/whygpu.pc: FORCE
	@mkdir -p $(dir $@)
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	    'Name: whygpu' \
	    'Description: float32 tensors on the CPU and CUDA GPUs, and the measurements of why GPUs win' \
	    'Version: $(WG_VER)' \
	    'Cflags: -I$${includedir}' \
	    'Libs: -L$${libdir} -lwhygpu' \
	    'Libs.private: -fopenmp $(LDLIBS)' > $@

$(BUILD)/examples/%: examples/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< $(LDFLAGS) $(LIB) $(LDLIBS) -o $@

examples: $(EXAMPLES)

install: $(LIB) $(SHLIB) $(WHYGPU) $(BUILD)/whygpu.pc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(PCDIR) $(DESTDIR)$(DOCDIR)
	install -m 755 $(WHYGPU) $(DESTDIR)$(BINDIR)/whygpu
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libwhygpu.a
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/libwhygpu.so.$(WG_VER)
	ln -sf libwhygpu.so.$(WG_VER) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libwhygpu.so
	install -m 644 $(PUBLIC_HEADERS) $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 $(BUILD)/whygpu.pc $(DESTDIR)$(PCDIR)/whygpu.pc
	install -m 644 $(DOCS) $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/whygpu $(DESTDIR)$(LIBDIR)/libwhygpu.a \
	    $(DESTDIR)$(LIBDIR)/libwhygpu.so $(DESTDIR)$(LIBDIR)/$(SONAME) \
	    $(DESTDIR)$(LIBDIR)/libwhygpu.so.$(WG_VER) $(DESTDIR)$(PCDIR)/whygpu.pc \
	    $(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(notdir $(PUBLIC_HEADERS))) \
	    $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOCS)))
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null

.PHONY: FORCE
FORCE:

-include $(LIB_OBJ:.o=.d) $(TOOL_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
