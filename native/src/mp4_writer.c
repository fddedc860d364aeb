#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>

#include "mcu_media.h"
#include "internal.h"

struct mcu_mp4_writer {
    AVFormatContext *format;
    AVStream *video;
    AVStream *audio;
    AVCodecContext *aac;
    AVFrame *aac_frame;
    AVPacket *packet;
    int16_t pending[MCU_AAC_FRAME]; /* PCM waiting for a whole AAC frame */
    int pending_count;
    int header_written;
    int finished;
    int64_t base_micros;      /* pts of the first keyframe: time 0 in the file */
    int64_t next_audio_sample; /* -1 until the first audio after the header anchors the track */
};

static void free_writer(mcu_mp4_writer *w)
{
    if (w->format != NULL) {
        avio_closep(&w->format->pb);
        avformat_free_context(w->format);
    }
    avcodec_free_context(&w->aac);
    av_frame_free(&w->aac_frame);
    av_packet_free(&w->packet);
    av_free(w);
}

int mcu_mp4_writer_create(const char *path, int width, int height, int audio_bitrate_bps,
                          mcu_mp4_writer **writer)
{
    mcu_init();
    *writer = NULL;
    if (path == NULL || width < 2 || height < 2 || audio_bitrate_bps <= 0)
        return AVERROR(EINVAL);
    mcu_mp4_writer *w = av_mallocz(sizeof(*w));
    if (w == NULL)
        return AVERROR(ENOMEM);
    w->next_audio_sample = -1;
    int ret = avformat_alloc_output_context2(&w->format, NULL, "mp4", path);
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
    if (ret >= 0)
        ret = avio_open(&w->format->pb, path, AVIO_FLAG_WRITE);
    if (ret < 0) {
        free_writer(w);
        return ret;
    }
    *writer = w;
    return 0;
}

/* Collects the SPS (type 7) and PPS (type 8) NAL units of an Annex-B access unit,
 * each behind a 4-byte start code: Annex-B extradata, which the MP4 muxer turns
 * into 'avcC' (and it then rewrites every sample to length-prefixed NAL units). */
int mcu_h264_parameter_sets(const uint8_t *au, int size, uint8_t **out, int *out_size)
{
    uint8_t *buffer = av_mallocz((size_t)size + 4 * 8 + AV_INPUT_BUFFER_PADDING_SIZE);
    if (buffer == NULL)
        return AVERROR(ENOMEM);
    int length = 0, i = 0;
    while (i + 3 <= size) {
        if (!(au[i] == 0 && au[i + 1] == 0 && au[i + 2] == 1)) {
            i++;
            continue;
        }
        int start = i + 3, end = start;
        while (end + 3 <= size && !(au[end] == 0 && au[end + 1] == 0 && (au[end + 2] == 1 || au[end + 2] == 0)))
            end++;
        if (end + 3 > size)
            end = size;
        int type = start < size ? (au[start] & 0x1F) : 0;
        if ((type == 7 || type == 8) && length + 4 + (end - start) <= size + 4 * 8) {
            static const uint8_t start_code[4] = {0, 0, 0, 1};
            memcpy(buffer + length, start_code, 4);
            memcpy(buffer + length + 4, au + start, (size_t)(end - start));
            length += 4 + (end - start);
        }
        i = end;
    }
    if (length == 0) {
        av_free(buffer);
        return AVERROR_INVALIDDATA;
    }
    *out = buffer;
    *out_size = length;
    return 0;
}

static int write_header(mcu_mp4_writer *w, const uint8_t *annexb, int size, int64_t pts_micros)
{
    uint8_t *extradata;
    int extradata_size;
    int ret = mcu_h264_parameter_sets(annexb, size, &extradata, &extradata_size);
    if (ret < 0)
        return ret;
    w->video->codecpar->extradata = extradata;
    w->video->codecpar->extradata_size = extradata_size;
    AVDictionary *options = NULL;
    av_dict_set(&options, "movflags", "frag_keyframe+empty_moov+default_base_moof", 0);
    /* Hand each finished fragment to the OS at once: a small fragment would otherwise sit in
     * the AVIOContext buffer and die with the process, leaving nothing playable after a crash. */
    av_dict_set(&options, "flush_packets", "1", 0);
    ret = avformat_write_header(w->format, &options);
    av_dict_free(&options);
    if (ret < 0)
        return ret;
    w->header_written = 1;
    w->base_micros = pts_micros;
    return 0;
}

static int write_packet(mcu_mp4_writer *w)
{
    int ret = av_interleaved_write_frame(w->format, w->packet);
    if (ret >= 0 && w->format->pb->error < 0)
        ret = w->format->pb->error;
    return ret;
}

int mcu_mp4_writer_write_video(mcu_mp4_writer *writer, const uint8_t *annexb, int size,
                               int64_t pts_micros, int keyframe)
{
    if (writer == NULL || annexb == NULL || size <= 0 || writer->finished)
        return AVERROR(EINVAL);
    int ret;
    if (!writer->header_written) {
        if (!keyframe)
            return 0; /* nothing decodable before the first keyframe */
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
    return write_packet(writer);
}

static int drain_aac(mcu_mp4_writer *w)
{
    for (;;) {
        int ret = avcodec_receive_packet(w->aac, w->packet);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0)
            return ret;
        w->packet->stream_index = w->audio->index;
        av_packet_rescale_ts(w->packet, w->aac->time_base, w->audio->time_base);
        if ((ret = write_packet(w)) < 0)
            return ret;
    }
}

static int encode_pending(mcu_mp4_writer *w)
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

int mcu_mp4_writer_write_audio(mcu_mp4_writer *writer, const int16_t *pcm, int samples,
                               int64_t pts_micros)
{
    if (writer == NULL || pcm == NULL || samples < 0 || writer->finished)
        return AVERROR(EINVAL);
    if (!writer->header_written)
        return 0; /* the file starts at the first video keyframe */
    if (writer->next_audio_sample < 0) {
        int64_t first = av_rescale_q(pts_micros - writer->base_micros, MCU_MICROS, writer->aac->time_base);
        if (first < 0) { /* skip what lies before time 0 */
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

int mcu_mp4_writer_finish(mcu_mp4_writer *writer)
{
    if (writer == NULL || writer->finished)
        return AVERROR(EINVAL);
    writer->finished = 1;
    int ret = 0;
    if (writer->header_written) {
        if (writer->pending_count > 0)
            ret = encode_pending(writer); /* AAC accepts a short last frame */
        if (ret >= 0 && (ret = avcodec_send_frame(writer->aac, NULL)) >= 0)
            ret = drain_aac(writer);
        int trailer = av_write_trailer(writer->format);
        if (ret >= 0)
            ret = trailer;
    }
    int closed = avio_closep(&writer->format->pb);
    return ret < 0 ? ret : closed;
}

void mcu_mp4_writer_destroy(mcu_mp4_writer *writer)
{
    if (writer == NULL)
        return;
    if (!writer->finished)
        mcu_mp4_writer_finish(writer);
    free_writer(writer);
}
