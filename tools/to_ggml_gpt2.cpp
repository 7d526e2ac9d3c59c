// to_ggml_gpt2 — writes a gptwalk checkpoint in the model file format of ggml's GPT-2
// example (github.com/ggml-org/ggml, examples/gpt-2), so that `make bench` can time that
// program on the very weights gptwalk runs (tools/bench.sh, GGML_GPT2=path). Our own
// converter, written from the format as the example's loader reads it:
//
//   int32 magic 0x67676d6c ("ggml"), then int32 n_vocab, n_ctx, n_embd, n_head, n_layer,
//   ftype (0 all F32, 1 mostly F16, 7 mostly Q8_0; + 1000 x 2, the quantization version,
//   for Q8_0); int32 n_vocab again, then each token as int32 length + bytes; then each
//   tensor: int32 n_dims, int32 name length, int32 type (0 F32, 1 F16, 8 Q8_0), int32
//   dims innermost first, the name, the data.
//   Names: model/wte, model/wpe, model/ln_f/{g,b}, model/h{l}/{ln_1,ln_2}/{g,b},
//   model/h{l}/attn/{c_attn,c_proj}/{w,b}, model/h{l}/mlp/{c_fc,c_proj}/{w,b}.
//   The four Conv1D weights are written transposed, one row per output (out, in), as the
//   example multiplies them; wte as (V, C). Only those five take the file's type; the
//   rest is F32. A Q8_0 block is an F16 scale then 32 int8 values (34 bytes): the blocks
//   are made by gptwalk's own quantize_q8_row, so ggml computes with exactly the numbers
//   gptwalk's --weights q8 does.
//
// Random checkpoints have no tokenizer, and the example tokenizes its prompt itself, so
// the vocabulary written is a made-up one: token i is " x" followed by i in five letters
// (a = 0 ... j = 9), one whole word each for the example's tokenizer. --prompt-ids writes
// the text whose tokens are exactly those ids, for the example's -f.
//
//   to_ggml_gpt2 --model DIR --out FILE --type f32|f16|q8_0 [--prompt-ids 1,2 | --bench-prompt N]
//                [--prompt-out FILE]
#include <charconv>
#include <cstdio>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/program.h"
#include "core/output_file.h"
#include "model/weights.h"
#include "perf/bench.h"  // bench_tokens

using namespace gw;

namespace {

const char* kUsage =
    "usage: to_ggml_gpt2 --model DIR --out FILE --type f32|f16|q8_0\n"
    "                    [--prompt-ids 1,2,3 | --bench-prompt N] [--prompt-out FILE]\n"
    "\n"
    "Writes the checkpoint in DIR in ggml's GPT-2 example format (see the header of\n"
    "tools/to_ggml_gpt2.cpp), with a made-up vocabulary: token i is \" x\" + i in letters.\n"
    "  --prompt-ids, --prompt-out  also write the text that tokenizes to those ids\n"
    "  --bench-prompt N            ... to the N ids `gptwalk bench --prompt-tokens N` uses (seed 1)\n";

enum : int32_t { kF32 = 0, kF16 = 1, kQ8_0 = 8 };  // ggml's tensor type codes

void put_i32(OutputFile& f, int32_t v) {
    uint8_t b[4] = {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
    f.write(b, 4);
}

std::string token_text(int64_t id) {
    std::string s = " x";
    for (int64_t div = 10000; div > 0; div /= 10) s += char('a' + (id / div) % 10);
    return s;
}

// One tensor: header, then rows of `cols` numbers (rows x cols, row-major) in `type`.
void put_tensor(OutputFile& f, const std::string& name, const std::vector<float>& values, int64_t rows,
                int64_t cols, int32_t type) {
    const bool matrix = rows > 1;
    put_i32(f, matrix ? 2 : 1);
    put_i32(f, int32_t(name.size()));
    put_i32(f, type);
    put_i32(f, int32_t(cols));  // innermost first
    if (matrix) put_i32(f, int32_t(rows));
    f.write(name);
    if (type == kF32) return f.write(values.data(), values.size() * sizeof(float));
    std::vector<uint8_t> out;
    for (int64_t r = 0; r < rows; r++) {
        const float* x = values.data() + r * cols;
        if (type == kF16) {
            for (int64_t c = 0; c < cols; c++) {
                const uint16_t h = f32_to_f16(x[c]);
                out.push_back(uint8_t(h)), out.push_back(uint8_t(h >> 8));
            }
            continue;
        }
        std::vector<int8_t> q(static_cast<size_t>(cols));
        std::vector<uint16_t> d(static_cast<size_t>(q8_blocks(cols)));
        quantize_q8_row(q.data(), d.data(), x, cols);
        for (int64_t b = 0; b < q8_blocks(cols); b++) {
            out.push_back(uint8_t(d[size_t(b)])), out.push_back(uint8_t(d[size_t(b)] >> 8));
            for (int64_t i = 0; i < kQ8Block; i++) out.push_back(uint8_t(q[size_t(b * kQ8Block + i)]));
        }
    }
    f.write(out.data(), out.size());
}

// A matrix of the checkpoint as F32, optionally transposed to (cols, rows).
std::vector<float> matrix_values(const WeightView& w, bool transpose) {
    const AsF32 m(w);
    const int64_t R = w.shape.dim[0], C = w.shape.dim[1];
    std::vector<float> out(size_t(R * C));
    for (int64_t r = 0; r < R; r++)
        for (int64_t c = 0; c < C; c++) out[size_t(transpose ? c * R + r : r * C + c)] = m.row(r)[c];
    return out;
}

std::vector<float> vector_values(const float* p, int64_t n) { return std::vector<float>(p, p + n); }

int run(int argc, char** argv) {
    std::string model, out, type, ids, prompt_out, bench_prompt;
    for (int i = 1; i < argc; i++) {
        const std::string flag = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw UsageError(cat(flag, " needs a value"));
            return argv[++i];
        };
        if (flag == "--help" || flag == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (flag == "--model") model = value();
        else if (flag == "--out") out = value();
        else if (flag == "--type") type = value();
        else if (flag == "--prompt-ids") ids = value();
        else if (flag == "--prompt-out") prompt_out = value();
        else if (flag == "--bench-prompt") bench_prompt = value();
        else throw UsageError(cat("unknown flag '", flag, "' (see --help)"));
    }
    if (model.empty() || out.empty()) throw UsageError("--model DIR and --out FILE are required (see --help)");
    if ((ids.empty() && bench_prompt.empty()) != prompt_out.empty())
        throw UsageError("--prompt-out goes with --prompt-ids or --bench-prompt");
    int32_t wtype = 0, ftype = 0;
    if (type == "f32") wtype = kF32, ftype = 0;
    else if (type == "f16") wtype = kF16, ftype = 1;
    else if (type == "q8_0") wtype = kQ8_0, ftype = 7 + 2 * 1000;
    else throw UsageError(cat("--type: expected f32, f16 or q8_0, got '", type, "'"));

    auto ck = load_checkpoint(model);
    const Config& c = ck->config;
    const Weights& w = ck->w;
    if (wtype == kQ8_0 && c.n_embd % kQ8Block != 0)
        fail(model, ": n_embd ", c.n_embd, " is not a multiple of 32, which ggml's Q8_0 needs");
    OutputFile f(out);
    put_i32(f, 0x67676d6c);
    for (int64_t v : {c.vocab_size, c.n_positions, c.n_embd, c.n_head, c.n_layer}) put_i32(f, int32_t(v));
    put_i32(f, ftype);
    put_i32(f, int32_t(c.vocab_size));
    for (int64_t id = 0; id < c.vocab_size; id++) {
        const std::string t = token_text(id);
        put_i32(f, int32_t(t.size()));
        f.write(t);
    }
    const int64_t C = c.n_embd, P = c.n_positions, V = c.vocab_size;
    put_tensor(f, "model/ln_f/g", vector_values(w.ln_f_w, C), 1, C, kF32);
    put_tensor(f, "model/ln_f/b", vector_values(w.ln_f_b, C), 1, C, kF32);
    put_tensor(f, "model/wte", matrix_values(w.wte, false), V, C, wtype);
    put_tensor(f, "model/wpe", vector_values(w.wpe, P * C), P, C, kF32);
    for (size_t l = 0; l < w.h.size(); l++) {
        const LayerWeights& b = w.h[l];
        const std::string h = "model/h" + std::to_string(l) + "/";
        put_tensor(f, h + "ln_1/g", vector_values(b.ln_1_w, C), 1, C, kF32);
        put_tensor(f, h + "ln_1/b", vector_values(b.ln_1_b, C), 1, C, kF32);
        put_tensor(f, h + "attn/c_attn/w", matrix_values(b.c_attn_w, true), 3 * C, C, wtype);
        put_tensor(f, h + "attn/c_attn/b", vector_values(b.c_attn_b, 3 * C), 1, 3 * C, kF32);
        put_tensor(f, h + "attn/c_proj/w", matrix_values(b.attn_proj_w, true), C, C, wtype);
        put_tensor(f, h + "attn/c_proj/b", vector_values(b.attn_proj_b, C), 1, C, kF32);
        put_tensor(f, h + "ln_2/g", vector_values(b.ln_2_w, C), 1, C, kF32);
        put_tensor(f, h + "ln_2/b", vector_values(b.ln_2_b, C), 1, C, kF32);
        put_tensor(f, h + "mlp/c_fc/w", matrix_values(b.c_fc_w, true), 4 * C, C, wtype);
        put_tensor(f, h + "mlp/c_fc/b", vector_values(b.c_fc_b, 4 * C), 1, 4 * C, kF32);
        put_tensor(f, h + "mlp/c_proj/w", matrix_values(b.mlp_proj_w, true), C, 4 * C, wtype);
        put_tensor(f, h + "mlp/c_proj/b", vector_values(b.mlp_proj_b, C), 1, C, kF32);
    }
    f.commit();
    std::printf("wrote %s (ggml GPT-2, %s)\n", out.c_str(), type.c_str());

    if (!bench_prompt.empty()) {  // the ids gptwalk bench draws, written as a list
        int64_t n = 0;
        auto r = std::from_chars(bench_prompt.data(), bench_prompt.data() + bench_prompt.size(), n);
        if (r.ec != std::errc() || r.ptr != bench_prompt.data() + bench_prompt.size() || n < 1)
            throw UsageError(cat("--bench-prompt: expected a token count, got '", bench_prompt, "'"));
        for (int id : bench_tokens(n, V, /*seed=*/1)) ids += (ids.empty() ? "" : ",") + std::to_string(id);
    }
    if (!ids.empty()) {
        std::string text;
        for (size_t i = 0; i <= ids.size();) {
            size_t j = ids.find(',', i);
            if (j == std::string::npos) j = ids.size();
            int64_t id = -1;
            auto r = std::from_chars(ids.data() + i, ids.data() + j, id);
            if (r.ec != std::errc() || r.ptr != ids.data() + j || id < 0 || id >= V)
                throw UsageError(cat("--prompt-ids: '", ids.substr(i, j - i), "' is not a token id of this model"));
            text += token_text(id);
            i = j + 1;
        }
        write_output_file(prompt_out, text);
        std::printf("wrote %s (prompt text)\n", prompt_out.c_str());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return run_reporting_errors("to_ggml_gpt2", [&] { return run(argc, argv); });
}
