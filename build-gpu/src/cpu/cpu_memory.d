build-gpu/src/cpu/cpu_memory.o: src/cpu/cpu_memory.c src/cpu/../error.h \
 include/whygpu.h src/cpu/cpu_backend.h src/cpu/../backend.h
src/cpu/../error.h:
include/whygpu.h:
src/cpu/cpu_backend.h:
src/cpu/../backend.h:
