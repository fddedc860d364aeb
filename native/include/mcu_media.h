/*
 * mcu_media: the one native shim of Mcu, a thin C layer over FFmpeg 5.1 to 7.1
 * (Debian 12, Ubuntu 24.04, Debian 13: where FFmpeg's API moved, a version check
 * picks) — libavcodec with libvpx, libx264, libopus and the native AAC encoder;
 * libavformat's MP4 muxer.
 *
 * Conventions, for every function below:
 *  - Every FFmpeg struct is owned by the shim. Callers see opaque handles made
 *    by a *_create function and freed by the matching *_destroy, exactly once.
 *    *_destroy accepts NULL.
 *  - Functions returning int return 0 (or a documented positive count) on
 *    success and a negative AVERROR code on failure; mcu_strerror turns the code
 *    into text. Negative returns never leave a handle unusable unless stated.
 *  - Buffers passed in are only read during the call; nothing keeps a pointer
 *    to caller memory after returning. Pointers handed out by the shim are
 *    documented with how long they stay valid.
 *  - I420 pictures are passed as three plane pointers with their strides
 *    (bytes per row). Chroma planes are ((w+1)/2) x ((h+1)/2).
 *  - Timestamps are microseconds on the caller's clock.
 *  - A handle is used by one thread at a time; different handles are independent.
 *  - FFmpeg's own logging is silenced (AV_LOG_QUIET): errors come back as codes.
 */
#ifndef MCU_MEDIA_H
#define MCU_MEDIA_H

#include <stdint.h>

#define MCU_API __attribute__((visibility("default")))

#ifdef __cplusplus
extern "C" {
#endif

/* ---- common --------------------------------------------------------------- */

/* Writes av_strerror's text for `error` (a negative AVERROR) into buffer,
 * always NUL-terminated when size > 0. */
MCU_API void mcu_strerror(int error, char *buffer, int size);

enum mcu_video_codec { MCU_VIDEO_CODEC_VP8 = 0, MCU_VIDEO_CODEC_H264 = 1 };

/* ---- video decoder (video_decoder.c) --------------------------------------- */

typedef struct mcu_video_decoder mcu_video_decoder;

/* Creates a single-threaded, low-delay decoder for `codec` (enum mcu_video_codec).
 * Corrupt input is reported as an error (AV_EF_EXPLODE) instead of concealed.
 * On success stores the handle in *decoder and returns 0. */
MCU_API int mcu_video_decoder_create(int codec, mcu_video_decoder **decoder);

/* As mcu_video_decoder_create, with a size limit (0, 0: none): FFmpeg refuses to allocate
 * a picture of more than max_width x max_height pixels (AVCodecContext.max_pixels, checked
 * when the stream declares its size, before the picture exists), so a keyframe declaring
 * 16000x16000 costs an error, not 400 MB. Callers check the decoded width and height
 * against the limit themselves for shapes within the pixel count (3840x540). */
MCU_API int mcu_video_decoder_create_limited(int codec, int max_width, int max_height,
                                             mcu_video_decoder **decoder);
MCU_API void mcu_video_decoder_destroy(mcu_video_decoder *decoder);

/* Decodes one complete frame (a VP8 frame, or an H.264 access unit in Annex-B).
 * Returns 1 when a picture is ready (its size and timestamp are stored in
 * *width, *height, *frame_pts_micros; fetch the pixels with
 * mcu_video_decoder_copy_frame), 0 when the decoder needs more input, or a
 * negative AVERROR when the input was corrupt (including H.264 input that does
 * not begin with an Annex-B start code, which FFmpeg would silently skip). The
 * decoder stays usable after an error and recovers at the next keyframe.
 * Damaged pictures FFmpeg flags as concealed are reported as AVERROR_INVALIDDATA. */
MCU_API int mcu_video_decoder_decode(mcu_video_decoder *decoder, const uint8_t *data, int size,
                                     int64_t pts_micros, int *width, int *height,
                                     int64_t *frame_pts_micros);

/* Copies the picture of the last decode that returned 1 into caller planes,
 * which must hold at least width x height (luma) and the chroma sizes above.
 * Returns 0, or AVERROR(EINVAL) when there is no picture. */
MCU_API int mcu_video_decoder_copy_frame(mcu_video_decoder *decoder,
                                         uint8_t *y, int y_stride,
                                         uint8_t *u, int u_stride,
                                         uint8_t *v, int v_stride);

/* ---- video encoder (video_encoder.c) --------------------------------------- */

typedef struct mcu_video_encoder mcu_video_encoder;

/* Creates a real-time encoder for I420 input of width x height.
 * VP8: libvpx, deadline realtime, cpu-used 8, error resilient, no lag, CBR,
 *      keyframe at most every 3000 frames.
 * H.264: libx264, preset veryfast, tune zerolatency, constrained baseline,
 *      Annex-B with SPS/PPS repeated before every IDR, VBV of one second.
 * Single-threaded: an MCU runs many encoders side by side.
 * Returns 0 and stores the handle, or a negative AVERROR. */
MCU_API int mcu_video_encoder_create(int codec, int width, int height, int frames_per_second,
                                     int bitrate_kbps, mcu_video_encoder **encoder);
MCU_API void mcu_video_encoder_destroy(mcu_video_encoder *encoder);

/* Submits one picture of the size given at creation (copied before returning).
 * force_keyframe != 0 makes it a keyframe (an IDR for H.264). Then drain the
 * output with mcu_video_encoder_receive_packet until it returns 0. */
MCU_API int mcu_video_encoder_send_frame(mcu_video_encoder *encoder,
                                         const uint8_t *y, int y_stride,
                                         const uint8_t *u, int u_stride,
                                         const uint8_t *v, int v_stride,
                                         int64_t pts_micros, int force_keyframe);

/* Returns 1 with the next encoded packet in *data / *size (owned by the shim,
 * valid until the next call on this encoder), its timestamp and whether it is a
 * keyframe; 0 when no packet is pending; or a negative AVERROR. */
MCU_API int mcu_video_encoder_receive_packet(mcu_video_encoder *encoder, const uint8_t **data,
                                             int *size, int64_t *pts_micros, int *keyframe);

/* Changes the target bitrate from the next frame on. H.264 reconfigures x264
 * in place. VP8 (FFmpeg 5.1's libvpx wrapper cannot retarget) reopens the
 * encoder, so the next frame is a keyframe. Returns 0 or a negative AVERROR. */
MCU_API int mcu_video_encoder_set_bitrate(mcu_video_encoder *encoder, int bitrate_kbps);

/* ---- fragmented MP4 recording (mp4_writer.c) ------------------------------- */

typedef struct mcu_mp4_writer mcu_mp4_writer;

/* Opens `path` (UTF-8) for writing a fragmented MP4 (frag_keyframe, empty_moov,
 * default_base_moof) with one H.264 track of width x height and one AAC track
 * (48 kHz mono, encoded inside from PCM). Fails with the open error, e.g.
 * AVERROR(EACCES) or AVERROR(ENOENT), before anything is allocated for the caller.
 * Each fragment reaches the OS when it is complete, so a killed process leaves a file
 * that plays up to its last fragment. */
MCU_API int mcu_mp4_writer_create(const char *path, int width, int height, int audio_bitrate_bps,
                                  mcu_mp4_writer **writer);

/* Adds one H.264 access unit in Annex-B. The file starts at the first keyframe
 * carrying SPS and PPS (which become the 'avcC'); earlier video and audio are
 * dropped. Timestamps must increase; they are shifted so the file starts at 0. */
MCU_API int mcu_mp4_writer_write_video(mcu_mp4_writer *writer, const uint8_t *annexb, int size,
                                       int64_t pts_micros, int keyframe);

/* Adds 48 kHz mono PCM of any length. Audio is assumed continuous: pts_micros
 * of the first accepted call anchors the track, later samples follow on. */
MCU_API int mcu_mp4_writer_write_audio(mcu_mp4_writer *writer, const int16_t *pcm, int samples,
                                       int64_t pts_micros);

/* Flushes the AAC encoder, writes the last fragment and the trailer, closes the
 * file. Later writes fail with AVERROR(EINVAL). Returns 0 or the first error. */
MCU_API int mcu_mp4_writer_finish(mcu_mp4_writer *writer);

/* Finishes (if not done yet, ignoring errors) and frees the writer. */
MCU_API void mcu_mp4_writer_destroy(mcu_mp4_writer *writer);

/* ---- live streaming (stream_writer.c) -------------------------------------- */

typedef struct mcu_stream_writer mcu_stream_writer;

/* Prepares (no I/O yet) a muxer `format` ("flv", "mpegts", "hls") writing to `url` (rtmp://,
 * rtmps://, srt://, or for "hls" the playlist's path), with `options` for the muxer as
 * "key=value:key=value" (NULL or "" for none), one H.264 track of width x height and one AAC
 * track (48 kHz mono, encoded inside from PCM). Every later blocking call gives up after
 * io_timeout_ms with AVERROR(ETIMEDOUT). */
MCU_API int mcu_stream_writer_create(const char *format, const char *url, const char *options,
                                     int width, int height, int audio_bitrate_bps, int io_timeout_ms,
                                     mcu_stream_writer **writer);

/* Connects (RTMP handshake and publish, SRT call); nothing for "hls". Returns 0, the error, or
 * AVERROR(ETIMEDOUT) / AVERROR_EXIT (aborted). Call once. */
MCU_API int mcu_stream_writer_open(mcu_stream_writer *writer);

/* As mcu_mp4_writer_write_video/_audio: the stream starts at the first keyframe carrying SPS
 * and PPS, and its times at 0 there; audio is continuous from its first accepted call. */
MCU_API int mcu_stream_writer_write_video(mcu_stream_writer *writer, const uint8_t *annexb, int size,
                                          int64_t pts_micros, int keyframe);
MCU_API int mcu_stream_writer_write_audio(mcu_stream_writer *writer, const int16_t *pcm, int samples,
                                          int64_t pts_micros);

/* Bytes handed to the connection so far (0 for "hls", whose files the caller can measure). */
MCU_API int64_t mcu_stream_writer_bytes(mcu_stream_writer *writer);

/* Makes the writer's blocking call in progress, and every later one, fail at once with
 * AVERROR_EXIT. The one call that may come from another thread than the writer's. */
MCU_API void mcu_stream_writer_abort(mcu_stream_writer *writer);

/* Flushes AAC, writes the trailer, closes the connection. Returns 0 or the first error. */
MCU_API int mcu_stream_writer_finish(mcu_stream_writer *writer);

/* Finishes (if opened and not done yet, ignoring errors) and frees the writer. */
MCU_API void mcu_stream_writer_destroy(mcu_stream_writer *writer);
/* ---- Opus through libopus (opus.c), issue #16 audio quality ------------------ */
/* libopus itself, not libavcodec's wrapper, for in-band FEC, DTX and live settings.
 * 48 kHz mono 16-bit. Errors are negative AVERRORs like the rest of the shim. */

typedef struct mcu_opus_decoder mcu_opus_decoder;
typedef struct mcu_opus_encoder mcu_opus_encoder;

MCU_API int mcu_opus_decoder_create(mcu_opus_decoder **decoder);
MCU_API void mcu_opus_decoder_destroy(mcu_opus_decoder *decoder);

/* Decodes one packet into pcm (capacity in samples, at least 960; 5760 covers
 * Opus' longest 120 ms packet). data == NULL or size == 0 conceals one lost 20 ms
 * frame (PLC). Returns the number of samples written or a negative AVERROR
 * (AVERROR(ENOSPC) if capacity is too small, AVERROR_INVALIDDATA for a bad packet). */
MCU_API int mcu_opus_decoder_decode(mcu_opus_decoder *decoder, const uint8_t *data, int size,
                                    int16_t *pcm, int capacity);

/* Recovers the frame lost just before `data` from data's in-band FEC (LBRR) and
 * writes `samples` samples (the lost frame's duration, a multiple of 2.5 ms; 960
 * for 20 ms). Without FEC in data libopus conceals instead (see
 * mcu_opus_packet_has_fec). `data` must then be decoded normally as the next frame. */
MCU_API int mcu_opus_decoder_decode_fec(mcu_opus_decoder *decoder, const uint8_t *data, int size,
                                        int16_t *pcm, int samples);

/* 1 when the packet's first frame carries in-band FEC for the frame before it, else 0. */
MCU_API int mcu_opus_packet_has_fec(const uint8_t *data, int size);

/* Encoder: 48 kHz mono, 20 ms frames, VBR, VoIP application, complexity 5,
 * in-band FEC for 10 % loss, DTX off. bitrate in bits per second (6000-510000). */
MCU_API int mcu_opus_encoder_create(int bitrate_bps, mcu_opus_encoder **encoder);
MCU_API void mcu_opus_encoder_destroy(mcu_opus_encoder *encoder);

/* Encodes exactly 960 samples. Returns the packet length written to out or a
 * negative AVERROR. With DTX on, a packet of 1 or 2 bytes means "silence: the
 * packet need not be sent" (libopus sends a real one every 400 ms meanwhile). */
MCU_API int mcu_opus_encoder_encode(mcu_opus_encoder *encoder, const int16_t *pcm, int samples,
                                    uint8_t *out, int capacity);

/* Changes the running encoder; each returns 0 or a negative AVERROR. */
MCU_API int mcu_opus_encoder_set_bitrate(mcu_opus_encoder *encoder, int bitrate_bps);
/* loss_percent 0 turns in-band FEC off; 1-100 turns it on, tuned for that loss. */
MCU_API int mcu_opus_encoder_set_fec(mcu_opus_encoder *encoder, int loss_percent);
MCU_API int mcu_opus_encoder_set_dtx(mcu_opus_encoder *encoder, int enabled);

/* ---- noise suppression, gain, voice activity (audio_processing.cpp), issue #16 ---- */
/* The WebRTC project's AudioProcessing module (Debian's libwebrtc-audio-processing, 0.3 or
 * 1.x) for one participant's incoming audio, 48 kHz mono. */

typedef struct mcu_audio_processor mcu_audio_processor;

/* noise_suppression, auto_gain: 0 off, else on. Voice activity is always detected. */
MCU_API int mcu_audio_processor_create(int noise_suppression, int auto_gain, mcu_audio_processor **processor);
MCU_API void mcu_audio_processor_destroy(mcu_audio_processor *processor);

/* Turns noise suppression and automatic gain on or off on the running processor. */
MCU_API int mcu_audio_processor_configure(mcu_audio_processor *processor, int noise_suppression, int auto_gain);

/* Processes pcm in place (samples a multiple of 480, 10 ms: 960 for one 20 ms frame).
 * Returns 1 when it heard voice in any 10 ms of it, 0 when not, or a negative AVERROR. */
MCU_API int mcu_audio_processor_process(mcu_audio_processor *processor, int16_t *pcm, int samples);

#ifdef __cplusplus
}
#endif

#endif /* MCU_MEDIA_H */
