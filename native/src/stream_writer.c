/* Live stream output: H.264 (Annex-B, from the room's encoder) and AAC (encoded here from
 * the mix) muxed by libavformat to a network endpoint (FLV over RTMP/RTMPS, MPEG-TS over SRT)
 * or to HLS segments on disk. Every blocking call runs under an interrupt callback with a
 * deadline, and another thread may abort it, so a dead endpoint holds only the caller. */
#include <stdatomic.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/time.h>

#include "mcu_media.h"
#include "internal.h"

struct mcu_stream_writer {
    AVFormatContext *format;
    AVStream *video;
    AVStream *audio;
    AVCodecContext *aac;
    AVFrame *aac_frame;
    AVPacket *packet;
    AVDictionary *options;     /* the muxer's options, given to avformat_write_header */
    int16_t pending[MCU_AAC_FRAME];
    int pending_count;
    int opened;
    int header_written;
    int finished;
    int64_t io_timeout_micros;
    int64_t deadline;          /* av_gettime_relative() past which I/O gives up; read by the callback */
    atomic_int aborted;
    int64_t base_micros;
    int64_t next_audio_sample;
};

static int interrupted(void *opaque)
{
    mcu_stream_writer *w = opaque;
    return atomic_load(&w->aborted) || av_gettime_relative() > w->deadline;
}

static void arm(mcu_stream_writer *w)
{
    w->deadline = av_gettime_relative() + w->io_timeout_micros;
}

/* An interrupted call reports AVERROR_EXIT or EIO depending on the protocol: say which it was. */
static int io_result(mcu_stream_writer *w, int ret)
{
    if (ret >= 0 && w->format->pb != NULL && w->format->pb->error < 0)
        ret = w->format->pb->error;
    if (ret < 0 && atomic_load(&w->aborted))
        return AVERROR_EXIT;
    if (ret < 0 && av_gettime_relative() > w->deadline)
        return AVERROR(ETIMEDOUT);
    return ret;
}

static void free_writer(mcu_stream_writer *w)
{
    if (w->format != NULL) {
        if (!(w->format->oformat->flags & AVFMT_NOFILE))
            avio_closep(&w->format->pb);
        avformat_free_context(w->format);
    }
    av_dict_free(&w->options);
    avcodec_free_context(&w->aac);
    av_frame_free(&w->aac_frame);
    av_packet_free(&w->packet);
    av_free(w);
}

int mcu_stream_writer_create(const char *format, const char *url, const char *options,
                             int width, int height, int audio_bitrate_bps, int io_timeout_ms,
                             mcu_stream_writer **writer)
{
    mcu_init();
    *writer = NULL;
    if (format == NULL || url == NULL || width < 2 || height < 2 || audio_bitrate_bps <= 0 || io_timeout_ms <= 0)
        return AVERROR(EINVAL);
    mcu_stream_writer *w = av_mallocz(sizeof(*w));
    if (w == NULL)
        return AVERROR(ENOMEM);
    w->next_audio_sample = -1;
    w->io_timeout_micros = (int64_t)io_timeout_ms * 1000;
    atomic_init(&w->aborted, 0);
    int ret = avformat_alloc_output_context2(&w->format, NULL, format, url);
    if (ret >= 0 && options != NULL && options[0] != '\0')
        ret = av_dict_parse_string(&w->options, options, "=", ":", 0);
    w->packet = av_packet_alloc();
    w->aac_frame = av_frame_alloc();
    if (ret >= 0 && (!w->packet || !w->aac_frame))
        ret = AVERROR(ENOMEM);
    if (ret >= 0)
        ret = mcu_aac_open(audio_bitrate_bps, &w->aac);
    if (ret >= 0) {
        w->aac_frame->nb_samples = MCU_AAC_FRAME;
        w->aac_frame->format = AV_SAMPLE_FMT_FLTP;
        av_channel_layout_default(&w->aac_frame->ch_layout, 1);
        ret = av_frame_get_buffer(w->aac_frame, 0);
    }
    if (ret >= 0) {
        w->format->interrupt_callback = (AVIOInterruptCB){interrupted, w};
        w->video = avformat_new_stream(w->format, NULL);
        w->audio = avformat_new_stream(w->format, NULL);
        if (w->video == NULL || w->audio == NULL)
            ret = AVERROR(ENOMEM);
    }
    if (ret >= 0) {
        w->video->time_base = (AVRational){1, 90000};
        w->video->codecpar->codec_type = AVMEDIA_TYPE_VIDEO;
        w->video->codecpar->codec_id = AV_CODEC_ID_H264;
        w->video->codecpar->width = width;
        w->video->codecpar->height = height;
        w->audio->time_base = w->aac->time_base;
        ret = avcodec_parameters_from_context(w->audio->codecpar, w->aac);
    }
    if (ret < 0) {
        free_writer(w);
        return ret;
    }
    *writer = w;
    return 0;
}

int mcu_stream_writer_open(mcu_stream_writer *writer)
{
    if (writer == NULL || writer->opened || writer->finished)
        return AVERROR(EINVAL);
    writer->opened = 1;
    if (writer->format->oformat->flags & AVFMT_NOFILE)
        return 0; /* the muxer opens its own files (HLS) */
    arm(writer);
    int ret = avio_open2(&writer->format->pb, writer->format->url, AVIO_FLAG_WRITE,
                         &writer->format->interrupt_callback, NULL);
    return io_result(writer, ret);
}

static int write_header(mcu_stream_writer *w, const uint8_t *annexb, int size, int64_t pts_micros)
{
    uint8_t *extradata;
    int extradata_size;
    int ret = mcu_h264_parameter_sets(annexb, size, &extradata, &extradata_size);
    if (ret < 0)
        return ret;
    w->video->codecpar->extradata = extradata;
    w->video->codecpar->extradata_size = extradata_size;
    arm(w);
    ret = io_result(w, avformat_write_header(w->format, &w->options));
    if (ret < 0)
        return ret;
    w->header_written = 1;
    w->base_micros = pts_micros;
    return 0;
}

static int write_packet(mcu_stream_writer *w)
{
    arm(w);
    /* In order already (the caller stamps on one clock): no interleaving queue to hold packets back. */
    return io_result(w, av_write_frame(w->format, w->packet));
}

int mcu_stream_writer_write_video(mcu_stream_writer *writer, const uint8_t *annexb, int size,
                                  int64_t pts_micros, int keyframe)
{
    if (writer == NULL || annexb == NULL || size <= 0 || !writer->opened || writer->finished)
        return AVERROR(EINVAL);
    int ret;
    if (!writer->header_written) {
        if (!keyframe)
            return 0;
        if ((ret = write_header(writer, annexb, size, pts_micros)) < 0)
            return ret;
    }
    if ((ret = av_new_packet(writer->packet, size)) < 0)
        return ret;
    memcpy(writer->packet->data, annexb, (size_t)size);
    writer->packet->stream_index = writer->video->index;
    writer->packet->pts = av_rescale_q(pts_micros - writer->base_micros, MCU_MICROS, writer->video->time_base);
    writer->packet->dts = writer->packet->pts;
    if (keyframe)
        writer->packet->flags |= AV_PKT_FLAG_KEY;
    ret = write_packet(writer);
    av_packet_unref(writer->packet);
    return ret;
}

static int drain_aac(mcu_stream_writer *w)
{
    for (;;) {
        int ret = avcodec_receive_packet(w->aac, w->packet);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0)
            return ret;
        if (w->packet->pts < 0) {
            /* The encoder's priming frame: FLV and MPEG-TS have no edit list to hide it, and
             * shifting every packet instead would put the sound a frame behind the picture. */
            av_packet_unref(w->packet);
            continue;
        }
        w->packet->stream_index = w->audio->index;
        av_packet_rescale_ts(w->packet, w->aac->time_base, w->audio->time_base);
        ret = write_packet(w);
        av_packet_unref(w->packet);
        if (ret < 0)
            return ret;
    }
}

static int encode_pending(mcu_stream_writer *w)
{
    int ret = av_frame_make_writable(w->aac_frame);
    if (ret < 0)
        return ret;
    w->aac_frame->nb_samples = w->pending_count;
    mcu_s16_to_float(w->aac_frame, w->pending, w->pending_count);
    w->aac_frame->pts = w->next_audio_sample;
    w->next_audio_sample += w->pending_count;
    w->pending_count = 0;
    if ((ret = avcodec_send_frame(w->aac, w->aac_frame)) < 0)
        return ret;
    return drain_aac(w);
}

int mcu_stream_writer_write_audio(mcu_stream_writer *writer, const int16_t *pcm, int samples,
                                  int64_t pts_micros)
{
    if (writer == NULL || pcm == NULL || samples < 0 || !writer->opened || writer->finished)
        return AVERROR(EINVAL);
    if (!writer->header_written)
        return 0; /* the stream starts at the first video keyframe */
    if (writer->next_audio_sample < 0) {
        int64_t first = av_rescale_q(pts_micros - writer->base_micros, MCU_MICROS, writer->aac->time_base);
        if (first < 0) {
            if (-first >= samples)
                return 0;
            pcm += -first;
            samples -= (int)-first;
            first = 0;
        }
        writer->next_audio_sample = first;
    }
    while (samples > 0) {
        int take = MCU_AAC_FRAME - writer->pending_count;
        if (take > samples)
            take = samples;
        memcpy(writer->pending + writer->pending_count, pcm, (size_t)take * sizeof(int16_t));
        writer->pending_count += take;
        pcm += take;
        samples -= take;
        if (writer->pending_count == MCU_AAC_FRAME) {
            int ret = encode_pending(writer);
            if (ret < 0)
                return ret;
        }
    }
    return 0;
}

int64_t mcu_stream_writer_bytes(mcu_stream_writer *writer)
{
    if (writer == NULL || writer->format->pb == NULL || (writer->format->oformat->flags & AVFMT_NOFILE))
        return 0;
    return avio_tell(writer->format->pb);
}

void mcu_stream_writer_abort(mcu_stream_writer *writer)
{
    if (writer != NULL)
        atomic_store(&writer->aborted, 1);
}

int mcu_stream_writer_finish(mcu_stream_writer *writer)
{
    if (writer == NULL || writer->finished)
        return AVERROR(EINVAL);
    writer->finished = 1;
    int ret = 0;
    if (writer->header_written) {
        if (writer->pending_count > 0)
            ret = encode_pending(writer);
        if (ret >= 0 && (ret = avcodec_send_frame(writer->aac, NULL)) >= 0)
            ret = drain_aac(writer);
        arm(writer);
        int trailer = io_result(writer, av_write_trailer(writer->format));
        if (ret >= 0)
            ret = trailer;
    }
    if (!(writer->format->oformat->flags & AVFMT_NOFILE)) {
        arm(writer);
        int closed = avio_closep(&writer->format->pb);
        if (ret >= 0)
            ret = closed;
    }
    return ret;
}

void mcu_stream_writer_destroy(mcu_stream_writer *writer)
{
    if (writer == NULL)
        return;
    if (!writer->finished && writer->opened)
        mcu_stream_writer_finish(writer);
    free_writer(writer);
}
