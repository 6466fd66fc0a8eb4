build-gpu/src/measure/latency_cpu.o: src/measure/latency_cpu.c \
 src/measure/../cpu/cpu_backend.h src/measure/../cpu/../backend.h \
 include/whygpu.h src/measure/../error.h src/measure/measure.h
src/measure/../cpu/cpu_backend.h:
src/measure/../cpu/../backend.h:
include/whygpu.h:
src/measure/../error.h:
src/measure/measure.h:
