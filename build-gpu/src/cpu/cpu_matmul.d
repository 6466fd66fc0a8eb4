build-gpu/src/cpu/cpu_matmul.o: src/cpu/cpu_matmul.c src/cpu/../error.h \
 include/whygpu.h src/cpu/cpu_backend.h src/cpu/../backend.h \
 src/cpu/gemm_kernels.h
src/cpu/../error.h:
include/whygpu.h:
src/cpu/cpu_backend.h:
src/cpu/../backend.h:
src/cpu/gemm_kernels.h:
