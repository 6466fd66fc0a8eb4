build-gpu/src/measure/gpu_measure.o: src/measure/gpu_measure.c \
 src/measure/../error.h include/whygpu.h src/measure/measure.h \
 src/measure/../cuda/cuda_measure.h \
 src/measure/../cuda/../measure/measure.h
src/measure/../error.h:
include/whygpu.h:
src/measure/measure.h:
src/measure/../cuda/cuda_measure.h:
src/measure/../cuda/../measure/measure.h:
