build-gpu/tests/test_measure_cpu.o: tests/test_measure_cpu.c \
 tests/check.h include/whygpu.h src/measure/measure.h
tests/check.h:
include/whygpu.h:
src/measure/measure.h:
