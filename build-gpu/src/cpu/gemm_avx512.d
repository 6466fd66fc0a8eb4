build-gpu/src/cpu/gemm_avx512.o: src/cpu/gemm_avx512.c \
 src/cpu/gemm_kernels.h src/cpu/gemm_blocked.inc
src/cpu/gemm_kernels.h:
src/cpu/gemm_blocked.inc:
