build-gpu/tests/test_timeit.o: tests/test_timeit.c tests/check.h \
 include/whygpu.h
tests/check.h:
include/whygpu.h:
