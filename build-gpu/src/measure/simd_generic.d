build-gpu/src/measure/simd_generic.o: src/measure/simd_generic.c \
 src/measure/simd_kernels.inc src/measure/simd_kernels.h \
 src/measure/measure.h include/whygpu.h
src/measure/simd_kernels.inc:
src/measure/simd_kernels.h:
src/measure/measure.h:
include/whygpu.h:
