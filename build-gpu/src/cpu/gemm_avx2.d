build-gpu/src/cpu/gemm_avx2.o: src/cpu/gemm_avx2.c src/cpu/gemm_kernels.h \
 src/cpu/gemm_blocked.inc
src/cpu/gemm_kernels.h:
src/cpu/gemm_blocked.inc:
