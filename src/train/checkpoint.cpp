// train/checkpoint.cpp — writing model folders during training, and reading them back to resume.
#include "train/checkpoint.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>

#include "core/error.h"
#include "core/json.h"         // json_number: doubles that read back exactly
#include "core/mapped_file.h"  // read_file, file_exists
#include "model/config.h"
#include "model/safetensors.h"

namespace gw {

namespace {

// The tokenizer's two file pairs (model/tokenizer.h): whichever the folder holds is copied.
constexpr const char* kTokenizerFiles[2][2] = {{"vocab.json", "merges.txt"}, {"encoder.json", "vocab.bpe"}};

void write_floats(OutputFile& f, const float* x, size_t n, DType dtype) {
    if (dtype == DType::F32) {
        f.write(x, n * sizeof(float));  // little-endian hosts only (model/weights.cpp checks)
        return;
    }
    std::vector<uint16_t> half(std::min<size_t>(n, size_t(1) << 16));
    for (size_t i = 0; i < n; i += half.size()) {
        const size_t k = std::min(half.size(), n - i);
        for (size_t j = 0; j < k; j++) half[j] = f32_to_f16(x[i + j]);
        f.write(half.data(), k * sizeof(uint16_t));
    }
}

// The settings and counters, as safetensors metadata (string -> string).
std::map<std::string, std::string> settings_metadata(const TrainRun& run, const DataInfo& data) {
    const TrainSettings& s = run.settings;
    const OptimizerConfig& o = s.optimizer;
    return {{"format", "gptwalk-train"},
            {"step", std::to_string(run.opt.step)},
            {"sampler", std::to_string(run.sampler.state)},
            {"batch", std::to_string(s.batch)},
            {"seq", std::to_string(s.seq)},
            {"accum", std::to_string(s.accum)},
            {"optimizer", optimizer_name(o.kind)},
            {"lr", json_number(o.lr)},
            {"min_lr", json_number(o.min_lr)},
            {"warmup", std::to_string(o.warmup)},
            {"steps", std::to_string(o.steps)},
            {"weight_decay", json_number(o.weight_decay)},
            {"beta1", json_number(o.beta1)},
            {"beta2", json_number(o.beta2)},
            {"eps", json_number(o.eps)},
            {"clip", json_number(o.clip)},
            {"val_fraction", json_number(s.val_fraction)},
            {"val_windows", std::to_string(s.val_windows)},
            {"eval_every", std::to_string(s.eval_every)},
            {"save_every", std::to_string(s.save_every)},
            {"seed", std::to_string(s.seed)},
            {"dtype", dtype_name(s.dtype)},
            {"model", data.model},
            {"data_path", data.path},
            {"data_tokens", std::to_string(data.tokens)},
            {"data_fingerprint", std::to_string(data.fingerprint)}};
}

// Reading the metadata back: every field must be there and parse completely.
struct Fields {
    const std::map<std::string, std::string>& meta;
    std::string source;
    const std::string& text(const char* key) const {
        auto it = meta.find(key);
        if (it == meta.end()) fail(source, ": no \"", key, "\" in its metadata (not written by gptwalk train?)");
        return it->second;
    }
    uint64_t u64(const char* key) const {
        const std::string& t = text(key);
        char* end = nullptr;
        errno = 0;
        const unsigned long long v = std::strtoull(t.c_str(), &end, 10);
        if (t.empty() || *end != '\0' || errno || t[0] == '-') fail(source, ": \"", key, "\" is not a count: '", t, "'");
        return uint64_t(v);
    }
    int64_t i64(const char* key) const { return int64_t(u64(key)); }
    double real(const char* key) const {
        const std::string& t = text(key);
        char* end = nullptr;
        const double v = std::strtod(t.c_str(), &end);
        if (t.empty() || *end != '\0') fail(source, ": \"", key, "\" is not a number: '", t, "'");
        return v;
    }
};

// A flat F32 tensor of the state file, checked against the expected length.
std::vector<float> flat_tensor(const SafetensorsFile& f, const char* name, size_t n) {
    const TensorInfo* t = f.find(name);
    if (!t) fail(f.path(), ": tensor '", name, "' is missing");
    if (t->dtype != DType::F32 || t->shape != Shape{int64_t(n)})
        fail(f.path(), ": tensor '", name, "' should be F32 (", n, "), got ", dtype_name(t->dtype), " ", t->shape.str());
    std::vector<float> v(n);
    std::memcpy(v.data(), t->data, n * sizeof(float));
    return v;
}

}  // namespace

void write_model_files(const OutputFolder& folder, const ParamLayout& layout, const float* params, DType dtype,
                       const std::string& tokenizer_dir) {
    write_output_file(folder.file("config.json"), config_json(layout.config, dtype == DType::F16 ? "float16" : "float32"));
    std::vector<TensorSpec> specs;
    for (const ParamTensor& t : layout.tensors) specs.push_back({t.name, dtype, t.shape});
    OutputFile f(folder.file("model.safetensors"));
    f.write(safetensors_header(specs, {{"format", "pt"}}));
    for (const ParamTensor& t : layout.tensors) write_floats(f, params + t.offset, t.size, dtype);
    f.commit();
    for (const auto& pair : kTokenizerFiles) {
        if (!file_exists(tokenizer_dir + "/" + pair[0]) || !file_exists(tokenizer_dir + "/" + pair[1])) continue;
        for (const char* name : pair) write_output_file(folder.file(name), read_file(tokenizer_dir + "/" + name));
        break;
    }
}

void write_train_state(const OutputFolder& folder, const TrainRun& run, const DataInfo& data) {
    const int64_t n = int64_t(run.layout.total);
    std::vector<TensorSpec> specs = {{"params", DType::F32, {n}}};
    const bool adamw = run.settings.optimizer.kind == OptimizerKind::AdamW;
    if (adamw) {
        specs.push_back({"adamw.m", DType::F32, {n}});
        specs.push_back({"adamw.v", DType::F32, {n}});
    }
    OutputFile f(folder.file(kTrainStateFile));
    f.write(safetensors_header(specs, settings_metadata(run, data)));
    f.write(run.params.data(), size_t(n) * sizeof(float));
    if (adamw) {
        f.write(run.opt.m.data(), size_t(n) * sizeof(float));
        f.write(run.opt.v.data(), size_t(n) * sizeof(float));
    }
    f.commit();
}

TrainResume read_train_state(const std::string& dir) {
    const std::string path = dir + "/" + kTrainStateFile;
    if (!file_exists(path)) fail(dir, ": no ", kTrainStateFile, ": not a checkpoint written by gptwalk train");
    TrainResume r;
    r.config = load_config(dir + "/config.json");
    const SafetensorsFile f(path);
    const Fields m{f.metadata(), path};
    if (m.text("format") != "gptwalk-train") fail(path, ": \"format\" is '", m.text("format"), "', not gptwalk-train");
    TrainSettings& s = r.settings;
    OptimizerConfig& o = s.optimizer;
    const std::string& kind = m.text("optimizer");
    if (kind != "adamw" && kind != "sgd") fail(path, ": unknown optimizer '", kind, "'");
    o.kind = kind == "adamw" ? OptimizerKind::AdamW : OptimizerKind::Sgd;
    s.batch = m.i64("batch");
    s.seq = m.i64("seq");
    s.accum = m.i64("accum");
    o.lr = m.real("lr");
    o.min_lr = m.real("min_lr");
    o.warmup = m.i64("warmup");
    o.steps = m.i64("steps");
    o.weight_decay = m.real("weight_decay");
    o.beta1 = m.real("beta1");
    o.beta2 = m.real("beta2");
    o.eps = m.real("eps");
    o.clip = m.real("clip");
    s.val_fraction = m.real("val_fraction");
    s.val_windows = m.i64("val_windows");
    s.eval_every = m.i64("eval_every");
    s.save_every = m.i64("save_every");
    s.seed = m.u64("seed");
    const std::string& dtype = m.text("dtype");
    if (dtype != "F32" && dtype != "F16") fail(path, ": dtype '", dtype, "' is not F32 or F16");
    s.dtype = dtype == "F32" ? DType::F32 : DType::F16;
    r.step = m.i64("step");
    r.sampler = m.u64("sampler");
    r.data = {m.text("model"), m.text("data_path"), m.i64("data_tokens"), m.u64("data_fingerprint")};
    if (s.batch < 1 || s.seq < 1 || s.seq > r.config.n_positions || s.accum < 1 || o.steps < 1 || r.step > o.steps)
        fail(path, ": settings out of range (batch ", s.batch, ", seq ", s.seq, ", accum ", s.accum, ", step ", r.step,
             " of ", o.steps, ")");
    const size_t n = size_t(r.config.parameter_count());
    r.params = flat_tensor(f, "params", n);
    if (o.kind == OptimizerKind::AdamW) {
        r.m = flat_tensor(f, "adamw.m", n);
        r.v = flat_tensor(f, "adamw.v", n);
    }
    return r;
}

void restore_train_state(TrainRun& run, const TrainResume& r) {
    std::memcpy(run.params.data(), r.params.data(), r.params.size() * sizeof(float));
    if (!r.m.empty()) {
        std::memcpy(run.opt.m.data(), r.m.data(), r.m.size() * sizeof(float));
        std::memcpy(run.opt.v.data(), r.v.data(), r.v.size() * sizeof(float));
    }
    run.opt.step = r.step;
    run.sampler.state = r.sampler;
}

}  // namespace gw
