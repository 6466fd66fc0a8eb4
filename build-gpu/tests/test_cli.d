build-gpu/tests/test_cli.o: tests/test_cli.c tests/check.h \
 include/whygpu.h
tests/check.h:
include/whygpu.h:
