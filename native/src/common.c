#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <libavutil/error.h>
#include <libavutil/log.h>

#include "mcu_media.h"
#include "internal.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_logging(void) { av_log_set_level(AV_LOG_QUIET); }

void mcu_init(void) { pthread_once(&init_once, init_logging); }

void mcu_strerror(int error, char *buffer, int size)
{
    if (buffer == NULL || size <= 0)
        return;
    if (av_strerror(error, buffer, (size_t)size) < 0)
        snprintf(buffer, (size_t)size, "FFmpeg error %d", error);
    buffer[size - 1] = '\0';
}

void mcu_copy_plane(uint8_t *dst, int dst_stride, const uint8_t *src, int src_stride,
                    int width, int rows)
{
    for (int row = 0; row < rows; row++)
        memcpy(dst + (size_t)row * dst_stride, src + (size_t)row * src_stride, (size_t)width);
}
