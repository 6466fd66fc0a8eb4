build-gpu/src/error.o: src/error.c src/error.h include/whygpu.h
src/error.h:
include/whygpu.h:
