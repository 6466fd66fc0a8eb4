/*
 * format.c - numbers for people: durations and byte sizes with a fitting unit, used by
 * every table whygpu prints and every message that names a size.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "whygpu.h"

const char *wg_format_seconds(double seconds, char *buf, size_t size)
{
    static const struct { double scale; const char *unit; } units[] = {
        {1.0, "s"}, {1e-3, "ms"}, {1e-6, "us"}, {1e-9, "ns"}};
    if (!buf || size == 0) return "";
    if (!isfinite(seconds) || seconds < 0) {
        snprintf(buf, size, "n/a");
        return buf;
    }
    size_t u = 0;
    while (u + 1 < sizeof units / sizeof units[0] && seconds < units[u].scale) u++;
    double value = seconds / units[u].scale;
    const char *format = value >= 100 ? "%.0f %s" : value >= 10 ? "%.1f %s" : "%.2f %s";
    snprintf(buf, size, format, value, units[u].unit);
    return buf;
}

const char *wg_format_bytes(double bytes, char *buf, size_t size)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (!buf || size == 0) return "";
    if (!isfinite(bytes) || bytes < 0) {
        snprintf(buf, size, "n/a");
        return buf;
    }
    int unit = 0;
    while (bytes >= 1024.0 && unit < 6) {
        bytes /= 1024.0;
        unit++;
    }
    if (unit == 0 || bytes == floor(bytes))
        snprintf(buf, size, "%.0f %s", bytes, units[unit]);
    else
        snprintf(buf, size, "%.1f %s", bytes, units[unit]);
    return buf;
}
