build-gpu/src/cpu/cpu_elementwise.o: src/cpu/cpu_elementwise.c \
 src/cpu/cpu_backend.h src/cpu/../backend.h include/whygpu.h \
 src/cpu/../rng.h
src/cpu/cpu_backend.h:
src/cpu/../backend.h:
include/whygpu.h:
src/cpu/../rng.h:
