#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/opt.h>

#include "mcu_media.h"
#include "internal.h"

/* ---- Opus decoder ---------------------------------------------------------- */

struct mcu_opus_decoder {
    AVCodecContext *context;
    AVPacket *packet;
    AVFrame *frame;
    uint8_t last_toc; /* TOC of the last packet, code bits cleared, for concealment */
};

void mcu_opus_decoder_destroy(mcu_opus_decoder *decoder)
{
    if (decoder == NULL)
        return;
    avcodec_free_context(&decoder->context);
    av_packet_free(&decoder->packet);
    av_frame_free(&decoder->frame);
    av_free(decoder);
}

int mcu_opus_decoder_create(mcu_opus_decoder **decoder)
{
    mcu_init();
    *decoder = NULL;
    const AVCodec *codec = avcodec_find_decoder_by_name("libopus");
    if (codec == NULL)
        return AVERROR_DECODER_NOT_FOUND;
    mcu_opus_decoder *d = av_mallocz(sizeof(*d));
    if (d == NULL)
        return AVERROR(ENOMEM);
    d->context = avcodec_alloc_context3(codec);
    d->packet = av_packet_alloc();
    d->frame = av_frame_alloc();
    if (!d->context || !d->packet || !d->frame) {
        mcu_opus_decoder_destroy(d);
        return AVERROR(ENOMEM);
    }
    d->context->sample_rate = MCU_SAMPLE_RATE;
    d->context->request_sample_fmt = AV_SAMPLE_FMT_S16;
    av_channel_layout_default(&d->context->ch_layout, 1);
    /* Until a packet arrives, conceal as CELT fullband 20 ms mono (config 31, code 0). */
    d->last_toc = 31 << 3;
    int ret = avcodec_open2(d->context, codec, NULL);
    if (ret < 0) {
        mcu_opus_decoder_destroy(d);
        return ret;
    }
    *decoder = d;
    return 0;
}

int mcu_opus_decoder_decode(mcu_opus_decoder *decoder, const uint8_t *data, int size,
                            int16_t *pcm, int capacity)
{
    if (decoder == NULL || pcm == NULL || size < 0)
        return AVERROR(EINVAL);
    /* libavcodec has no "packet lost" call, but RFC 6716 section 3.2.1 treats a frame
     * of length 0 as lost: a lone TOC byte (code 0) makes libopus conceal one frame
     * of the duration that TOC names. */
    uint8_t lost[1] = {decoder->last_toc};
    if (data == NULL || size == 0) {
        data = lost;
        size = 1;
    } else {
        decoder->last_toc = data[0] & 0xFC;
    }
    int ret = av_new_packet(decoder->packet, size);
    if (ret < 0)
        return ret;
    memcpy(decoder->packet->data, data, (size_t)size);
    ret = avcodec_send_packet(decoder->context, decoder->packet);
    av_packet_unref(decoder->packet);
    if (ret < 0)
        return ret;
    int written = 0;
    for (;;) {
        ret = avcodec_receive_frame(decoder->context, decoder->frame);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            break;
        if (ret < 0)
            return ret;
        int samples = decoder->frame->nb_samples;
        if (decoder->frame->format != AV_SAMPLE_FMT_S16 || decoder->frame->ch_layout.nb_channels != 1) {
            av_frame_unref(decoder->frame);
            return AVERROR_PATCHWELCOME;
        }
        if (written + samples > capacity) {
            av_frame_unref(decoder->frame);
            return AVERROR(ENOSPC);
        }
        memcpy(pcm + written, decoder->frame->data[0], (size_t)samples * sizeof(int16_t));
        written += samples;
        av_frame_unref(decoder->frame);
    }
    return written;
}

/* ---- Opus encoder ---------------------------------------------------------- */

struct mcu_opus_encoder {
    AVCodecContext *context;
    AVPacket *packet;
    AVFrame *frame;
};

void mcu_opus_encoder_destroy(mcu_opus_encoder *encoder)
{
    if (encoder == NULL)
        return;
    avcodec_free_context(&encoder->context);
    av_packet_free(&encoder->packet);
    av_frame_free(&encoder->frame);
    av_free(encoder);
}

int mcu_opus_encoder_create(int bitrate_bps, mcu_opus_encoder **encoder)
{
    mcu_init();
    *encoder = NULL;
    if (bitrate_bps < 6000 || bitrate_bps > 510000)
        return AVERROR(EINVAL);
    const AVCodec *codec = avcodec_find_encoder_by_name("libopus");
    if (codec == NULL)
        return AVERROR_ENCODER_NOT_FOUND;
    mcu_opus_encoder *e = av_mallocz(sizeof(*e));
    if (e == NULL)
        return AVERROR(ENOMEM);
    e->context = avcodec_alloc_context3(codec);
    e->packet = av_packet_alloc();
    e->frame = av_frame_alloc();
    if (!e->context || !e->packet || !e->frame) {
        mcu_opus_encoder_destroy(e);
        return AVERROR(ENOMEM);
    }
    AVCodecContext *c = e->context;
    c->sample_rate = MCU_SAMPLE_RATE;
    c->sample_fmt = AV_SAMPLE_FMT_S16;
    av_channel_layout_default(&c->ch_layout, 1);
    c->bit_rate = bitrate_bps;
    c->time_base = (AVRational){1, MCU_SAMPLE_RATE};
    /* Opus complexity 5 of 10: about half the CPU of the default for speech that is hard to
     * tell apart, which matters when a room encodes one mix-minus per talker every 20 ms. */
    c->compression_level = 5;
    int ret = 0;
    if ((ret = av_opt_set(c->priv_data, "application", "voip", 0)) < 0
        || (ret = av_opt_set_double(c->priv_data, "frame_duration", 20.0, 0)) < 0
        || (ret = av_opt_set(c->priv_data, "vbr", "on", 0)) < 0
        || (ret = av_opt_set_int(c->priv_data, "packet_loss", 10, 0)) < 0
        || (ret = av_opt_set_int(c->priv_data, "fec", 1, 0)) < 0
        || (ret = avcodec_open2(c, codec, NULL)) < 0) {
        mcu_opus_encoder_destroy(e);
        return ret;
    }
    e->frame->nb_samples = c->frame_size; /* 960 */
    e->frame->format = AV_SAMPLE_FMT_S16;
    av_channel_layout_default(&e->frame->ch_layout, 1);
    if ((ret = av_frame_get_buffer(e->frame, 0)) < 0) {
        mcu_opus_encoder_destroy(e);
        return ret;
    }
    *encoder = e;
    return 0;
}

int mcu_opus_encoder_encode(mcu_opus_encoder *encoder, const int16_t *pcm, int samples,
                            uint8_t *out, int capacity)
{
    if (encoder == NULL || pcm == NULL || out == NULL || samples != encoder->context->frame_size)
        return AVERROR(EINVAL);
    int ret = av_frame_make_writable(encoder->frame);
    if (ret < 0)
        return ret;
    memcpy(encoder->frame->data[0], pcm, (size_t)samples * sizeof(int16_t));
    encoder->frame->pts = AV_NOPTS_VALUE;
    if ((ret = avcodec_send_frame(encoder->context, encoder->frame)) < 0)
        return ret;
    /* libopus encodes frame by frame: one packet out for every frame in. */
    ret = avcodec_receive_packet(encoder->context, encoder->packet);
    if (ret < 0)
        return ret;
    int size = encoder->packet->size;
    if (size > capacity)
        ret = AVERROR(ENOSPC);
    else
        memcpy(out, encoder->packet->data, (size_t)size);
    av_packet_unref(encoder->packet);
    return ret < 0 ? ret : size;
}

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
