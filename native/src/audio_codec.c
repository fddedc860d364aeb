#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/opt.h>

#include "mcu_media.h"
#include "internal.h"

/* ---- AAC encoder ----------------------------------------------------------- */

int mcu_aac_open(int bitrate_bps, AVCodecContext **context)
{
    *context = NULL;
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
    if (codec == NULL)
        return AVERROR_ENCODER_NOT_FOUND;
    AVCodecContext *c = avcodec_alloc_context3(codec);
    if (c == NULL)
        return AVERROR(ENOMEM);
    c->sample_rate = MCU_SAMPLE_RATE;
    c->sample_fmt = AV_SAMPLE_FMT_FLTP;
    av_channel_layout_default(&c->ch_layout, 1);
    c->bit_rate = bitrate_bps;
    c->time_base = (AVRational){1, MCU_SAMPLE_RATE};
    c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    int ret = avcodec_open2(c, codec, NULL);
    if (ret < 0) {
        avcodec_free_context(&c);
        return ret;
    }
    *context = c;
    return 0;
}

void mcu_s16_to_float(AVFrame *frame, const int16_t *pcm, int samples)
{
    float *dst = (float *)frame->data[0];
    for (int i = 0; i < samples; i++)
        dst[i] = pcm[i] * (1.0f / 32768.0f);
}
