build-gpu/src/measure/cpu_threads.o: src/measure/cpu_threads.c \
 src/measure/measure.h include/whygpu.h
src/measure/measure.h:
include/whygpu.h:
