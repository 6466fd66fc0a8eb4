build-gpu/src/cpu/cpuinfo.o: src/cpu/cpuinfo.c src/error.h \
 include/whygpu.h
src/error.h:
include/whygpu.h:
