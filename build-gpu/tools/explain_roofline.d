build-gpu/tools/explain_roofline.o: tools/explain_roofline.c \
 tools/../src/measure/measure.h include/whygpu.h tools/explain.h \
 tools/../src/report/json_writer.h tools/progress.h
tools/../src/measure/measure.h:
include/whygpu.h:
tools/explain.h:
tools/../src/report/json_writer.h:
tools/progress.h:
