/*
 * opencl_internal.h - what the OpenCL backend's files share (the .c files of src/opencl/ only).
 *
 * Devices: "opencl:N" is the N-th device when the devices of every platform the ICD loader
 * reports are listed in order (platform by platform). Each device gets, on first use, a
 * context and one in-order command queue with profiling on (events time kernels).
 *
 * Memory: OpenCL hands out cl_mem handles, but the library's layers and GEMMs do pointer
 * arithmetic on device memory (a layer's weights are `params + offset`), as with CUDA. So
 * each buffer also gets an address range reserved (never mapped readable) in this process,
 * and the backend turns a pointer into (buffer, byte offset) before every call. Host code
 * that touches device memory by mistake faults at once, as it would with CUDA.
 *
 * Programs are built once per device and option string and cached with their kernels;
 * a failed build returns the driver's build log in the error message.
 */
#ifndef WG_OPENCL_INTERNAL_H
#define WG_OPENCL_INTERNAL_H

#define CL_TARGET_OPENCL_VERSION 120
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "../error.h"
#include "opencl_backend.h"

/* One OpenCL device and what the backend keeps for it. */
typedef struct wg_ocl_device {
    int index;
    cl_platform_id platform;
    cl_device_id id;
    cl_context context;     /* NULL until first use */
    cl_command_queue queue; /* in order, profiling enabled */
    int is_cpu;             /* CL_DEVICE_TYPE_CPU: PoCL and other CPU drivers */
    int has_fp64;           /* cl_khr_fp64 */
    size_t max_work_group;
    cl_ulong local_mem_bytes;
    cl_uint compute_units;
    cl_uint mem_align_bytes; /* CL_DEVICE_MEM_BASE_ADDR_ALIGN / 8 */
    char name[256];
} wg_ocl_device;

/* The device with this index, its context and queue created on first use; WG_ERR_NO_DEVICE
 * with the reason (no platform, no device, index out of range) otherwise. */
wg_status wg_ocl_device_get(int index, wg_ocl_device **out);

/* "CL_OUT_OF_RESOURCES" for -5, etc. */
const char *wg_ocl_error_name(cl_int err);

/* Records "<what>: <CL_ERROR_NAME> (<code>)" as WG_ERR_BACKEND (WG_ERR_NO_MEMORY for the
 * allocation failures) and returns it. */
wg_status wg_ocl_fail(cl_int err, const char *format, ...) WG_PRINTF(2, 3);

#define WG_CL_TRY(call, ...)                                   \
    do {                                                       \
        cl_int wg_cl_err_ = (call);                            \
        if (wg_cl_err_ != CL_SUCCESS)                          \
            return wg_ocl_fail(wg_cl_err_, __VA_ARGS__);       \
    } while (0)

/* One OpenCL C source; several are concatenated into one program. */
typedef struct wg_ocl_source {
    const char *name; /* for messages, e.g. "elementwise.cl" */
    const char *text;
} wg_ocl_source;

/* The shared definitions every program starts with (kernels/common.cl). */
extern const wg_ocl_source wg_ocl_common_source;

/* The kernel `kernel_name` of the program built from `sources` (common.cl is put first)
 * with `options` on the device. Built and cached on first use; the cache key is the first
 * source's address and the options. A failed build returns WG_ERR_BACKEND with the
 * driver's build log. */
wg_status wg_ocl_kernel(wg_ocl_device *device, const wg_ocl_source *const *sources, int count,
                        const char *options, const char *kernel_name, cl_kernel *out);

/* One kernel argument: a value of `size` bytes, or local memory of `size` bytes when
 * value is NULL. */
typedef struct wg_ocl_arg {
    size_t size;
    const void *value;
} wg_ocl_arg;
#define WG_CL_ARG(x) ((wg_ocl_arg){sizeof(x), &(x)})
#define WG_CL_LOCAL(bytes) ((wg_ocl_arg){(bytes), NULL})

/* Sets the arguments and enqueues the kernel (under the device's lock, so concurrent
 * callers cannot mix arguments). local may be NULL (the driver chooses). event may be
 * NULL. Checked, not waited for. `what` names the launch in messages. */
wg_status wg_ocl_enqueue(wg_ocl_device *device, cl_kernel kernel, const wg_ocl_arg *args,
                         int nargs, cl_uint dims, const size_t *global, const size_t *local,
                         cl_event *event, const char *what);

/* A pointer into device memory of opencl:index (from wg_opencl_alloc, plus any offset) as
 * the buffer that holds it and the byte offset into it; `bytes` from there must lie inside
 * the buffer. WG_ERR_ARGUMENT naming the pointer when it is not device memory of this
 * device. */
wg_status wg_ocl_resolve(int index, const void *ptr, size_t bytes, cl_mem *mem,
                         size_t *offset);

/* The same for kernel arguments: offset in elements of `element` bytes (the pointer must
 * be aligned to it). */
wg_status wg_ocl_resolve_elems(int index, const void *ptr, int64_t count, size_t element,
                               cl_mem *mem, cl_ulong *offset);

/* A work size: n rounded up to a multiple of local. */
static inline size_t wg_ocl_round_up(size_t n, size_t local)
{
    return (n + local - 1) / local * local;
}

/* Work items for a grid-stride elementwise kernel over `items`: a multiple of `local`,
 * at most compute units x 64 work-groups (more only adds scheduling on a CPU and fills a
 * GPU's queue no better). */
size_t wg_ocl_elementwise_global(const wg_ocl_device *device, int64_t items, size_t local);

/* The transposed/plain GEMM programs (opencl_gemm.c), and CLBlast (opencl_clblast.c). */
wg_status wg_ocl_clblast_sgemm(wg_ocl_device *device, const wg_gemm_args *args, cl_event *event);

#endif /* WG_OPENCL_INTERNAL_H */
