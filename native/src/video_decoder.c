#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/error.h>

#include "mcu_media.h"
#include "internal.h"

struct mcu_video_decoder {
    int codec;
    AVCodecContext *context;
    AVPacket *packet;
    AVFrame *frame;      /* scratch for receive */
    AVFrame *picture;    /* last good picture, handed out by copy_frame */
    int has_picture;
};

void mcu_video_decoder_destroy(mcu_video_decoder *decoder)
{
    if (decoder == NULL)
        return;
    avcodec_free_context(&decoder->context);
    av_packet_free(&decoder->packet);
    av_frame_free(&decoder->frame);
    av_frame_free(&decoder->picture);
    av_free(decoder);
}

int mcu_video_decoder_create(int codec, mcu_video_decoder **decoder)
{
    return mcu_video_decoder_create_limited(codec, 0, 0, decoder);
}

int mcu_video_decoder_create_limited(int codec, int max_width, int max_height,
                                     mcu_video_decoder **decoder)
{
    mcu_init();
    if (decoder == NULL || max_width < 0 || max_height < 0)
        return AVERROR(EINVAL);
    *decoder = NULL;
    enum AVCodecID id;
    switch (codec) {
    case MCU_VIDEO_CODEC_VP8: id = AV_CODEC_ID_VP8; break;
    case MCU_VIDEO_CODEC_H264: id = AV_CODEC_ID_H264; break;
    default: return AVERROR(EINVAL);
    }
    /* FFmpeg's own VP8 and H.264 decoders: faster than libvpx's and always built in. */
    const AVCodec *av_codec = avcodec_find_decoder(id);
    if (av_codec == NULL)
        return AVERROR_DECODER_NOT_FOUND;

    mcu_video_decoder *d = av_mallocz(sizeof(*d));
    if (d == NULL)
        return AVERROR(ENOMEM);
    d->codec = codec;
    d->context = avcodec_alloc_context3(av_codec);
    d->packet = av_packet_alloc();
    d->frame = av_frame_alloc();
    d->picture = av_frame_alloc();
    if (!d->context || !d->packet || !d->frame || !d->picture) {
        mcu_video_decoder_destroy(d);
        return AVERROR(ENOMEM);
    }
    d->context->thread_count = 1;
    d->context->flags |= AV_CODEC_FLAG_LOW_DELAY;
    /* Report damage instead of concealing it: the room asks for a keyframe. */
    d->context->err_recognition |= AV_EF_EXPLODE | AV_EF_CRCCHECK | AV_EF_BITSTREAM;
    d->context->pkt_timebase = MCU_MICROS;
    if (max_width > 0 && max_height > 0)
        d->context->max_pixels = (int64_t)max_width * max_height;
    int ret = avcodec_open2(d->context, av_codec, NULL);
    if (ret < 0) {
        mcu_video_decoder_destroy(d);
        return ret;
    }
    *decoder = d;
    return 0;
}

/* An Annex-B access unit begins with a start code (zero bytes, then 0x01). Without
 * one FFmpeg finds no NAL unit and silently returns nothing; call that corrupt. */
static int starts_with_start_code(const uint8_t *data, int size)
{
    int zeros = 0;
    while (zeros < size && data[zeros] == 0)
        zeros++;
    return zeros >= 2 && zeros < size && data[zeros] == 1;
}

int mcu_video_decoder_decode(mcu_video_decoder *decoder, const uint8_t *data, int size,
                             int64_t pts_micros, int *width, int *height,
                             int64_t *frame_pts_micros)
{
    if (decoder == NULL || data == NULL || size <= 0)
        return AVERROR(EINVAL);

    if (decoder->codec == MCU_VIDEO_CODEC_H264 && !starts_with_start_code(data, size))
        return AVERROR_INVALIDDATA;

    /* FFmpeg's bitstream readers may read past the end: give them padded input. */
    int ret = av_new_packet(decoder->packet, size);
    if (ret < 0)
        return ret;
    memcpy(decoder->packet->data, data, (size_t)size);
    decoder->packet->pts = pts_micros;
    decoder->packet->dts = pts_micros;

    ret = avcodec_send_packet(decoder->context, decoder->packet);
    av_packet_unref(decoder->packet);
    if (ret < 0 && ret != AVERROR(EAGAIN))
        return ret;

    int got = 0;
    int error = 0;
    for (;;) {
        int r = avcodec_receive_frame(decoder->context, decoder->frame);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
            break;
        if (r < 0) {
            error = r;
            break;
        }
        if (decoder->frame->decode_error_flags != 0 || (decoder->frame->flags & AV_FRAME_FLAG_CORRUPT)) {
            error = AVERROR_INVALIDDATA;
            av_frame_unref(decoder->frame);
            continue;
        }
        if (decoder->frame->format != AV_PIX_FMT_YUV420P && decoder->frame->format != AV_PIX_FMT_YUVJ420P) {
            error = AVERROR_PATCHWELCOME;
            av_frame_unref(decoder->frame);
            continue;
        }
        /* Low-delay decoding yields at most one picture per packet; keep the newest. */
        av_frame_unref(decoder->picture);
        av_frame_move_ref(decoder->picture, decoder->frame);
        got = 1;
    }
    if (error < 0 && !got) {
        decoder->has_picture = 0;
        return error;
    }
    decoder->has_picture = got;
    if (!got)
        return 0;
    *width = decoder->picture->width;
    *height = decoder->picture->height;
    *frame_pts_micros = decoder->picture->pts != AV_NOPTS_VALUE ? decoder->picture->pts : pts_micros;
    return 1;
}

int mcu_video_decoder_copy_frame(mcu_video_decoder *decoder,
                                 uint8_t *y, int y_stride,
                                 uint8_t *u, int u_stride,
                                 uint8_t *v, int v_stride)
{
    if (decoder == NULL || !decoder->has_picture)
        return AVERROR(EINVAL);
    const AVFrame *p = decoder->picture;
    int cw = (p->width + 1) / 2, ch = (p->height + 1) / 2;
    mcu_copy_plane(y, y_stride, p->data[0], p->linesize[0], p->width, p->height);
    mcu_copy_plane(u, u_stride, p->data[1], p->linesize[1], cw, ch);
    mcu_copy_plane(v, v_stride, p->data[2], p->linesize[2], cw, ch);
    return 0;
}
