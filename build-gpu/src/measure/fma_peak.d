build-gpu/src/measure/fma_peak.o: src/measure/fma_peak.c \
 src/measure/../error.h include/whygpu.h src/measure/simd_kernels.h \
 src/measure/measure.h
src/measure/../error.h:
include/whygpu.h:
src/measure/simd_kernels.h:
src/measure/measure.h:
