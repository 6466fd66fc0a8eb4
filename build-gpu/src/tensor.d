build-gpu/src/tensor.o: src/tensor.c src/backend.h include/whygpu.h \
 src/error.h src/tensor_internal.h
src/backend.h:
include/whygpu.h:
src/error.h:
src/tensor_internal.h:
