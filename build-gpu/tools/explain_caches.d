build-gpu/tools/explain_caches.o: tools/explain_caches.c \
 tools/../src/measure/measure.h include/whygpu.h tools/explain.h \
 tools/../src/report/json_writer.h tools/progress.h
tools/../src/measure/measure.h:
include/whygpu.h:
tools/explain.h:
tools/../src/report/json_writer.h:
tools/progress.h:
