build-gpu/src/measure/simd_avx512.o: src/measure/simd_avx512.c \
 src/measure/simd_kernels.h src/measure/measure.h include/whygpu.h \
 src/measure/simd_kernels.inc
src/measure/simd_kernels.h:
src/measure/measure.h:
include/whygpu.h:
src/measure/simd_kernels.inc:
