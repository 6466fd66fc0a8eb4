build-gpu/src/measure/timeit.o: src/measure/timeit.c \
 src/measure/../backend.h include/whygpu.h src/measure/../error.h
src/measure/../backend.h:
include/whygpu.h:
src/measure/../error.h:
