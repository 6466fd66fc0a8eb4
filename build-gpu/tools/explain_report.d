build-gpu/tools/explain_report.o: tools/explain_report.c tools/explain.h \
 tools/../src/report/json_writer.h tools/progress.h include/whygpu.h
tools/explain.h:
tools/../src/report/json_writer.h:
tools/progress.h:
include/whygpu.h:
