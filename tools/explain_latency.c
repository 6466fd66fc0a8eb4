/*
 * explain_latency.c - why the GPU loses the scalar cell: the CPU squares one number in
 * nanoseconds, while every GPU operation is a kernel launched from the host and, when its
 * result is needed on the host, a round trip across the bus.
 */
#include <stdio.h>

#include "explain.h"

static const explain_col latency_cols[] = {
    {"what", "what", 44, NULL},
    {"seconds", "time", 10, EXPLAIN_SECONDS},
    {"vs_cpu_square", "x CPU square", 13, "%.0fx"},
};

wg_status explain_latency(explain_ctx *x)
{
    explain_section_begin(x, "latency", "4. Latency: why the GPU loses on a scalar");
    explain_progress(x, "latency: the scalar square");
    double cpu = 0;
    wg_status status = explain_scalar_square(wg_cpu(), 0, &cpu);
    if (status != WG_OK) return status;
    x->cpu_scalar_s = cpu;
    explain_table_begin(x, "latency", "Time of one small operation", latency_cols, 3);
    const explain_val cpu_row[] = {STR("CPU: x*x on a 1x1 tensor"), NUM(cpu), NUM(1.0)};
    explain_table_row(x, latency_cols, cpu_row, 3);
    wg_launch_latency l = {0, 0, 0};
    double resident = 0, copy_back = 0;
    if (x->machine.gpu_available) {
        const wg_device gpu = x->gpu;
        explain_progress(x, "latency: GPU launches and round trips");
        status = explain_gpu_launch_latency(x, x->quick ? 200 : 2000, &l);
        if (status == WG_OK) status = explain_scalar_square(gpu, 0, &resident);
        if (status == WG_OK) status = explain_scalar_square(gpu, 1, &copy_back);
        if (status != WG_OK) {
            explain_table_end(x);
            return status;
        }
        x->gpu_scalar_resident_s = resident;
        x->gpu_scalar_copy_back_s = copy_back;
        const explain_val rows[][3] = {
            {STR("GPU: empty kernel, launches queued"), NUM(l.launch_only_s), NUM(l.launch_only_s / cpu)},
            {STR("GPU: empty kernel, launch + wait"), NUM(l.launch_and_sync_s), NUM(l.launch_and_sync_s / cpu)},
            {STR("GPU: copy 4 bytes back to the host"), NUM(l.copy_back_s), NUM(l.copy_back_s / cpu)},
            {STR("GPU: x*x, result left on the GPU"), NUM(resident), NUM(resident / cpu)},
            {STR("GPU: x*x, result copied back"), NUM(copy_back), NUM(copy_back / cpu)},
        };
        for (int i = 0; i < 5; i++) explain_table_row(x, latency_cols, rows[i], 3);
    } else {
        explain_skip(x, "gpu", "GPU launch and round-trip latency", x->machine.gpu_reason);
    }
    explain_table_end(x);
    explain_gpu_clock(x, "gpu_latency_clock");

    if (x->cpu_fma_peak_gflops > 0)
        explain_say(x, "The CPU squares a number held in a tensor in %.3g ns, nearly all of it "
                    "the cost of the call: at the FMA peak measured above, one multiply is "
                    "worth %.2g ns.", cpu * 1e9, 1.0 / x->cpu_fma_peak_gflops);
    else
        explain_say(x, "The CPU squares a number held in a tensor in %.3g ns: the cost of one "
                    "call into the library, the smallest unit of work any device can be "
                    "given.", cpu * 1e9);
    if (x->machine.gpu_available)
        explain_say(x, "On the GPU the same square costs %.3g us when its result stays on the "
                    "device (a kernel launch each time) and %.3g us when the result comes back "
                    "to the host: %.0fx and %.0fx the CPU. No amount of GPU arithmetic can win "
                    "back a fixed cost that is thousands of times the work.",
                    resident * 1e6, copy_back * 1e6, resident / cpu, copy_back / cpu);
    explain_section_end(x);
    return WG_OK;
}
