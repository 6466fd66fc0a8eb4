/*
 * test_json_writer.c - the streaming JSON writer: exact layout, escaping, numbers, and the
 * sticky error flag on misuse.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "whygpu_lab.h"

/* A writer into a memory buffer. */
typedef struct mem_json {
    char *text;
    size_t size;
    FILE *file;
    wg_json json;
} mem_json;

static int mem_open(mem_json *m)
{
    memset(m, 0, sizeof *m);
    m->file = open_memstream(&m->text, &m->size);
    if (!m->file) return -1;
    wg_json_init(&m->json, m->file);
    return 0;
}

/* Finishes the document, closes the stream; returns wg_json_finish's result. */
static int mem_close(mem_json *m)
{
    int result = wg_json_finish(&m->json);
    fclose(m->file);
    m->file = NULL;
    return result;
}

static void mem_free(mem_json *m)
{
    if (m->file) fclose(m->file);
    free(m->text);
    m->text = NULL;
}

TEST(json_nested_document_layout)
{
    mem_json m;
    REQUIRE(mem_open(&m) == 0);
    wg_json *j = &m.json;
    wg_json_begin_object(j);
    wg_json_key(j, "name");
    wg_json_string(j, "matmul");
    wg_json_key(j, "n");
    wg_json_int(j, 4096);
    wg_json_key(j, "ok");
    wg_json_bool(j, 1);
    wg_json_key(j, "none");
    wg_json_null(j);
    wg_json_key(j, "times");
    wg_json_begin_array(j);
    wg_json_number(j, 0.5);
    wg_json_number(j, 1.25);
    wg_json_begin_object(j);
    wg_json_key(j, "k");
    wg_json_bool(j, 0);
    wg_json_end_object(j);
    wg_json_end_array(j);
    wg_json_key(j, "empty_object");
    wg_json_begin_object(j);
    wg_json_end_object(j);
    wg_json_key(j, "empty_array");
    wg_json_begin_array(j);
    wg_json_end_array(j);
    wg_json_end_object(j);
    CHECK(mem_close(&m) == 0);
    const char *expected = "{\n"
                           "  \"name\": \"matmul\",\n"
                           "  \"n\": 4096,\n"
                           "  \"ok\": true,\n"
                           "  \"none\": null,\n"
                           "  \"times\": [\n"
                           "    0.5,\n"
                           "    1.25,\n"
                           "    {\n"
                           "      \"k\": false\n"
                           "    }\n"
                           "  ],\n"
                           "  \"empty_object\": {},\n"
                           "  \"empty_array\": []\n"
                           "}\n";
    CHECK_MSG(m.text && strcmp(m.text, expected) == 0, "got:\n%s", m.text ? m.text : "(null)");
    mem_free(&m);
}

TEST(json_root_scalar_and_array)
{
    mem_json m;
    REQUIRE(mem_open(&m) == 0);
    wg_json_begin_array(&m.json);
    wg_json_int(&m.json, -3);
    wg_json_string(&m.json, NULL);
    wg_json_end_array(&m.json);
    CHECK(mem_close(&m) == 0);
    CHECK_MSG(strcmp(m.text, "[\n  -3,\n  null\n]\n") == 0, "got:\n%s", m.text);
    mem_free(&m);

    REQUIRE(mem_open(&m) == 0);
    wg_json_string(&m.json, "alone");
    CHECK(mem_close(&m) == 0);
    CHECK_MSG(strcmp(m.text, "\"alone\"\n") == 0, "got:\n%s", m.text);
    mem_free(&m);
}

TEST(json_string_escaping)
{
    mem_json m;
    REQUIRE(mem_open(&m) == 0);
    wg_json_begin_object(&m.json);
    wg_json_key(&m.json, "k\"ey");
    wg_json_string(&m.json, "q\" b\\ n\n t\t r\r \x01 \x1f bell\a del\x7f \xc3\xa9 \xe2\x80\x94 /");
    wg_json_end_object(&m.json);
    CHECK(mem_close(&m) == 0);
    const char *expected = "{\n  \"k\\\"ey\": \"q\\\" b\\\\ n\\n t\\t r\\r \\u0001 \\u001f "
                           "bell\\u0007 del\x7f \xc3\xa9 \xe2\x80\x94 /\"\n}\n";
    CHECK_MSG(strcmp(m.text, expected) == 0, "got:\n%s", m.text);
    mem_free(&m);
}

TEST(json_long_string_is_written_whole)
{
    char long_text[2000];
    for (size_t i = 0; i < sizeof long_text - 1; i++) long_text[i] = (i % 7 == 0) ? '"' : 'a';
    long_text[sizeof long_text - 1] = '\0';
    mem_json m;
    REQUIRE(mem_open(&m) == 0);
    wg_json_string(&m.json, long_text);
    CHECK(mem_close(&m) == 0);
    size_t quotes = 0;
    for (size_t i = 0; i < sizeof long_text - 1; i++) quotes += long_text[i] == '"';
    /* two enclosing quotes, one backslash per quote, the newline */
    CHECK(strlen(m.text) == (sizeof long_text - 1) + quotes + 2 + 1);
    mem_free(&m);
}

TEST(json_nonfinite_numbers_are_null)
{
    mem_json m;
    REQUIRE(mem_open(&m) == 0);
    wg_json_begin_array(&m.json);
    wg_json_number(&m.json, NAN);
    wg_json_number(&m.json, INFINITY);
    wg_json_number(&m.json, -INFINITY);
    wg_json_end_array(&m.json);
    CHECK(mem_close(&m) == 0);
    CHECK_MSG(strcmp(m.text, "[\n  null,\n  null,\n  null\n]\n") == 0, "got:\n%s", m.text);
    mem_free(&m);
}

/* Writes one number as the whole document and returns its text (without the newline). */
static void number_text(double value, char *out, size_t size)
{
    mem_json m;
    out[0] = '\0';
    if (mem_open(&m) != 0) return;
    wg_json_number(&m.json, value);
    if (mem_close(&m) == 0 && m.text) {
        snprintf(out, size, "%s", m.text);
        size_t len = strlen(out);
        if (len > 0 && out[len - 1] == '\n') out[len - 1] = '\0';
    }
    mem_free(&m);
}

TEST(json_numbers_round_trip_without_noise)
{
    char text[64];
    number_text(0.1, text, sizeof text);
    CHECK_MSG(strcmp(text, "0.1") == 0, "0.1 -> %s", text);
    number_text(2.0, text, sizeof text);
    CHECK_MSG(strcmp(text, "2") == 0, "2.0 -> %s", text);
    number_text(1.5e-9, text, sizeof text);
    CHECK_MSG(strcmp(text, "1.5e-09") == 0, "1.5e-9 -> %s", text);

    const double values[] = {1.0 / 3.0, 0.1 + 0.2,   123456789.123456789, 3.2123456789e-7,
                             DBL_MAX,   DBL_MIN,     5e-324,              -2.718281828459045,
                             1e300,     0.000123456, 4096.0 * 4096.0 * 4096.0 * 2.0};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        number_text(values[i], text, sizeof text);
        CHECK_MSG(text[0] != '\0' && strtod(text, NULL) == values[i], "%.17g -> '%s'",
                  values[i], text);
        CHECK_MSG(strlen(text) <= 24, "%.17g -> '%s' is long", values[i], text);
    }
}

TEST(json_int_extremes)
{
    mem_json m;
    REQUIRE(mem_open(&m) == 0);
    wg_json_begin_array(&m.json);
    wg_json_int(&m.json, INT64_MAX);
    wg_json_int(&m.json, INT64_MIN);
    wg_json_int(&m.json, 0);
    wg_json_end_array(&m.json);
    CHECK(mem_close(&m) == 0);
    CHECK_MSG(strcmp(m.text, "[\n  9223372036854775807,\n  -9223372036854775808,\n  0\n]\n") == 0,
              "got:\n%s", m.text);
    mem_free(&m);
}

/* Each misuse must make wg_json_finish fail. */
TEST(json_misuse_is_reported)
{
    mem_json m;

    /* a value without a key inside an object */
    REQUIRE(mem_open(&m) == 0);
    wg_json_begin_object(&m.json);
    wg_json_int(&m.json, 1);
    wg_json_end_object(&m.json);
    CHECK(mem_close(&m) != 0);
    mem_free(&m);

    /* a key inside an array */
    REQUIRE(mem_open(&m) == 0);
    wg_json_begin_array(&m.json);
    wg_json_key(&m.json, "k");
    wg_json_int(&m.json, 1);
    wg_json_end_array(&m.json);
    CHECK(mem_close(&m) != 0);
    mem_free(&m);

    /* a key at the top level */
    REQUIRE(mem_open(&m) == 0);
    wg_json_key(&m.json, "k");
    wg_json_int(&m.json, 1);
    CHECK(mem_close(&m) != 0);
    mem_free(&m);

    /* two keys in a row */
    REQUIRE(mem_open(&m) == 0);
    wg_json_begin_object(&m.json);
    wg_json_key(&m.json, "a");
    wg_json_key(&m.json, "b");
    wg_json_int(&m.json, 1);
    wg_json_end_object(&m.json);
    CHECK(mem_close(&m) != 0);
    mem_free(&m);

    /* a key left without its value */
    REQUIRE(mem_open(&m) == 0);
    wg_json_begin_object(&m.json);
    wg_json_key(&m.json, "a");
    wg_json_end_object(&m.json);
    CHECK(mem_close(&m) != 0);
    mem_free(&m);

    /* an end with nothing open */
    REQUIRE(mem_open(&m) == 0);
    wg_json_begin_object(&m.json);
    wg_json_end_object(&m.json);
    wg_json_end_object(&m.json);
    CHECK(mem_close(&m) != 0);
    mem_free(&m);

    /* the wrong kind of end */
    REQUIRE(mem_open(&m) == 0);
    wg_json_begin_object(&m.json);
    wg_json_end_array(&m.json);
    CHECK(mem_close(&m) != 0);
    mem_free(&m);

    /* a container left open */
    REQUIRE(mem_open(&m) == 0);
    wg_json_begin_array(&m.json);
    wg_json_begin_array(&m.json);
    wg_json_end_array(&m.json);
    CHECK(mem_close(&m) != 0);
    mem_free(&m);

    /* two root values */
    REQUIRE(mem_open(&m) == 0);
    wg_json_int(&m.json, 1);
    wg_json_int(&m.json, 2);
    CHECK(mem_close(&m) != 0);
    mem_free(&m);

    /* nothing written */
    REQUIRE(mem_open(&m) == 0);
    CHECK(mem_close(&m) != 0);
    mem_free(&m);

    /* a writer without a stream */
    wg_json no_stream;
    wg_json_init(&no_stream, NULL);
    wg_json_int(&no_stream, 1);
    CHECK(wg_json_finish(&no_stream) != 0);
}

TEST(json_depth_limit)
{
    mem_json m;
    /* the deepest allowed nesting works */
    REQUIRE(mem_open(&m) == 0);
    for (int i = 0; i < WG_JSON_MAX_DEPTH - 1; i++) wg_json_begin_array(&m.json);
    for (int i = 0; i < WG_JSON_MAX_DEPTH - 1; i++) wg_json_end_array(&m.json);
    CHECK(mem_close(&m) == 0);
    mem_free(&m);

    /* one more level is an error, and stays one after balancing the ends */
    REQUIRE(mem_open(&m) == 0);
    for (int i = 0; i < WG_JSON_MAX_DEPTH + 3; i++) wg_json_begin_array(&m.json);
    for (int i = 0; i < WG_JSON_MAX_DEPTH + 3; i++) wg_json_end_array(&m.json);
    CHECK(mem_close(&m) != 0);
    mem_free(&m);
}

TEST(json_error_is_sticky)
{
    mem_json m;
    REQUIRE(mem_open(&m) == 0);
    wg_json_begin_object(&m.json);
    wg_json_string(&m.json, "no key"); /* error */
    wg_json_key(&m.json, "k");         /* correct from here on */
    wg_json_int(&m.json, 1);
    wg_json_end_object(&m.json);
    CHECK(m.json.error != 0);
    CHECK(mem_close(&m) != 0);
    mem_free(&m);
}

/* The opening every command shares: schema, version, command, date, then the machine block
 * with the same keys whether or not a GPU was asked for. */
TEST(json_document_opening_and_machine_block)
{
    wg_machine_facts facts;
    REQUIRE_OK(wg_machine_facts_get(0, (wg_device){WG_DEVICE_CPU, 0}, &facts));
    CHECK(!facts.gpu_requested && !facts.gpu_available);
    CHECK(strcmp(facts.gpu_reason, "not requested (--device cpu)") == 0);
    facts.cpu_kernel = "generic";
    char *text = NULL;
    size_t size = 0;
    FILE *file = open_memstream(&text, &size);
    REQUIRE(file != NULL);
    wg_json j;
    wg_json_document_begin(&j, file, "whygpu.test/1", "whygpu test --json", &facts);
    wg_json_key(&j, "after"); wg_json_int(&j, 7);
    wg_json_end_object(&j);
    CHECK(wg_json_finish(&j) == 0);
    fclose(file);
    REQUIRE(text != NULL);
    const char *keys[] = {"\"schema\": \"whygpu.test/1\"", "\"whygpu_version\": \"" WG_VERSION "\"",
                          "\"command\": \"whygpu test --json\"", "\"date\": \"20",
                          "\"machine\": {", "\"threads\": ", "\"simd\": ", "\"l1d_bytes\": ",
                          "\"memory_bytes\": ", "\"matmul_isa\": \"generic\"",
                          "\"device\": null", "\"available\": false",
                          "\"reason\": \"not requested (--device cpu)\"", "\"after\": 7"};
    const char *previous = text;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *at = strstr(text, keys[i]);
        CHECK(at != NULL);
        if (at && i < 5) { /* the opening keys come in this order */
            CHECK(at >= previous);
            previous = at;
        }
    }
    CHECK(strstr(text, "omp_threads") == NULL);
    CHECK(strstr(text, "matmul_kernel") == NULL); /* not set: not written */
    free(text);

    /* a GPU that cannot be used is a fact with its reason, not a failure */
    REQUIRE_OK(wg_machine_facts_get(1, (wg_device){WG_DEVICE_CUDA, 0}, &facts));
    CHECK(facts.gpu_requested);
    if (!facts.gpu_available) CHECK(facts.gpu_reason[0] != '\0');
}
