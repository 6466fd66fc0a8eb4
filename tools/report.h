/*
 * report.h - `whygpu report` (tools-local): the documents a page is made of, where they come
 * from (report_docs.c: run this whygpu's commands with --json, or load saved JSON) and the
 * page itself (report_html.c).
 */
#ifndef WG_REPORT_H
#define WG_REPORT_H

#include "recorded.h"

typedef struct report_options {
    const char *output;
    const char *from;
    const char *save;
    int quick;
    const char *device; /* --device: passed to demo, explain, sweep and ladder; NULL: theirs */
    const char *reference; /* --reference: NULL (default), "none", a name or a folder */
} report_options;

#ifdef WG_HAVE_CJSON
#include <cjson/cJSON.h>

enum { DOC_INFO, DOC_DEMO, DOC_EXPLAIN, DOC_SWEEP, DOC_LADDER, DOC_TRAIN, DOC_COUNT };
/* The documents' file names without ".json" ("info", "demo", ...), by DOC_ index. */
extern const char *const report_doc_names[DOC_COUNT];

typedef struct report {
    report_options o;
    char dir[512];          /* where the JSON and charts are */
    int temporary;          /* dir is ours to remove */
    int dir_slot;           /* dir's entry on the SIGINT/SIGTERM cleanup list, or -1 */
    int doc_slot[DOC_COUNT]; /* each JSON file's in a temporary dir, or -1 */
    cJSON *doc[DOC_COUNT];
    char note[DOC_COUNT][512]; /* why a document is absent */
    char *chart[DOC_COUNT];    /* inline SVG, or NULL */
    char chart_note[DOC_COUNT][512];
    int failed;
    recorded ref;              /* a reference machine's figures for the GPU parts, or none */
    int recorded_doc[DOC_COUNT]; /* the document is the reference's (recorded elsewhere) */
    char ref_note[600];        /* why no reference is shown, when one was sought */
} report;

/* After collecting: opens the reference (default: h100 when the documents name no GPU) and
 * puts its ladder where this machine has none. 0, or CLI_EXIT_USAGE when a named reference
 * cannot be loaded. */
int report_use_reference(report *rep);

/* The documents: with o.from, loaded from that folder (CLI_EXIT_FAILURE when none is
 * there); else measured by running this whygpu's commands into o.save or a temporary
 * folder. Problems are said on stderr; a document that failed leaves rep->failed set. */
int report_collect(report *rep);
/* Charts of the sweep, explain, ladder and train documents as inline SVG (or why not),
 * drawn in a private temporary folder removed afterwards: never into dir, which may be
 * the user's (--from), read-only or shared with another run. */
void report_draw_charts(report *rep);
/* The page; 0, or -1 with the reason on stderr. */
int report_write_html(const report *rep, const char *path);
/* Frees the documents and charts and removes a temporary folder. */
void report_free(report *rep);
#endif /* WG_HAVE_CJSON */

#endif /* WG_REPORT_H */
