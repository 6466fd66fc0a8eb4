build-gpu/tools/cmd_explain.o: tools/cmd_explain.c tools/cli.h \
 include/whygpu.h tools/explain.h tools/../src/report/json_writer.h \
 tools/progress.h
tools/cli.h:
include/whygpu.h:
tools/explain.h:
tools/../src/report/json_writer.h:
tools/progress.h:
