build-gpu/tests/test_tensor.o: tests/test_tensor.c tests/check.h \
 include/whygpu.h tests/reference.h
tests/check.h:
include/whygpu.h:
tests/reference.h:
