build-gpu/src/report/json_writer.o: src/report/json_writer.c \
 src/report/json_writer.h
src/report/json_writer.h:
