/*
 * ladder_tuning.c - rung 6's tuning table: which compiled tile variant (WG_L6_VARIANTS)
 * runs on which GPU. A text table, one GPU a line, "SMS<TAB>VARIANT<TAB>GPU NAME", written
 * by scripts/ladder-autotune.sh after timing every variant on that GPU; the committed copy
 * (src/ladder6-tuning.txt) is compiled in, and WHYGPU_LADDER_TUNING names another file.
 * Plain C, in every build, so the reader and writer are tested without a GPU.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ladder.h"
#include "nn/file_io.h"

static const char builtin_table[] =
#include "ladder6-tuning.txt.h"
    ;

const char *wg_ladder_tuning_builtin(void) { return builtin_table; }

/* One parsed line: the fields point into `copy` (a private copy of the line). */
typedef struct tuning_line {
    char copy[512];
    int sms;
    const char *variant, *gpu;
    int blank; /* comment or empty */
} tuning_line;

/* Parses the line [start, end) of the table; number is for messages (1-based). */
static wg_status parse_line(const char *start, size_t len, int number, tuning_line *out)
{
    memset(out, 0, sizeof *out);
    if (len >= sizeof out->copy)
        return wg_fail(WG_ERR_ARGUMENT, "tuning table line %d: longer than %zu characters",
                       number, sizeof out->copy - 1);
    memcpy(out->copy, start, len);
    out->copy[len] = '\0';
    if (len > 0 && out->copy[len - 1] == '\r') out->copy[--len] = '\0';
    const char *p = out->copy;
    while (*p == ' ') p++;
    if (*p == '\0' || *p == '#') {
        out->blank = 1;
        return WG_OK;
    }
    char *sms_end = NULL;
    errno = 0;
    long sms = strtol(out->copy, &sms_end, 10);
    char *tab1 = strchr(out->copy, '\t');
    char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
    if (errno || sms_end != tab1 || sms < 1 || sms > 100000 || !tab1 || !tab2 ||
        tab2 == tab1 + 1 || tab2[1] == '\0' || tab2[1] == '\t')
        return wg_fail(WG_ERR_ARGUMENT, "tuning table line %d: expected \"SMS<TAB>VARIANT<TAB>"
                       "GPU NAME\", got \"%s\"", number, out->copy);
    *tab1 = '\0';
    *tab2 = '\0';
    char *tab3 = strchr(tab2 + 1, '\t'); /* an optional note after the name */
    if (tab3) *tab3 = '\0';
    out->sms = (int)sms;
    out->variant = tab1 + 1;
    out->gpu = tab2 + 1;
    if (wg_ladder6_variant_find(out->variant) < 0)
        return wg_fail(WG_ERR_ARGUMENT, "tuning table line %d: unknown rung 6 variant '%s'",
                       number, out->variant);
    return WG_OK;
}

/* Calls parse_line on each line of table; *variant is the variant of the line matching
 * gpu and sms (the last one if several), unchanged when none does. */
static wg_status scan(const char *table, const char *gpu, int sms, int *variant)
{
    int number = 0;
    for (const char *line = table; *line;) {
        const char *end = strchr(line, '\n');
        const size_t len = end ? (size_t)(end - line) : strlen(line);
        tuning_line parsed;
        wg_status status = parse_line(line, len, ++number, &parsed);
        if (status != WG_OK) return status;
        if (!parsed.blank && parsed.sms == sms && strcmp(parsed.gpu, gpu) == 0) {
            *variant = wg_ladder6_variant_find(parsed.variant);
        }
        line += len + (end != NULL);
    }
    return WG_OK;
}

wg_status wg_ladder_tuning_lookup(const char *table, const char *gpu, int sms, int *variant)
{
    if (!table || !gpu || !variant)
        return wg_fail(WG_ERR_ARGUMENT, "wg_ladder_tuning_lookup: NULL argument");
    int found = 0;
    wg_status status = scan(table, gpu, sms, &found);
    if (status != WG_OK) return status;
    *variant = found;
    return WG_OK;
}

/* Reads the whole file at path into a malloc'd, NUL-terminated string. */
static wg_status read_text(const char *path, char **out)
{
    uint8_t *data = NULL;
    size_t size = 0;
    wg_status status = wg_read_whole_file(path, &data, &size);
    if (status != WG_OK) return status;
    char *text = realloc(data, size + 1);
    if (!text) {
        free(data);
        return wg_fail(WG_ERR_NO_MEMORY, "reading the tuning table %s: out of memory", path);
    }
    text[size] = '\0';
    *out = text;
    return WG_OK;
}

wg_status wg_ladder6_choose(const char *gpu, int sms, int *variant)
{
    if (!gpu || !variant) return wg_fail(WG_ERR_ARGUMENT, "wg_ladder6_choose: NULL argument");
    const char *forced = getenv("WHYGPU_LADDER6_VARIANT");
    if (forced && forced[0]) {
        const int index = wg_ladder6_variant_find(forced);
        if (index < 0)
            return wg_fail(WG_ERR_ARGUMENT, "WHYGPU_LADDER6_VARIANT=%s: no such rung 6 "
                           "variant (e.g. %s)", forced, wg_ladder6_variant_get(0)->name);
        *variant = index;
        return WG_OK;
    }
    const char *path = getenv("WHYGPU_LADDER_TUNING");
    if (path && path[0]) {
        char *text = NULL;
        wg_status status = read_text(path, &text);
        if (status != WG_OK) return status;
        status = wg_ladder_tuning_lookup(text, gpu, sms, variant);
        free(text);
        return status;
    }
    return wg_ladder_tuning_lookup(builtin_table, gpu, sms, variant);
}
