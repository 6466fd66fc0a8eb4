build-gpu/tests/test_json_writer.o: tests/test_json_writer.c \
 tests/check.h include/whygpu.h src/report/json_writer.h
tests/check.h:
include/whygpu.h:
src/report/json_writer.h:
