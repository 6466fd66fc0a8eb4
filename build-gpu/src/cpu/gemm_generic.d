build-gpu/src/cpu/gemm_generic.o: src/cpu/gemm_generic.c \
 src/cpu/gemm_blocked.inc src/cpu/gemm_kernels.h
src/cpu/gemm_blocked.inc:
src/cpu/gemm_kernels.h:
