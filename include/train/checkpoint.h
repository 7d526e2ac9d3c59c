// train/checkpoint.h — model folders written during training, and reading one back to resume.
//
// A checkpoint is a Hugging Face-layout folder that every other command loads:
//   config.json            the model's shape
//   model.safetensors      the weights, F32 or F16 (widened exactly at load), weight_table order
//   encoder.json + vocab.bpe (or vocab.json + merges.txt)   the tokenizer, copied
//   train_state.safetensors everything --resume needs: the exact F32 parameters (also when
//                          model.safetensors is F16), AdamW's moments, the update count, the
//                          window sampler's state, the run's settings and its data's fingerprint
// It is written as a whole (core/output_file.h, OutputFolder): into a temporary folder beside
// the target, then put in place in one step, so a crash or a full disk never leaves a
// half-written model that looks valid. The caller adds its own files (the log, the loss
// curve) to the same OutputFolder before committing it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/output_file.h"
#include "train/trainer.h"

namespace gw {

constexpr const char* kTrainStateFile = "train_state.safetensors";

// config.json, model.safetensors (run.settings.dtype) and the tokenizer files found in
// tokenizer_dir (none when it has none), into folder.
void write_model_files(const OutputFolder& folder, const ParamLayout& layout, const float* params, DType dtype,
                       const std::string& tokenizer_dir);

// What a run's data was: --resume checks that the text tokenizes to the same ids.
struct DataInfo {
    std::string model;          // where the run started: a model folder, or "a new model (SPEC)"
    std::string path;           // the text file, for messages
    int64_t tokens = 0;
    uint64_t fingerprint = 0;   // tokens_fingerprint
};

void write_train_state(const OutputFolder& folder, const TrainRun& run, const DataInfo& data);

// A checkpoint folder read back for --resume.
struct TrainResume {
    Config config;
    TrainSettings settings;       // threads and isa are left at their defaults: the caller's choice
    std::vector<float> params, m, v;
    int64_t step = 0;
    uint64_t sampler = 0;
    DataInfo data;
};
// Throws gw::Error naming dir when it is not a checkpoint written by `gptwalk train`.
TrainResume read_train_state(const std::string& dir);
// Puts a TrainResume's parameters, moments, update count and sampler into a fresh run.
void restore_train_state(TrainRun& run, const TrainResume& resume);

}  // namespace gw
