build-gpu/src/device.o: src/device.c src/backend.h include/whygpu.h \
 src/error.h src/cuda/cuda_backend.h src/cuda/../backend.h
src/backend.h:
include/whygpu.h:
src/error.h:
src/cuda/cuda_backend.h:
src/cuda/../backend.h:
