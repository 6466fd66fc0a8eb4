build-gpu/tests/test_cpuinfo.o: tests/test_cpuinfo.c tests/check.h \
 include/whygpu.h
tests/check.h:
include/whygpu.h:
