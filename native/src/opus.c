/* libopus directly (not through libavcodec): FFmpeg's decoder wrapper has no call for
 * in-band FEC (opus_decode with decode_fec=1), and its encoder wrapper cannot change
 * bitrate, FEC or DTX on a running encoder. 48 kHz mono, 16-bit, as the rest of the shim. */
#include <opus.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

#include "mcu_media.h"
#include "internal.h"

#define MCU_OPUS_FRAME 960 /* 20 ms, the room's tick */

/* libopus' small negative codes collide with AVERROR(EPERM) and friends: map them. */
static int opus_to_averror(int error)
{
    switch (error) {
    case OPUS_BUFFER_TOO_SMALL: return AVERROR(ENOSPC);
    case OPUS_ALLOC_FAIL: return AVERROR(ENOMEM);
    case OPUS_BAD_ARG: return AVERROR(EINVAL);
    default: return AVERROR_INVALIDDATA;
    }
}

/* ---- decoder --------------------------------------------------------------- */

struct mcu_opus_decoder {
    OpusDecoder *opus;
};

int mcu_opus_decoder_create(mcu_opus_decoder **decoder)
{
    *decoder = NULL;
    mcu_opus_decoder *d = av_mallocz(sizeof(*d));
    if (d == NULL)
        return AVERROR(ENOMEM);
    int error = OPUS_OK;
    d->opus = opus_decoder_create(MCU_SAMPLE_RATE, 1, &error);
    if (d->opus == NULL) {
        av_free(d);
        return opus_to_averror(error);
    }
    *decoder = d;
    return 0;
}

void mcu_opus_decoder_destroy(mcu_opus_decoder *decoder)
{
    if (decoder == NULL)
        return;
    opus_decoder_destroy(decoder->opus);
    av_free(decoder);
}

int mcu_opus_decoder_decode(mcu_opus_decoder *decoder, const uint8_t *data, int size,
                            int16_t *pcm, int capacity)
{
    if (decoder == NULL || pcm == NULL || size < 0 || capacity < MCU_OPUS_FRAME)
        return AVERROR(EINVAL);
    /* opus_decode conceals (PLC) for a NULL packet: frame_size then says how much. */
    int frame_size = (data == NULL || size == 0) ? MCU_OPUS_FRAME : capacity;
    int samples = opus_decode(decoder->opus, size == 0 ? NULL : data, size, pcm, frame_size, 0);
    return samples < 0 ? opus_to_averror(samples) : samples;
}

int mcu_opus_decoder_decode_fec(mcu_opus_decoder *decoder, const uint8_t *data, int size,
                                int16_t *pcm, int samples)
{
    if (decoder == NULL || data == NULL || size <= 0 || pcm == NULL || samples <= 0 || samples % 120 != 0)
        return AVERROR(EINVAL);
    int decoded = opus_decode(decoder->opus, data, size, pcm, samples, 1);
    return decoded < 0 ? opus_to_averror(decoded) : decoded;
}

int mcu_opus_packet_has_fec(const uint8_t *data, int size)
{
    if (data == NULL || size <= 0)
        return 0;
    /* RFC 6716 3.1: configs 0-15 are SILK-only or hybrid; CELT-only (16-31) carries no LBRR. */
    int config = data[0] >> 3;
    if (config >= 16)
        return 0;
    const unsigned char *frames[48];
    opus_int16 sizes[48];
    unsigned char toc;
    int count = opus_packet_parse(data, size, &toc, frames, sizes, NULL);
    if (count <= 0 || sizes[0] == 0)
        return 0;
    /* RFC 6716 4.2.3-4.2.4: a SILK frame starts with one VAD flag per 20 ms of SILK audio
     * (1 for 10/20 ms, 2 for 40 ms, 3 for 60 ms) and then the LBRR flag, each a bit of
     * probability 1/2, which the range coder puts at the top of the first byte. */
    /* Configs 0-11 (SILK) run 10, 20, 40, 60 ms in each group of four; hybrid (12-15) is 10 or 20 ms. */
    int silk_frames = config < 12 && (config & 3) >= 2 ? (config & 3) : 1;
    return (frames[0][0] >> (7 - silk_frames)) & 1;
}

/* ---- encoder --------------------------------------------------------------- */

struct mcu_opus_encoder {
    OpusEncoder *opus;
};

int mcu_opus_encoder_create(int bitrate_bps, mcu_opus_encoder **encoder)
{
    *encoder = NULL;
    if (bitrate_bps < 6000 || bitrate_bps > 510000)
        return AVERROR(EINVAL);
    mcu_opus_encoder *e = av_mallocz(sizeof(*e));
    if (e == NULL)
        return AVERROR(ENOMEM);
    int error = OPUS_OK;
    e->opus = opus_encoder_create(MCU_SAMPLE_RATE, 1, OPUS_APPLICATION_VOIP, &error);
    if (e->opus == NULL) {
        av_free(e);
        return opus_to_averror(error);
    }
    /* Complexity 5 of 10: about half the CPU of the default for speech that is hard to
     * tell apart, which matters when a room encodes one mix-minus per talker every 20 ms.
     * FEC on, tuned for 10 % loss, until the caller says otherwise. */
    if ((error = opus_encoder_ctl(e->opus, OPUS_SET_BITRATE(bitrate_bps))) != OPUS_OK
        || (error = opus_encoder_ctl(e->opus, OPUS_SET_VBR(1))) != OPUS_OK
        || (error = opus_encoder_ctl(e->opus, OPUS_SET_COMPLEXITY(5))) != OPUS_OK
        || (error = opus_encoder_ctl(e->opus, OPUS_SET_INBAND_FEC(1))) != OPUS_OK
        || (error = opus_encoder_ctl(e->opus, OPUS_SET_PACKET_LOSS_PERC(10))) != OPUS_OK) {
        mcu_opus_encoder_destroy(e);
        return opus_to_averror(error);
    }
    *encoder = e;
    return 0;
}

void mcu_opus_encoder_destroy(mcu_opus_encoder *encoder)
{
    if (encoder == NULL)
        return;
    opus_encoder_destroy(encoder->opus);
    av_free(encoder);
}

int mcu_opus_encoder_encode(mcu_opus_encoder *encoder, const int16_t *pcm, int samples,
                            uint8_t *out, int capacity)
{
    if (encoder == NULL || pcm == NULL || out == NULL || samples != MCU_OPUS_FRAME || capacity <= 0)
        return AVERROR(EINVAL);
    int size = opus_encode(encoder->opus, pcm, samples, out, capacity);
    return size < 0 ? opus_to_averror(size) : size;
}

int mcu_opus_encoder_set_bitrate(mcu_opus_encoder *encoder, int bitrate_bps)
{
    if (encoder == NULL || bitrate_bps < 6000 || bitrate_bps > 510000)
        return AVERROR(EINVAL);
    int error = opus_encoder_ctl(encoder->opus, OPUS_SET_BITRATE(bitrate_bps));
    return error == OPUS_OK ? 0 : opus_to_averror(error);
}

int mcu_opus_encoder_set_fec(mcu_opus_encoder *encoder, int loss_percent)
{
    if (encoder == NULL || loss_percent < 0 || loss_percent > 100)
        return AVERROR(EINVAL);
    int error = opus_encoder_ctl(encoder->opus, OPUS_SET_INBAND_FEC(loss_percent > 0));
    if (error == OPUS_OK)
        error = opus_encoder_ctl(encoder->opus, OPUS_SET_PACKET_LOSS_PERC(loss_percent));
    return error == OPUS_OK ? 0 : opus_to_averror(error);
}

int mcu_opus_encoder_set_dtx(mcu_opus_encoder *encoder, int enabled)
{
    if (encoder == NULL)
        return AVERROR(EINVAL);
    int error = opus_encoder_ctl(encoder->opus, OPUS_SET_DTX(enabled != 0));
    return error == OPUS_OK ? 0 : opus_to_averror(error);
}
