build-gpu/tests/check_main.o: tests/check_main.c tests/check.h \
 include/whygpu.h
tests/check.h:
include/whygpu.h:
