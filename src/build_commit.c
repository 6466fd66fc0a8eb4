/*
 * build_commit.c - the git commit whygpu was built from, for every JSON document's "commit"
 * and `whygpu --version`. The Makefile passes it as WG_COMMIT (git describe --always
 * --dirty) and rebuilds this file alone when it changes; outside a checkout it is "unknown".
 */
#include "whygpu_lab.h"

#ifndef WG_COMMIT
#define WG_COMMIT "unknown"
#endif

const char *wg_build_commit(void) { return WG_COMMIT; }
