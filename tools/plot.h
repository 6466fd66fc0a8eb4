/*
 * plot.h - charts of whygpu's JSON results, drawn by gnuplot (a script generated here and
 * piped to it): the sweep (log-log time against size, three curves, crossovers marked),
 * the roofline from explain, the matmul kernel ladder (bars) and training curves.
 * `whygpu plot` is the command; `whygpu report` draws its charts with the same calls.
 */
#ifndef WG_PLOT_H
#define WG_PLOT_H

#include <stddef.h>

/* 1 when gnuplot can be run (WHYGPU_GNUPLOT, else `gnuplot` on PATH); else 0 and why. */
int plot_gnuplot_available(char *why, size_t size);

#ifdef WG_HAVE_CJSON
#include <cjson/cJSON.h>

/* Draws the chart of a parsed whygpu document (its "schema" picks the kind) into out_path,
 * SVG or PNG by its extension. `source` names the document in messages. Returns 0, or
 * CLI_EXIT_FAILURE with a one-line message in msg (a missing or malformed field named). */
int plot_document(const cJSON *root, const char *source, const char *out_path, char *msg,
                  size_t size);
#endif

#endif /* WG_PLOT_H */
