/*
 * matmul.c - the smallest program against an installed libwhygpu: two random matrices on
 * the CPU (or the device named on the command line), their product, and the product
 * checked against float64 the way every whygpu experiment checks it before timing.
 *
 *   cc matmul.c $(pkg-config --cflags --libs whygpu) -o matmul && ./matmul [N] [DEVICE]
 */
#include <stdio.h>
#include <stdlib.h>

#include <whygpu.h>

static int fail(const char *what)
{
    fprintf(stderr, "matmul: %s: %s\n", what, wg_error_message());
    return 1;
}

int main(int argc, char **argv)
{
    const int64_t n = argc > 1 ? atoll(argv[1]) : 256;
    wg_device device = wg_cpu();
    if (argc > 2 && wg_device_parse(argv[2], &device) != WG_OK) return fail("device");
    const int64_t shape[2] = {n, n};
    wg_tensor *a = NULL, *b = NULL, *c = NULL;
    if (wg_tensor_rand(2, shape, -1.0f, 1.0f, 1, device, &a) != WG_OK ||
        wg_tensor_rand(2, shape, -1.0f, 1.0f, 2, device, &b) != WG_OK ||
        wg_tensor_empty(2, shape, device, &c) != WG_OK)
        return fail("creating the matrices");
    if (wg_matmul(a, b, c) != WG_OK) return fail("matmul");
    /* The check reads host memory: bring the three matrices over (a copy on the CPU). */
    float *host[3];
    const wg_tensor *tensors[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        host[i] = malloc((size_t)(n * n) * sizeof(float));
        if (!host[i]) return fail("host copy");
        if (wg_tensor_to_host(tensors[i], host[i], n * n) != WG_OK) return fail("to host");
    }
    const double error = wg_matmul_sampled_error(host[0], host[1], host[2], n, n, n, 64, 7);
    const double bound = wg_matmul_fp32_tolerance(n);
    char name[32];
    printf("whygpu %s: %lldx%lld matmul on %s, sampled error %.2e (bound %.0e): %s\n",
           WG_VERSION, (long long)n, (long long)n, wg_device_format(device, name, sizeof name),
           error, bound, error <= bound ? "ok" : "WRONG");
    for (int i = 0; i < 3; i++) free(host[i]);
    wg_tensor_free(a);
    wg_tensor_free(b);
    wg_tensor_free(c);
    return error <= bound ? 0 : 1;
}
