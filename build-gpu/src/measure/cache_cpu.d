build-gpu/src/measure/cache_cpu.o: src/measure/cache_cpu.c \
 src/measure/../cpu/cpu_backend.h src/measure/../cpu/../backend.h \
 include/whygpu.h src/measure/../error.h src/measure/simd_kernels.h \
 src/measure/measure.h
src/measure/../cpu/cpu_backend.h:
src/measure/../cpu/../backend.h:
include/whygpu.h:
src/measure/../error.h:
src/measure/simd_kernels.h:
src/measure/measure.h:
