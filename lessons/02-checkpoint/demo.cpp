// demo.cpp — lesson 02: a checkpoint from raw bytes to the weight table.
//
// Stages: the first 8 bytes and the JSON header read by hand; the same header parsed
// and validated by SafetensorsFile; config.json; the one weight table; loading (the big
// matrices used in place as stored, the small tensors widened to F32, --weights f32
// widening everything); and what the loader says about broken files.
//
// usage: build/lessons/02-checkpoint [--model DIR] [--step]
#include <unistd.h>  // mkdtemp

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"              // gw::Error
#include "core/mapped_file.h"        // MappedFile, read_file
#include "core/stepper.h"            // --step
#include "lesson.h"                  // lesson::Demo: flags, --step, errors
#include "model/safetensors.h"       // SafetensorsFile, f16_to_f32
#include "model/weights.h"           // load_checkpoint, weight_table
#include "perf/random_checkpoint.h"

namespace {

// The file's bytes [0, 8) as the little-endian uint64 they are.
uint64_t header_length(const uint8_t* p) {
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | p[i];
    return n;
}

// Runs f, which must throw, and prints its message with the scratch folder's name
// replaced by "<tmp>" (so the output is the same on every run).
template <typename F>
void show_error(const std::string& what, const std::string& tmp, F f) {
    std::printf("%s\n", what.c_str());
    try {
        f();
        std::printf("  (no error!)\n");
    } catch (const gw::Error& e) {
        std::string msg = e.what();
        for (size_t at; (at = msg.find(tmp)) != std::string::npos;) msg.replace(at, tmp.size(), "<tmp>");
        std::printf("  -> %s\n", msg.c_str());
    }
}

// wte.weight, with or without GPT2LMHeadModel's "transformer." prefix (the loader takes both).
const gw::TensorInfo& find_wte(const gw::SafetensorsFile& f) {
    const gw::TensorInfo* t = f.find("wte.weight");
    if (!t) t = f.find("transformer.wte.weight");
    if (!t) gw::fail(f.path(), ": no wte.weight");
    return *t;
}

void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

void run(const std::string& dir, gw::Stepper& step) {
    const std::string path = dir + "/model.safetensors";

    std::printf("== 1. the raw bytes of %s ==\n", path.c_str());
    {
        gw::MappedFile file(path);
        const uint8_t* p = file.data();
        if (file.size() < 8) gw::fail(path, ": too short to be a safetensors file");
        const uint64_t n = header_length(p);
        std::printf("file size           %zu bytes\n", file.size());
        std::printf("first 8 bytes      ");
        for (int i = 0; i < 8; i++) std::printf(" %02x", p[i]);
        std::printf("\nas little-endian N  %llu  (the JSON header is bytes [8, %llu))\n",
                    (unsigned long long)n, (unsigned long long)(8 + n));
        std::printf("data section        bytes [%llu, %zu): %llu bytes of numbers\n",
                    (unsigned long long)(8 + n), file.size(),
                    (unsigned long long)(file.size() - 8 - n));
        std::string head(reinterpret_cast<const char*>(p + 8), size_t(std::min<uint64_t>(n, 150)));
        std::printf("header begins       %s...\n", head.c_str());
    }
    step.pause("the header, parsed");

    std::printf("\n== 2. the header, parsed and checked (SafetensorsFile) ==\n");
    gw::SafetensorsFile st(path);
    std::printf("%zu tensors; __metadata__:", st.tensors().size());
    for (const auto& [key, value] : st.metadata()) std::printf(" \"%s\": \"%s\"", key.c_str(), value.c_str());
    std::printf("%s\n", st.metadata().empty() ? " none" : "");
    std::printf("%-24s %-5s %-13s %10s %10s %9s\n", "name", "dtype", "shape", "begin", "end", "bytes");
    for (size_t i = 0; i < st.tensors().size() && i < 5; i++) {
        const gw::TensorInfo& t = st.tensors()[i];
        std::printf("%-24s %-5s %-13s %10llu %10llu %9llu\n", t.name.c_str(), gw::dtype_name(t.dtype),
                    t.shape.str().c_str(), (unsigned long long)t.begin, (unsigned long long)t.end,
                    (unsigned long long)(t.end - t.begin));
    }
    const gw::TensorInfo* wte = &find_wte(st);
    std::printf("check: wte.weight holds %lld x %lld = %lld numbers x %zu bytes = %llu bytes\n",
                (long long)wte->shape.dim[0], (long long)wte->shape.dim[1],
                (long long)wte->shape.numel(), gw::dtype_size(wte->dtype),
                (unsigned long long)(wte->end - wte->begin));
    step.pause("config.json");

    std::printf("\n== 3. config.json: every size comes from here ==\n");
    const gw::Config cfg = gw::load_config(dir + "/config.json");
    std::printf("n_embd C = %lld   n_head NH = %lld (head size %lld)   n_layer L = %lld\n",
                (long long)cfg.n_embd, (long long)cfg.n_head, (long long)cfg.head_size(),
                (long long)cfg.n_layer);
    std::printf("n_positions P = %lld   vocab_size V = %lld   layer_norm_epsilon = %g\n",
                (long long)cfg.n_positions, (long long)cfg.vocab_size, cfg.layer_norm_epsilon);
    std::printf("parameters: %lld\n", (long long)cfg.parameter_count());
    step.pause("the weight table");

    std::printf("\n== 4. THE weight table: name, symbolic shape, expected shape ==\n");
    gw::Weights scratch;
    const std::vector<gw::WeightEntry> table = gw::weight_table(cfg, scratch);
    std::printf("%zu rows = 2 (wte, wpe) + 12 per block x %lld blocks + 2 (ln_f)\n", table.size(),
                (long long)cfg.n_layer);
    for (size_t i = 0; i < table.size() && i < 14; i++)
        std::printf("  %-24s %-8s %s\n", table[i].name.c_str(), table[i].dims.c_str(),
                    table[i].shape.str().c_str());
    std::printf("  ... and the same 12 rows for h.1 to h.%lld, then ln_f.weight, ln_f.bias\n",
                (long long)cfg.n_layer - 1);
    step.pause("loading: the matrices as stored");

    std::printf("\n== 5. load_checkpoint: the big matrices as stored, the rest as F32 ==\n");
    auto ck = gw::load_checkpoint(dir);
    const int64_t matrices = 1 + 4 * cfg.n_layer;  // wte and four a block
    std::printf("stored dtype %s; %lld matrices used in place (%s views), %zu small tensors widened to F32\n",
                gw::dtype_name(ck->stored_dtype), (long long)ck->matrices_in_place,
                gw::wtype_name(ck->weights_type()), ck->made.size());
    std::printf("weights in memory: %.1f MB (the file: %.1f MB)\n", double(ck->weights_bytes()) / 1e6,
                double(ck->file->file_size()) / 1e6);
    if (wte->dtype == gw::DType::F32) {
        // (compared with the checkpoint's own mapping: stage 2's SafetensorsFile is another one)
        std::printf("wte points into the mapped file (no copy): %s\n",
                    ck->w.wte.data == find_wte(*ck->file).data ? "yes" : "no");
    } else {
        std::vector<float> row(static_cast<size_t>(cfg.n_embd));
        gw::read_row_f32(row.data(), ck->w.wte, 0);  // the one way to read a weight as F32
        std::printf("wte.weight[0][0..3] as stored (%s bits) -> widened (F32):\n", gw::dtype_name(wte->dtype));
        for (int i = 0; i < 4; i++) {
            const uint16_t h = uint16_t(wte->data[2 * i] | (wte->data[2 * i + 1] << 8));  // little-endian
            const float f = wte->dtype == gw::DType::F16 ? gw::f16_to_f32(h) : gw::bf16_to_f32(h);
            std::printf("  0x%04x -> %.8g   (read_row_f32: %.8g)\n", h, f, row[size_t(i)]);
        }
    }
    auto f32 = gw::load_checkpoint(dir, {gw::WType::F32});  // --weights f32
    std::printf("with --weights f32: %lld of %lld matrices made at load, %.1f MB in memory\n",
                (long long)(matrices - f32->matrices_in_place), (long long)matrices,
                double(f32->weights_bytes()) / 1e6);
    step.pause("an F32 checkpoint, and broken ones");

    std::printf("\n== 6. a tiny random F32 checkpoint, then broken files ==\n");
    char tmpl[] = "/tmp/gptwalk-lesson02-XXXXXX";
    if (!mkdtemp(tmpl)) gw::fail("cannot create a scratch folder in /tmp");
    const std::string tmp = tmpl;
    try {
        gw::Config small;
        small.n_embd = 8, small.n_head = 2, small.n_layer = 1, small.n_positions = 4, small.vocab_size = 10;
        gw::RandomCheckpointOptions opt;  // F32, seed 1
        gw::write_random_checkpoint(tmp + "/f32", small, opt);
        auto small32 = gw::load_checkpoint(tmp + "/f32");
        const bool in_place = small32->w.wte.data == find_wte(*small32->file).data;
        std::printf("F32 model: tensors made at load %zu; wte points into the mapped file: %s\n",
                    small32->made.size(), in_place ? "yes" : "no");

        show_error("a file of 8 bytes that promises a 1000-byte header:", tmp, [&] {
            write_bytes(tmp + "/short.safetensors", std::string("\xe8\x03\0\0\0\0\0\0", 8));
            gw::SafetensorsFile bad(tmp + "/short.safetensors");
        });
        show_error("a tensor whose byte range does not match its shape:", tmp, [&] {
            std::string json = R"({"x":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})";
            std::string len(8, '\0');
            len[0] = char(json.size());
            write_bytes(tmp + "/ranges.safetensors", len + json + std::string(20, '\0'));
            gw::SafetensorsFile bad(tmp + "/ranges.safetensors");
        });
        show_error("config.json says vocab_size 11, the file holds 10 token vectors:", tmp, [&] {
            std::string c = gw::read_file(tmp + "/f32/config.json");
            c.replace(c.find("\"vocab_size\": 10"), 16, "\"vocab_size\": 11");
            write_bytes(tmp + "/f32/config.json", c);
            gw::load_checkpoint(tmp + "/f32");
        });
    } catch (...) {
        std::filesystem::remove_all(tmp);
        throw;
    }
    std::filesystem::remove_all(tmp);
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("02-checkpoint", "a checkpoint from its first byte: safetensors, config.json, the weight table, broken files");
    return demo.run(argc, argv, [&](gw::Stepper& step) { run(demo.model, step); });
}
