/*
 * cuda_stream.cu - what a launch needs per device, found once and kept for the life of the
 * process (cuda_check.h): the device's stream and its SM count. A training step is a few
 * dozen launches of a few microseconds each, so a per-launch attribute query or stream
 * lookup would be a visible share of it; here the second and later calls are an atomic
 * load.
 */
#include <pthread.h>

#include "cuda_check.h"

#define WG_CUDA_CACHED_DEVICES 64

typedef struct device_cache {
    cudaStream_t stream;
    int sms;
    int ready; /* written last, with release order, after stream and sms */
} device_cache;

static device_cache cache[WG_CUDA_CACHED_DEVICES];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* Fills the cache entry of `index` on first use (under the lock); the device is current. */
static wg_status cached(int index, const device_cache **out)
{
    if (index < 0 || index >= WG_CUDA_CACHED_DEVICES)
        return wg_fail(WG_ERR_UNSUPPORTED, "cuda:%d: devices cuda:0 to cuda:%d are supported",
                       index, WG_CUDA_CACHED_DEVICES - 1);
    wg_status status = wg_cuda_use(index);
    if (status != WG_OK) return status;
    device_cache *c = &cache[index];
    if (__atomic_load_n(&c->ready, __ATOMIC_ACQUIRE)) {
        *out = c;
        return WG_OK;
    }
    if (pthread_mutex_lock(&cache_lock) != 0)
        return wg_fail(WG_ERR_BACKEND, "cuda:%d: could not lock the device cache", index);
    if (!c->ready) {
        int sms = 0;
        cudaError_t err = cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, index);
        cudaStream_t stream = NULL;
        if (err == cudaSuccess) err = cudaStreamCreateWithFlags(&stream, cudaStreamDefault);
        if (err != cudaSuccess) {
            (void)pthread_mutex_unlock(&cache_lock);
            return wg_cuda_fail(err, "creating the stream of cuda:%d and reading its SM count",
                                index);
        }
        c->stream = stream;
        c->sms = sms > 0 ? sms : 1;
        __atomic_store_n(&c->ready, 1, __ATOMIC_RELEASE);
    }
    (void)pthread_mutex_unlock(&cache_lock);
    *out = c;
    return WG_OK;
}

wg_status wg_cuda_stream(int index, cudaStream_t *out)
{
    const device_cache *c = NULL;
    wg_status status = cached(index, &c);
    if (status == WG_OK) *out = c->stream;
    return status;
}

wg_status wg_cuda_sm_count(int index, int *out)
{
    const device_cache *c = NULL;
    wg_status status = cached(index, &c);
    if (status == WG_OK) *out = c->sms;
    return status;
}
