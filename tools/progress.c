/*
 * progress.c - see progress.h.
 */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static void draw(progress *p)
{
    double elapsed = wg_now() - p->phase_start;
    char line[256];
    if (p->estimate_s > 0) {
        double share = 100.0 * elapsed / p->estimate_s;
        snprintf(line, sizeof line, "  %s: %s, %.1f s of ~%.1f s (%.0f%%)", p->label, p->phase,
                 elapsed, p->estimate_s, share > 99 ? 99 : share);
    } else {
        snprintf(line, sizeof line, "  %s: %s, %.1f s", p->label, p->phase, elapsed);
    }
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
}

static void *redraw_loop(void *arg)
{
    progress *p = arg;
    const struct timespec tick = {0, 250 * 1000 * 1000};
    for (;;) {
        pthread_mutex_lock(&p->lock);
        int stop = p->stop;
        if (!stop && p->phase[0]) draw(p);
        pthread_mutex_unlock(&p->lock);
        if (stop) break;
        nanosleep(&tick, NULL);
    }
    return NULL;
}

void progress_begin(progress *p, const char *label, int enabled)
{
    memset(p, 0, sizeof *p);
    if (!enabled) return;
    pthread_mutex_init(&p->lock, NULL);
    snprintf(p->label, sizeof p->label, "%s", label);
    /* Redrawn in place only on a terminal that understands ESC[K: TERM=dumb (Emacs shells,
     * some CI logs) and no TERM at all get plain lines. */
    const char *term = getenv("TERM");
    p->tty = cli_is_tty(2) && term && *term && strcmp(term, "dumb") != 0;
    if (p->tty && pthread_create(&p->thread, NULL, redraw_loop, p) == 0) p->running = 1;
    p->label[sizeof p->label - 1] = '\0';
}

void progress_on_phase(void *context, const char *phase, int index, int total, double estimate_s)
{
    progress *p = context;
    if (!p->label[0]) return;
    pthread_mutex_lock(&p->lock);
    if (total > 0)
        snprintf(p->phase, sizeof p->phase, "%s %d/%d", phase, index, total);
    else
        snprintf(p->phase, sizeof p->phase, "%s", phase);
    p->phase_start = wg_now();
    p->estimate_s = estimate_s;
    if (!p->tty) {
        if (estimate_s > 0)
            fprintf(stderr, "  %s: %s (about %.1f s)\n", p->label, p->phase, estimate_s);
        else
            fprintf(stderr, "  %s: %s\n", p->label, p->phase);
    }
    pthread_mutex_unlock(&p->lock);
}

void progress_end(progress *p)
{
    if (!p->label[0]) return;
    if (p->running) {
        pthread_mutex_lock(&p->lock);
        p->stop = 1;
        pthread_mutex_unlock(&p->lock);
        pthread_join(p->thread, NULL);
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
    }
    pthread_mutex_destroy(&p->lock);
    p->label[0] = '\0';
}
