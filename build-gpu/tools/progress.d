build-gpu/tools/progress.o: tools/progress.c tools/progress.h tools/cli.h \
 include/whygpu.h
tools/progress.h:
tools/cli.h:
include/whygpu.h:
