build-gpu/tools/cli.o: tools/cli.c tools/cli.h include/whygpu.h
tools/cli.h:
include/whygpu.h:
