#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/error.h>
#include <libavutil/opt.h>

#include "mcu_media.h"
#include "internal.h"

struct mcu_video_encoder {
    int codec;
    int width, height, fps;
    AVCodecContext *context;
    AVFrame *frame;
    AVPacket *packet;
    int reopen_pending;  /* VP8 bitrate change: reopen before the next frame */
    int bitrate_kbps;
};

static void close_codec(mcu_video_encoder *e)
{
    avcodec_free_context(&e->context);
}

void mcu_video_encoder_destroy(mcu_video_encoder *encoder)
{
    if (encoder == NULL)
        return;
    close_codec(encoder);
    av_frame_free(&encoder->frame);
    av_packet_free(&encoder->packet);
    av_free(encoder);
}

static void set_rate(AVCodecContext *c, int codec, int kbps)
{
    int64_t bps = (int64_t)kbps * 1000;
    c->bit_rate = bps;
    c->rc_max_rate = bps;
    if (codec == MCU_VIDEO_CODEC_VP8) {
        c->rc_min_rate = bps; /* min == max == target selects libvpx CBR */
        c->rc_buffer_size = (int)(bps / 2);
        c->rc_initial_buffer_occupancy = (int)(bps * 2 / 5);
    } else {
        c->rc_buffer_size = (int)bps; /* one second of VBV */
    }
}

static int open_codec(mcu_video_encoder *e)
{
    const char *name = e->codec == MCU_VIDEO_CODEC_VP8 ? "libvpx" : "libx264";
    const AVCodec *codec = avcodec_find_encoder_by_name(name);
    if (codec == NULL)
        return AVERROR_ENCODER_NOT_FOUND;
    AVCodecContext *c = avcodec_alloc_context3(codec);
    if (c == NULL)
        return AVERROR(ENOMEM);
    c->width = e->width;
    c->height = e->height;
    c->pix_fmt = AV_PIX_FMT_YUV420P;
    c->time_base = MCU_MICROS;
    c->framerate = (AVRational){e->fps, 1};
    c->thread_count = 1;
    c->gop_size = 3000;
    c->max_b_frames = 0;
    set_rate(c, e->codec, e->bitrate_kbps);

    if (e->codec == MCU_VIDEO_CODEC_VP8) {
        av_opt_set(c->priv_data, "deadline", "realtime", 0);
        av_opt_set_int(c->priv_data, "cpu-used", 8, 0);
        av_opt_set(c->priv_data, "error-resilient", "default", 0);
        av_opt_set_int(c->priv_data, "lag-in-frames", 0, 0);
        av_opt_set_int(c->priv_data, "auto-alt-ref", 0, 0);
        av_opt_set_int(c->priv_data, "static-thresh", 0, 0);
        /* Caps keyframes at 3x an average frame so a forced keyframe does not burst the link. */
        av_opt_set_int(c->priv_data, "max-intra-rate", 300, 0);
        c->qmin = 4;
        c->qmax = 56;
    } else {
        av_opt_set(c->priv_data, "preset", "veryfast", 0);
        av_opt_set(c->priv_data, "tune", "zerolatency", 0);
        av_opt_set(c->priv_data, "profile", "baseline", 0);
        /* A forced keyframe must be an IDR so that a new receiver can start there. */
        av_opt_set_int(c->priv_data, "forced-idr", 1, 0);
        /* Annex-B with SPS/PPS in front of every IDR (x264's repeat-headers). */
        av_opt_set(c->priv_data, "x264-params", "repeat-headers=1:annexb=1:scenecut=0", 0);
    }
    int ret = avcodec_open2(c, codec, NULL);
    if (ret < 0) {
        avcodec_free_context(&c);
        return ret;
    }
    e->context = c;
    return 0;
}

int mcu_video_encoder_create(int codec, int width, int height, int frames_per_second,
                             int bitrate_kbps, mcu_video_encoder **encoder)
{
    mcu_init();
    *encoder = NULL;
    if ((codec != MCU_VIDEO_CODEC_VP8 && codec != MCU_VIDEO_CODEC_H264) || width < 2 || height < 2
        || frames_per_second <= 0 || bitrate_kbps <= 0)
        return AVERROR(EINVAL);
    if (codec == MCU_VIDEO_CODEC_H264 && ((width | height) & 1))
        return AVERROR(EINVAL); /* 4:2:0 H.264 needs even dimensions */

    mcu_video_encoder *e = av_mallocz(sizeof(*e));
    if (e == NULL)
        return AVERROR(ENOMEM);
    e->codec = codec;
    e->width = width;
    e->height = height;
    e->fps = frames_per_second;
    e->bitrate_kbps = bitrate_kbps;
    e->frame = av_frame_alloc();
    e->packet = av_packet_alloc();
    if (!e->frame || !e->packet) {
        mcu_video_encoder_destroy(e);
        return AVERROR(ENOMEM);
    }
    e->frame->width = width;
    e->frame->height = height;
    e->frame->format = AV_PIX_FMT_YUV420P;
    int ret = av_frame_get_buffer(e->frame, 0);
    if (ret >= 0)
        ret = open_codec(e);
    if (ret < 0) {
        mcu_video_encoder_destroy(e);
        return ret;
    }
    *encoder = e;
    return 0;
}

int mcu_video_encoder_send_frame(mcu_video_encoder *encoder,
                                 const uint8_t *y, int y_stride,
                                 const uint8_t *u, int u_stride,
                                 const uint8_t *v, int v_stride,
                                 int64_t pts_micros, int force_keyframe)
{
    if (encoder == NULL || y == NULL || u == NULL || v == NULL)
        return AVERROR(EINVAL);
    int ret;
    if (encoder->reopen_pending) {
        /* Any packets still inside the old libvpx instance are dropped: with lag 0 there are none. */
        close_codec(encoder);
        if ((ret = open_codec(encoder)) < 0)
            return ret;
        encoder->reopen_pending = 0;
        force_keyframe = 1;
    }
    /* The encoder may still reference the previous picture: copy-on-write. */
    if ((ret = av_frame_make_writable(encoder->frame)) < 0)
        return ret;
    AVFrame *f = encoder->frame;
    int cw = (encoder->width + 1) / 2, ch = (encoder->height + 1) / 2;
    mcu_copy_plane(f->data[0], f->linesize[0], y, y_stride, encoder->width, encoder->height);
    mcu_copy_plane(f->data[1], f->linesize[1], u, u_stride, cw, ch);
    mcu_copy_plane(f->data[2], f->linesize[2], v, v_stride, cw, ch);
    f->pts = pts_micros;
    f->pict_type = force_keyframe ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
#ifdef AV_FRAME_FLAG_KEY
    /* FFmpeg 6.1+ (libavutil 58.7): the key flag moved into flags; key_frame is deprecated. */
    if (force_keyframe)
        f->flags |= AV_FRAME_FLAG_KEY;
    else
        f->flags &= ~AV_FRAME_FLAG_KEY;
#else
    f->key_frame = force_keyframe ? 1 : 0;
#endif
    return avcodec_send_frame(encoder->context, f);
}

int mcu_video_encoder_receive_packet(mcu_video_encoder *encoder, const uint8_t **data,
                                     int *size, int64_t *pts_micros, int *keyframe)
{
    if (encoder == NULL)
        return AVERROR(EINVAL);
    av_packet_unref(encoder->packet);
    int ret = avcodec_receive_packet(encoder->context, encoder->packet);
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
        return 0;
    if (ret < 0)
        return ret;
    *data = encoder->packet->data;
    *size = encoder->packet->size;
    *pts_micros = encoder->packet->pts;
    *keyframe = (encoder->packet->flags & AV_PKT_FLAG_KEY) != 0;
    return 1;
}

int mcu_video_encoder_set_bitrate(mcu_video_encoder *encoder, int bitrate_kbps)
{
    if (encoder == NULL || bitrate_kbps <= 0)
        return AVERROR(EINVAL);
    if (bitrate_kbps == encoder->bitrate_kbps)
        return 0;
    encoder->bitrate_kbps = bitrate_kbps;
    if (encoder->codec == MCU_VIDEO_CODEC_H264)
        set_rate(encoder->context, encoder->codec, bitrate_kbps); /* libx264 reconfigures on the next frame */
    else
        encoder->reopen_pending = 1; /* checked: setting bit_rate on a live libvpx context is ignored */
    return 0;
}
