build-gpu/src/cpu/cpu_backend.o: src/cpu/cpu_backend.c \
 src/cpu/cpu_backend.h src/cpu/../backend.h include/whygpu.h \
 src/cpu/../error.h
src/cpu/cpu_backend.h:
src/cpu/../backend.h:
include/whygpu.h:
src/cpu/../error.h:
