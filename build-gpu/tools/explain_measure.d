build-gpu/tools/explain_measure.o: tools/explain_measure.c \
 tools/../src/cpu/cpu_backend.h tools/../src/cpu/../backend.h \
 include/whygpu.h tools/../src/error.h tools/explain.h \
 tools/../src/report/json_writer.h tools/progress.h
tools/../src/cpu/cpu_backend.h:
tools/../src/cpu/../backend.h:
include/whygpu.h:
tools/../src/error.h:
tools/explain.h:
tools/../src/report/json_writer.h:
tools/progress.h:
