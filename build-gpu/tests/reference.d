build-gpu/tests/reference.o: tests/reference.c tests/reference.h
tests/reference.h:
