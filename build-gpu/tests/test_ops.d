build-gpu/tests/test_ops.o: tests/test_ops.c tests/check.h \
 include/whygpu.h src/cpu/gemm_kernels.h tests/reference.h
tests/check.h:
include/whygpu.h:
src/cpu/gemm_kernels.h:
tests/reference.h:
