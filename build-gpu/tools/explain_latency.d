build-gpu/tools/explain_latency.o: tools/explain_latency.c \
 tools/../src/measure/measure.h include/whygpu.h tools/explain.h \
 tools/../src/report/json_writer.h tools/progress.h
tools/../src/measure/measure.h:
include/whygpu.h:
tools/explain.h:
tools/../src/report/json_writer.h:
tools/progress.h:
