build-gpu/tools/cmd_info.o: tools/cmd_info.c tools/cli.h include/whygpu.h \
 src/report/json_writer.h
tools/cli.h:
include/whygpu.h:
src/report/json_writer.h:
