// Noise suppression, automatic gain and voice activity for one participant's audio, from the
// AudioProcessing module of the WebRTC project as Debian packages it: 0.3 on Debian 12 (the
// per-component API: noise_suppression(), gain_control(), voice_detection() on an AudioFrame) and
// 1.3 on Debian 13 and Ubuntu 24.04 (one Config applied at once, ProcessStream on int16 samples).
// MCU_APM_1 (set by CMake from the pkg-config module found) picks. 48 kHz mono, 10 ms at a time.
#include <new>
#include <stdint.h>

#ifdef MCU_APM_1
#include <modules/audio_processing/include/audio_processing.h>
#else
#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>
#endif

extern "C" {
#include <libavutil/error.h>
#include "mcu_media.h"
}

namespace {
constexpr int kSampleRate = 48000;
constexpr int kChunk = kSampleRate / 100; // the module works in 10 ms
}

struct mcu_audio_processor {
#ifdef MCU_APM_1
    rtc::scoped_refptr<webrtc::AudioProcessing> apm;
#else
    webrtc::AudioProcessing *apm = nullptr;
    webrtc::AudioFrame frame;
#endif
};

static int configure(mcu_audio_processor *p, int noise_suppression, int auto_gain)
{
#ifdef MCU_APM_1
    webrtc::AudioProcessing::Config config;
    config.noise_suppression.enabled = noise_suppression != 0;
    config.noise_suppression.level = webrtc::AudioProcessing::Config::NoiseSuppression::kHigh;
    config.high_pass_filter.enabled = noise_suppression != 0;
    config.gain_controller2.enabled = auto_gain != 0;
    config.gain_controller2.adaptive_digital.enabled = auto_gain != 0;
    config.voice_detection.enabled = true;
    p->apm->ApplyConfig(config);
    return 0;
#else
    webrtc::AudioProcessing *apm = p->apm;
    if (apm->noise_suppression()->set_level(webrtc::NoiseSuppression::kHigh) != 0
        || apm->noise_suppression()->Enable(noise_suppression != 0) != 0
        || apm->high_pass_filter()->Enable(noise_suppression != 0) != 0
        || apm->gain_control()->set_mode(webrtc::GainControl::kAdaptiveDigital) != 0
        || apm->gain_control()->set_target_level_dbfs(9) != 0
        || apm->gain_control()->set_compression_gain_db(30) != 0
        || apm->gain_control()->enable_limiter(true) != 0
        || apm->gain_control()->Enable(auto_gain != 0) != 0
        || apm->voice_detection()->Enable(true) != 0)
        return AVERROR(EINVAL);
    return 0;
#endif
}

int mcu_audio_processor_create(int noise_suppression, int auto_gain, mcu_audio_processor **processor)
{
    *processor = nullptr;
    auto *p = new (std::nothrow) mcu_audio_processor();
    if (p == nullptr)
        return AVERROR(ENOMEM);
#ifdef MCU_APM_1
    p->apm = webrtc::AudioProcessingBuilder().Create();
#else
    p->apm = webrtc::AudioProcessing::Create();
    p->frame.sample_rate_hz_ = kSampleRate;
    p->frame.num_channels_ = 1;
    p->frame.samples_per_channel_ = kChunk;
#endif
    if (p->apm == nullptr) {
        delete p;
        return AVERROR(ENOMEM);
    }
    int ret = configure(p, noise_suppression, auto_gain);
    if (ret < 0) {
        mcu_audio_processor_destroy(p);
        return ret;
    }
    *processor = p;
    return 0;
}

void mcu_audio_processor_destroy(mcu_audio_processor *processor)
{
    if (processor == nullptr)
        return;
#ifndef MCU_APM_1
    delete processor->apm;
#endif
    delete processor;
}

int mcu_audio_processor_configure(mcu_audio_processor *processor, int noise_suppression, int auto_gain)
{
    if (processor == nullptr)
        return AVERROR(EINVAL);
    return configure(processor, noise_suppression, auto_gain);
}

int mcu_audio_processor_process(mcu_audio_processor *processor, int16_t *pcm, int samples)
{
    if (processor == nullptr || pcm == nullptr || samples <= 0 || samples % kChunk != 0)
        return AVERROR(EINVAL);
    bool voice = false;
    for (int offset = 0; offset < samples; offset += kChunk) {
#ifdef MCU_APM_1
        webrtc::StreamConfig config(kSampleRate, 1);
        if (processor->apm->ProcessStream(pcm + offset, config, config, pcm + offset) != 0)
            return AVERROR(EINVAL);
        auto detected = processor->apm->GetStatistics().voice_detected;
        voice = voice || (detected && *detected);
#else
        webrtc::AudioFrame &frame = processor->frame;
        for (int i = 0; i < kChunk; i++)
            frame.data_[i] = pcm[offset + i];
        frame.samples_per_channel_ = kChunk;
        if (processor->apm->ProcessStream(&frame) != 0)
            return AVERROR(EINVAL);
        for (int i = 0; i < kChunk; i++)
            pcm[offset + i] = frame.data_[i];
        voice = voice || processor->apm->voice_detection()->stream_has_voice();
#endif
    }
    return voice ? 1 : 0;
}
