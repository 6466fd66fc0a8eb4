build-gpu/tools/whygpu.o: tools/whygpu.c tools/cli.h include/whygpu.h
tools/cli.h:
include/whygpu.h:
