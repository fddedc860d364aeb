/* Helpers shared by the shim's source files; not part of the public API. */
#ifndef MCU_MEDIA_INTERNAL_H
#define MCU_MEDIA_INTERNAL_H

#include <stdint.h>
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>

#define MCU_MICROS ((AVRational){1, 1000000})
#define MCU_SAMPLE_RATE 48000
#define MCU_AAC_FRAME 1024

/* Silences FFmpeg's stderr logging once per process: errors travel as codes. */
void mcu_init(void);

/* Copies `rows` rows of `width` bytes between planes of different strides. */
void mcu_copy_plane(uint8_t *dst, int dst_stride, const uint8_t *src, int src_stride,
                    int width, int rows);

/* Opens FFmpeg's native AAC-LC encoder for 48 kHz mono; `global_header` asks
 * for the AudioSpecificConfig in extradata (always wanted for MP4). */
int mcu_aac_open(int bitrate_bps, AVCodecContext **context);

/* Fills an FLTP mono frame (already allocated for `samples`) from s16 PCM. */
void mcu_s16_to_float(AVFrame *frame, const int16_t *pcm, int samples);

/* The SPS and PPS of an Annex-B access unit as Annex-B extradata (mp4_writer.c);
 * *out is av_malloc'ed, padded. AVERROR_INVALIDDATA when it has none. */
int mcu_h264_parameter_sets(const uint8_t *au, int size, uint8_t **out, int *out_size);

#endif
