build-gpu/tools/cmd_demo.o: tools/cmd_demo.c \
 tools/../src/report/json_writer.h tools/cli.h include/whygpu.h \
 tools/progress.h
tools/../src/report/json_writer.h:
tools/cli.h:
include/whygpu.h:
tools/progress.h:
