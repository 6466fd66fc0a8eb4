build-gpu/tests/test_measure_gpu.o: tests/test_measure_gpu.c \
 tests/check.h include/whygpu.h src/measure/measure.h
tests/check.h:
include/whygpu.h:
src/measure/measure.h:
