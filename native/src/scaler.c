#include <libavutil/error.h>
#include <libavutil/mem.h>
#include <libswscale/swscale.h>

#include "mcu_media.h"
#include "internal.h"

struct mcu_scaler {
    struct SwsContext *context;
    int src_h;
};

int mcu_scaler_create(int src_w, int src_h, int dst_w, int dst_h, mcu_scaler **scaler)
{
    mcu_init();
    *scaler = NULL;
    if (src_w < 2 || src_h < 2 || dst_w < 2 || dst_h < 2)
        return AVERROR(EINVAL);
    mcu_scaler *s = av_mallocz(sizeof(*s));
    if (s == NULL)
        return AVERROR(ENOMEM);
    s->context = sws_getContext(src_w, src_h, AV_PIX_FMT_YUV420P, dst_w, dst_h, AV_PIX_FMT_YUV420P,
                                SWS_BILINEAR, NULL, NULL, NULL);
    if (s->context == NULL) {
        av_free(s);
        return AVERROR(EINVAL);
    }
    s->src_h = src_h;
    *scaler = s;
    return 0;
}

void mcu_scaler_destroy(mcu_scaler *scaler)
{
    if (scaler == NULL)
        return;
    sws_freeContext(scaler->context);
    av_free(scaler);
}

int mcu_scaler_scale(mcu_scaler *scaler,
                     const uint8_t *src_y, int src_y_stride,
                     const uint8_t *src_u, int src_u_stride,
                     const uint8_t *src_v, int src_v_stride,
                     uint8_t *dst_y, int dst_y_stride,
                     uint8_t *dst_u, int dst_u_stride,
                     uint8_t *dst_v, int dst_v_stride)
{
    if (scaler == NULL)
        return AVERROR(EINVAL);
    const uint8_t *const src[4] = {src_y, src_u, src_v, NULL};
    const int src_stride[4] = {src_y_stride, src_u_stride, src_v_stride, 0};
    uint8_t *const dst[4] = {dst_y, dst_u, dst_v, NULL};
    const int dst_stride[4] = {dst_y_stride, dst_u_stride, dst_v_stride, 0};
    int rows = sws_scale(scaler->context, src, src_stride, 0, scaler->src_h, dst, dst_stride);
    return rows > 0 ? 0 : AVERROR(EINVAL);
}
