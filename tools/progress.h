/*
 * progress.h - progress for long measurements, on stderr.
 *
 * On a terminal a background thread redraws one line in place (phase, elapsed seconds and
 * the share of the expected time); elsewhere (logs, pipes) each phase prints one plain line.
 * It plugs into wg_timeit through wg_timeit_progress_fn.
 */
#ifndef WG_PROGRESS_H
#define WG_PROGRESS_H

#include <pthread.h>

typedef struct progress {
    pthread_mutex_t lock;
    pthread_t thread;
    int running;       /* the redraw thread exists */
    int stop;
    int tty;
    char label[128];
    char phase[64];
    double phase_start;
    double estimate_s; /* expected length of the phase, 0 if unknown */
} progress;

/* Starts reporting under `label`; `enabled` 0 makes every call a no-op. */
void progress_begin(progress *p, const char *label, int enabled);
/* A wg_timeit_progress_fn; context is the progress. */
void progress_on_phase(void *context, const char *phase, int index, int total, double estimate_s);
/* Stops the redraw thread and clears the line. */
void progress_end(progress *p);

#endif /* WG_PROGRESS_H */
