/*
 * opencl_runtime.c - the OpenCL devices themselves: discovery (and why there is none when
 * there is none), the description `whygpu info` prints, each device's context and queue,
 * the program and kernel cache, checked launches, and the error names.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opencl_internal.h"

#define MAX_DEVICES 64
#define MAX_PROGRAMS 64
#define MAX_KERNELS 128

/* A built program: the first source's address and the options are the key. */
typedef struct program_entry {
    int device;
    const wg_ocl_source *first;
    char options[256];
    cl_program program;
} program_entry;

typedef struct kernel_entry {
    cl_program program;
    char name[64];
    cl_kernel kernel;
} kernel_entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int listed;            /* the device list was read (successfully or not) */
static int device_count;
static wg_status list_status; /* why there are no devices */
static char list_reason[512];
static wg_ocl_device devices[MAX_DEVICES];
static int device_platform[MAX_DEVICES];
static program_entry programs[MAX_PROGRAMS];
static int program_count;
static kernel_entry kernels[MAX_KERNELS];
static int kernel_count;

const char *wg_ocl_error_name(cl_int err)
{
    switch (err) {
#define E(x) case x: return #x;
        E(CL_SUCCESS) E(CL_DEVICE_NOT_FOUND) E(CL_DEVICE_NOT_AVAILABLE)
        E(CL_COMPILER_NOT_AVAILABLE) E(CL_MEM_OBJECT_ALLOCATION_FAILURE)
        E(CL_OUT_OF_RESOURCES) E(CL_OUT_OF_HOST_MEMORY) E(CL_PROFILING_INFO_NOT_AVAILABLE)
        E(CL_MEM_COPY_OVERLAP) E(CL_IMAGE_FORMAT_MISMATCH) E(CL_IMAGE_FORMAT_NOT_SUPPORTED)
        E(CL_BUILD_PROGRAM_FAILURE) E(CL_MAP_FAILURE) E(CL_MISALIGNED_SUB_BUFFER_OFFSET)
        E(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST) E(CL_COMPILE_PROGRAM_FAILURE)
        E(CL_LINKER_NOT_AVAILABLE) E(CL_LINK_PROGRAM_FAILURE) E(CL_DEVICE_PARTITION_FAILED)
        E(CL_KERNEL_ARG_INFO_NOT_AVAILABLE) E(CL_INVALID_VALUE) E(CL_INVALID_DEVICE_TYPE)
        E(CL_INVALID_PLATFORM) E(CL_INVALID_DEVICE) E(CL_INVALID_CONTEXT)
        E(CL_INVALID_QUEUE_PROPERTIES) E(CL_INVALID_COMMAND_QUEUE) E(CL_INVALID_HOST_PTR)
        E(CL_INVALID_MEM_OBJECT) E(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR) E(CL_INVALID_IMAGE_SIZE)
        E(CL_INVALID_SAMPLER) E(CL_INVALID_BINARY) E(CL_INVALID_BUILD_OPTIONS)
        E(CL_INVALID_PROGRAM) E(CL_INVALID_PROGRAM_EXECUTABLE) E(CL_INVALID_KERNEL_NAME)
        E(CL_INVALID_KERNEL_DEFINITION) E(CL_INVALID_KERNEL) E(CL_INVALID_ARG_INDEX)
        E(CL_INVALID_ARG_VALUE) E(CL_INVALID_ARG_SIZE) E(CL_INVALID_KERNEL_ARGS)
        E(CL_INVALID_WORK_DIMENSION) E(CL_INVALID_WORK_GROUP_SIZE) E(CL_INVALID_WORK_ITEM_SIZE)
        E(CL_INVALID_GLOBAL_OFFSET) E(CL_INVALID_EVENT_WAIT_LIST) E(CL_INVALID_EVENT)
        E(CL_INVALID_OPERATION) E(CL_INVALID_GL_OBJECT) E(CL_INVALID_BUFFER_SIZE)
        E(CL_INVALID_MIP_LEVEL) E(CL_INVALID_GLOBAL_WORK_SIZE) E(CL_INVALID_PROPERTY)
        E(CL_INVALID_IMAGE_DESCRIPTOR) E(CL_INVALID_COMPILER_OPTIONS) E(CL_INVALID_LINKER_OPTIONS)
        E(CL_INVALID_DEVICE_PARTITION_COUNT)
#undef E
    case -1001: return "CL_PLATFORM_NOT_FOUND_KHR";
    default: return "unknown OpenCL error";
    }
}

wg_status wg_ocl_fail(cl_int err, const char *format, ...)
{
    char what[512];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof what, format, args);
    va_end(args);
    const wg_status status = err == CL_MEM_OBJECT_ALLOCATION_FAILURE ||
                                     err == CL_OUT_OF_HOST_MEMORY || err == CL_INVALID_BUFFER_SIZE
                                 ? WG_ERR_NO_MEMORY
                                 : WG_ERR_BACKEND;
    return wg_fail(status, "%s: %s (%d)", what, wg_ocl_error_name(err), (int)err);
}

/* ---------------------------------------------------------------- discovery ------- */

/* Reads every platform's devices once (under the lock). */
static void list_devices(void)
{
    if (listed) return;
    listed = 1;
    cl_uint platforms = 0;
    cl_int err = clGetPlatformIDs(0, NULL, &platforms);
    if (err == -1001 /* CL_PLATFORM_NOT_FOUND_KHR */ || (err == CL_SUCCESS && platforms == 0)) {
        list_status = WG_ERR_NO_DEVICE;
        const char *vendors = getenv("OCL_ICD_VENDORS");
        char where[256];
        if (vendors)
            snprintf(where, sizeof where, "OCL_ICD_VENDORS='%.200s'", vendors);
        else
            snprintf(where, sizeof where, "/etc/OpenCL/vendors");
        snprintf(list_reason, sizeof list_reason,
                 "no OpenCL platform: the ICD loader found no driver (no .icd file in %s, or "
                 "none that loads; install your GPU's OpenCL driver, e.g. intel-opencl-icd or "
                 "mesa-opencl-icd, or pocl-opencl-icd to run OpenCL on the CPU)",
                 where);
        return;
    }
    if (err != CL_SUCCESS) {
        list_status = WG_ERR_NO_DEVICE;
        snprintf(list_reason, sizeof list_reason,
                 "the OpenCL ICD loader failed to list platforms: clGetPlatformIDs: %s (%d)",
                 wg_ocl_error_name(err), (int)err);
        return;
    }
    cl_platform_id ids[16];
    if (platforms > 16) platforms = 16;
    err = clGetPlatformIDs(platforms, ids, NULL);
    if (err != CL_SUCCESS) {
        list_status = WG_ERR_NO_DEVICE;
        snprintf(list_reason, sizeof list_reason, "clGetPlatformIDs: %s (%d)",
                 wg_ocl_error_name(err), (int)err);
        return;
    }
    for (cl_uint p = 0; p < platforms; p++) {
        cl_device_id found[MAX_DEVICES];
        cl_uint n = 0;
        if (clGetDeviceIDs(ids[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES, found, &n) != CL_SUCCESS)
            continue;
        for (cl_uint d = 0; d < n && device_count < MAX_DEVICES; d++) {
            wg_ocl_device *dev = &devices[device_count];
            memset(dev, 0, sizeof *dev);
            dev->index = device_count;
            dev->platform = ids[p];
            dev->id = found[d];
            device_platform[device_count] = (int)p;
            device_count++;
        }
    }
    if (device_count == 0) {
        list_status = WG_ERR_NO_DEVICE;
        snprintf(list_reason, sizeof list_reason,
                 "%u OpenCL platform%s found, but no device on any", platforms,
                 platforms == 1 ? "" : "s");
        return;
    }
    list_status = WG_OK;
}

wg_status wg_ocl_device_count(int *count)
{
    if (!count) return wg_fail(WG_ERR_ARGUMENT, "wg_opencl_device_count: NULL argument");
    pthread_mutex_lock(&lock);
    list_devices();
    *count = device_count;
    const wg_status status = list_status;
    pthread_mutex_unlock(&lock);
    if (status != WG_OK) return wg_fail(status, "%s", list_reason);
    return WG_OK;
}

/* The listed device with this index, or WG_ERR_NO_DEVICE saying why not. */
static wg_status find_device(int index, wg_ocl_device **out)
{
    int count = 0;
    wg_status status = wg_ocl_device_count(&count);
    if (status != WG_OK) return wg_fail_context(status, "opencl:%d is unavailable", index);
    if (index < 0 || index >= count)
        return wg_fail(WG_ERR_NO_DEVICE, "opencl:%d does not exist: %d OpenCL device%s (opencl:0%s)",
                       index, count, count == 1 ? "" : "s", count == 1 ? "" : " ..");
    *out = &devices[index];
    return WG_OK;
}

static void info_string(cl_device_id id, cl_device_info what, char *buf, size_t size)
{
    buf[0] = '\0';
    if (clGetDeviceInfo(id, what, size, buf, NULL) != CL_SUCCESS) buf[0] = '\0';
    buf[size - 1] = '\0';
}

wg_status wg_ocl_info(int index, wg_opencl_info *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_opencl_info_get: NULL argument");
    memset(out, 0, sizeof *out);
    wg_ocl_device *dev = NULL;
    wg_status status = find_device(index, &dev);
    if (status != WG_OK) return status;
    out->index = index;
    out->platform_index = device_platform[index];
    clGetPlatformInfo(dev->platform, CL_PLATFORM_NAME, sizeof out->platform_name,
                      out->platform_name, NULL);
    clGetPlatformInfo(dev->platform, CL_PLATFORM_VERSION, sizeof out->platform_version,
                      out->platform_version, NULL);
    out->platform_name[sizeof out->platform_name - 1] = '\0';
    out->platform_version[sizeof out->platform_version - 1] = '\0';
    info_string(dev->id, CL_DEVICE_NAME, out->name, sizeof out->name);
    info_string(dev->id, CL_DEVICE_VENDOR, out->vendor, sizeof out->vendor);
    info_string(dev->id, CL_DRIVER_VERSION, out->driver_version, sizeof out->driver_version);
    info_string(dev->id, CL_DEVICE_VERSION, out->device_version, sizeof out->device_version);
    cl_device_type type = 0;
    cl_uint units = 0, clock = 0;
    cl_ulong global = 0, local = 0;
    size_t group = 0;
    clGetDeviceInfo(dev->id, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    clGetDeviceInfo(dev->id, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units, NULL);
    clGetDeviceInfo(dev->id, CL_DEVICE_MAX_CLOCK_FREQUENCY, sizeof clock, &clock, NULL);
    clGetDeviceInfo(dev->id, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof global, &global, NULL);
    clGetDeviceInfo(dev->id, CL_DEVICE_LOCAL_MEM_SIZE, sizeof local, &local, NULL);
    clGetDeviceInfo(dev->id, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof group, &group, NULL);
    snprintf(out->type, sizeof out->type, "%s",
             type & CL_DEVICE_TYPE_GPU   ? "GPU"
             : type & CL_DEVICE_TYPE_CPU ? "CPU"
             : type & CL_DEVICE_TYPE_ACCELERATOR ? "accelerator"
                                                 : "other");
    out->is_cpu = (type & CL_DEVICE_TYPE_CPU) != 0;
    out->compute_units = (int)units;
    out->clock_mhz = (int)clock;
    out->global_memory_bytes = (int64_t)global;
    out->local_memory_bytes = (int64_t)local;
    out->max_work_group_size = (int64_t)group;
    char extensions[4096];
    info_string(dev->id, CL_DEVICE_EXTENSIONS, extensions, sizeof extensions);
    out->fp64 = strstr(extensions, "cl_khr_fp64") != NULL;
    return WG_OK;
}

wg_status wg_ocl_device_get(int index, wg_ocl_device **out)
{
    wg_ocl_device *dev = NULL;
    wg_status status = find_device(index, &dev);
    if (status != WG_OK) return status;
    pthread_mutex_lock(&lock);
    if (!dev->context) {
        cl_int err = CL_SUCCESS;
        cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)dev->platform, 0};
        cl_context context = clCreateContext(props, 1, &dev->id, NULL, NULL, &err);
        if (err != CL_SUCCESS) {
            pthread_mutex_unlock(&lock);
            return wg_ocl_fail(err, "opencl:%d: creating a context (clCreateContext)", index);
        }
        cl_command_queue queue =
            clCreateCommandQueue(context, dev->id, CL_QUEUE_PROFILING_ENABLE, &err);
        if (err != CL_SUCCESS) {
            clReleaseContext(context);
            pthread_mutex_unlock(&lock);
            return wg_ocl_fail(err, "opencl:%d: creating a command queue (clCreateCommandQueue)",
                               index);
        }
        cl_device_type type = 0;
        cl_uint align_bits = 0;
        char extensions[4096];
        clGetDeviceInfo(dev->id, CL_DEVICE_TYPE, sizeof type, &type, NULL);
        clGetDeviceInfo(dev->id, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof dev->max_work_group,
                        &dev->max_work_group, NULL);
        clGetDeviceInfo(dev->id, CL_DEVICE_LOCAL_MEM_SIZE, sizeof dev->local_mem_bytes,
                        &dev->local_mem_bytes, NULL);
        clGetDeviceInfo(dev->id, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof dev->compute_units,
                        &dev->compute_units, NULL);
        clGetDeviceInfo(dev->id, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof align_bits, &align_bits,
                        NULL);
        info_string(dev->id, CL_DEVICE_EXTENSIONS, extensions, sizeof extensions);
        info_string(dev->id, CL_DEVICE_NAME, dev->name, sizeof dev->name);
        dev->is_cpu = (type & CL_DEVICE_TYPE_CPU) != 0;
        dev->has_fp64 = strstr(extensions, "cl_khr_fp64") != NULL;
        dev->mem_align_bytes = align_bits / 8 ? align_bits / 8 : 128;
        if (dev->compute_units < 1) dev->compute_units = 1;
        if (dev->max_work_group < 1) dev->max_work_group = 1;
        dev->queue = queue;
        dev->context = context;
    }
    pthread_mutex_unlock(&lock);
    *out = dev;
    return WG_OK;
}

wg_status wg_ocl_check(int index)
{
    wg_ocl_device *dev = NULL;
    return wg_ocl_device_get(index, &dev);
}

wg_status wg_ocl_synchronize(int index)
{
    wg_ocl_device *dev = NULL;
    wg_status status = wg_ocl_device_get(index, &dev);
    if (status != WG_OK) return status;
    WG_CL_TRY(clFinish(dev->queue), "opencl:%d: waiting for the queue (clFinish)", index);
    return WG_OK;
}

/* ---------------------------------------------------------------- programs -------- */

static wg_status build_program(wg_ocl_device *dev, const wg_ocl_source *const *sources,
                               int count, const char *options, cl_program *out)
{
    const char *texts[16];
    if (count < 1 || count > 15)
        return wg_fail(WG_ERR_ARGUMENT, "opencl: %d program sources (expected 1 to 15)", count);
    texts[0] = wg_ocl_common_source.text;
    for (int i = 0; i < count; i++) texts[i + 1] = sources[i]->text;
    cl_int err = CL_SUCCESS;
    cl_program program =
        clCreateProgramWithSource(dev->context, (cl_uint)count + 1, texts, NULL, &err);
    if (err != CL_SUCCESS)
        return wg_ocl_fail(err, "opencl:%d: creating program %s (clCreateProgramWithSource)",
                           dev->index, sources[0]->name);
    char full_options[512];
    snprintf(full_options, sizeof full_options, "-cl-std=CL1.2%s%s %s",
             dev->has_fp64 ? " -DWG_HAVE_FP64=1" : "", dev->is_cpu ? " -DWG_CPU_DEVICE=1" : "",
             options ? options : "");
    err = clBuildProgram(program, 1, &dev->id, full_options, NULL, NULL);
    if (err != CL_SUCCESS) {
        char log[2048] = "";
        size_t size = 0;
        clGetProgramBuildInfo(program, dev->id, CL_PROGRAM_BUILD_LOG, sizeof log - 1, log,
                              &size);
        log[sizeof log - 1] = '\0';
        for (char *c = log; *c; c++)
            if (*c == '\n') *c = ' ';
        clReleaseProgram(program);
        return wg_fail(WG_ERR_BACKEND,
                       "opencl:%d: building program %s with options '%s' failed: %s (%d); "
                       "build log: %s",
                       dev->index, sources[0]->name, full_options, wg_ocl_error_name(err),
                       (int)err, log[0] ? log : "(empty)");
    }
    *out = program;
    return WG_OK;
}

wg_status wg_ocl_kernel(wg_ocl_device *dev, const wg_ocl_source *const *sources, int count,
                        const char *options, const char *kernel_name, cl_kernel *out)
{
    if (!options) options = "";
    pthread_mutex_lock(&lock);
    cl_program program = NULL;
    for (int i = 0; i < program_count; i++)
        if (programs[i].device == dev->index && programs[i].first == sources[0] &&
            strcmp(programs[i].options, options) == 0) {
            program = programs[i].program;
            break;
        }
    if (!program) {
        if (program_count == MAX_PROGRAMS || strlen(options) >= sizeof programs[0].options) {
            pthread_mutex_unlock(&lock);
            return wg_fail(WG_ERR_BACKEND, "opencl:%d: the program cache is full (%d programs)",
                           dev->index, MAX_PROGRAMS);
        }
        wg_status status = build_program(dev, sources, count, options, &program);
        if (status != WG_OK) {
            pthread_mutex_unlock(&lock);
            return status;
        }
        program_entry *entry = &programs[program_count++];
        entry->device = dev->index;
        entry->first = sources[0];
        snprintf(entry->options, sizeof entry->options, "%s", options);
        entry->program = program;
    }
    for (int i = 0; i < kernel_count; i++)
        if (kernels[i].program == program && strcmp(kernels[i].name, kernel_name) == 0) {
            *out = kernels[i].kernel;
            pthread_mutex_unlock(&lock);
            return WG_OK;
        }
    if (kernel_count == MAX_KERNELS || strlen(kernel_name) >= sizeof kernels[0].name) {
        pthread_mutex_unlock(&lock);
        return wg_fail(WG_ERR_BACKEND, "opencl:%d: the kernel cache is full (%d kernels)",
                       dev->index, MAX_KERNELS);
    }
    cl_int err = CL_SUCCESS;
    cl_kernel kernel = clCreateKernel(program, kernel_name, &err);
    if (err != CL_SUCCESS) {
        pthread_mutex_unlock(&lock);
        return wg_ocl_fail(err, "opencl:%d: kernel %s of %s (clCreateKernel)", dev->index,
                           kernel_name, sources[0]->name);
    }
    kernel_entry *entry = &kernels[kernel_count++];
    entry->program = program;
    snprintf(entry->name, sizeof entry->name, "%s", kernel_name);
    entry->kernel = kernel;
    pthread_mutex_unlock(&lock);
    *out = kernel;
    return WG_OK;
}

wg_status wg_ocl_enqueue(wg_ocl_device *dev, cl_kernel kernel, const wg_ocl_arg *args,
                         int nargs, cl_uint dims, const size_t *global, const size_t *local,
                         cl_event *event, const char *what)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < nargs; i++) {
        cl_int err = clSetKernelArg(kernel, (cl_uint)i, args[i].size, args[i].value);
        if (err != CL_SUCCESS) {
            pthread_mutex_unlock(&lock);
            return wg_ocl_fail(err, "opencl:%d: argument %d of %s (clSetKernelArg)", dev->index,
                               i, what);
        }
    }
    cl_int err = clEnqueueNDRangeKernel(dev->queue, kernel, dims, NULL, global, local, 0, NULL,
                                        event);
    pthread_mutex_unlock(&lock);
    if (err != CL_SUCCESS) {
        char shape[128];
        if (dims == 1)
            snprintf(shape, sizeof shape, "%zu work-items in groups of %zu", global[0],
                     local ? local[0] : (size_t)0);
        else
            snprintf(shape, sizeof shape, "%zu x %zu work-items in groups of %zu x %zu",
                     global[0], global[1], local ? local[0] : (size_t)0,
                     local ? local[1] : (size_t)0);
        return wg_ocl_fail(err, "opencl:%d: launching %s (%s)", dev->index, what, shape);
    }
    return WG_OK;
}

size_t wg_ocl_elementwise_global(const wg_ocl_device *dev, int64_t items, size_t local)
{
    const uint64_t cap = (uint64_t)dev->compute_units * 64u * local;
    uint64_t want = (uint64_t)wg_ocl_round_up((size_t)items, local);
    return (size_t)(want < cap ? want : cap);
}
