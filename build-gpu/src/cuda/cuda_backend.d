build-gpu/src/cuda/cuda_backend.o: src/cuda/cuda_backend.c \
 src/cuda/cuda_backend.h src/cuda/../backend.h include/whygpu.h
src/cuda/cuda_backend.h:
src/cuda/../backend.h:
include/whygpu.h:
