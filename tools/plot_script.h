/*
 * plot_script.h - what the chart modules of `whygpu plot` share (tools-local): the pieces of
 * a gnuplot script (plot_gnuplot.c) and one function per chart kind, each reading and
 * checking every field it needs with json_read before it writes any of the script.
 */
#ifndef WG_PLOT_SCRIPT_H
#define WG_PLOT_SCRIPT_H

#include <stdio.h>

#include "json_read.h"
#include "plot.h"

/* A gnuplot string in single quotes (a quote doubled, line breaks made spaces). */
void gp_string(FILE *out, const char *text);
/* The terminal (SVG or PNG by out_path's extension), the output and the common style. */
void gp_terminal(FILE *out, const char *out_path, int width, int height);
/* A title, formatted, not taken as gnuplot's enhanced text. */
void gp_title(FILE *out, const char *format, ...) __attribute__((format(printf, 2, 3)));

#ifdef WG_HAVE_CJSON
/* The charts: each writes the script for `root` to `out`; 0, or -1 with r->error set. */
int plot_sweep(jr *r, const cJSON *root, const char *out_path, FILE *out);
int plot_roofline(jr *r, const cJSON *root, const char *out_path, FILE *out);
int plot_ladder(jr *r, const cJSON *root, const char *out_path, FILE *out);
int plot_train(jr *r, const cJSON *root, const char *out_path, FILE *out);
#endif

#endif /* WG_PLOT_SCRIPT_H */
