// demo.cpp — lesson 01: flat memory, shapes, owners and views, strides.
//
// Stages: a (3, 4) buffer and the index rule t*C + c; owners (FloatBuffer) and typed views
// (WeightView) including the model's wte, read as F32; a (T, C) matrix of token vectors;
// and a column block of it (one head's 32 channels) multiplied in place through a row stride.
//
// usage: build/lessons/01-tensors [--model DIR] [--prompt STR] [--head H] [--step]
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"       // gw::fail
#include "core/stepper.h"     // --step
#include "core/tensor.h"      // Shape, FloatBuffer, WeightView, read_row_f32
#include "kernels/linear.h"   // matmul, matmul_ref (lesson 06): here only for their strides
#include "lesson.h"           // lesson::Demo: flags, --step, errors
#include "model/tokenizer.h"  // prompt -> ids
#include "model/weights.h"    // load_checkpoint

namespace {

bool aligned64(const void* p) { return reinterpret_cast<uintptr_t>(p) % 64 == 0; }

void print_row(const char* label, const float* row, int64_t n) {
    std::printf("%s", label);
    for (int64_t i = 0; i < n; i++) std::printf(" %7.3f", row[i]);
    std::printf("\n");
}

void run(const std::string& dir, const std::string& prompt, int64_t head, gw::Stepper& step) {
    std::printf("== 1. a shape lists sizes outermost first; memory is one flat run ==\n");
    const gw::Shape s{3, 4};
    gw::FloatBuffer buf(size_t(s.numel()));
    for (size_t i = 0; i < buf.size(); i++) buf[i] = float(i);  // each value is its own index
    std::printf("shape %s: %lld floats, %lld bytes\n", s.str().c_str(), (long long)s.numel(),
                (long long)s.numel() * 4);
    for (int64_t t = 0; t < s.dim[0]; t++) print_row(t == 0 ? "rows:" : "     ", &buf[size_t(t * 4)], 4);
    std::printf("element [2][1] is at index 2*4 + 1 = %d: value %g\n", 2 * 4 + 1, buf[2 * 4 + 1]);
    step.pause("owners and views");

    std::printf("\n== 2. owners (FloatBuffer) and views (WeightView) ==\n");
    std::printf("FloatBuffer of %zu floats: start is 64-byte aligned: %s\n", buf.size(),
                aligned64(buf.data()) ? "yes" : "no");
    const gw::WeightView v = gw::f32_view(buf.data(), s, "x");
    const float* row1 = v.f32() + 1 * v.shape.dim[1];
    std::printf("WeightView \"%s\" %s, %s: row 1 is data + %lld, no copy: %s\n", v.name.c_str(),
                v.shape.str().c_str(), gw::wtype_name(v.type), (long long)(row1 - v.f32()),
                row1 == buf.data() + 4 ? "yes" : "no");

    auto ck = gw::load_checkpoint(dir);
    const gw::Tokenizer tok(dir);
    const int64_t C = ck->config.n_embd;
    const gw::WeightView& wte = ck->w.wte;  // (V, C), as the file stores it
    std::printf("WeightView \"%s\" %s, %s: %lld numbers = %zu bytes, in the mapped file\n",
                wte.name.c_str(), wte.shape.str().c_str(), gw::wtype_name(wte.type), (long long)wte.shape.numel(),
                wte.bytes());
    const int the = tok.token_id(" the");
    std::vector<float> row(static_cast<size_t>(C));
    gw::read_row_f32(row.data(), wte, the);  // the one way to read a weight row as F32
    std::printf("token \" the\" is id %d: its row starts at number %d*%lld = %lld\n", the, the,
                (long long)C, (long long)the * C);
    print_row("  first 6 values, read as F32:", row.data(), 6);
    step.pause("a (T, C) matrix");

    std::printf("\n== 3. the (T, C) convention: one row per token, C numbers each ==\n");
    const std::vector<int> ids = tok.encode(prompt);
    const int64_t T = int64_t(ids.size());
    if (T == 0) gw::fail("--prompt gives no tokens: give at least one");
    gw::FloatBuffer x(size_t(T * C));  // (T, C): row t is the vector of token ids[t]
    for (int64_t t = 0; t < T; t++) gw::read_row_f32(x.data() + t * C, wte, ids[size_t(t)]);
    std::printf("prompt \"%s\" -> T = %lld tokens; x is (T, C) = (%lld, %lld)\n", prompt.c_str(),
                (long long)T, (long long)T, (long long)C);
    for (int64_t t = 0; t < T; t++) {
        std::printf("  x[%lld] = wte[%5d]:", (long long)t, ids[size_t(t)]);
        for (int64_t c = 0; c < 4; c++) std::printf(" %7.3f", x[size_t(t * C + c)]);
        std::printf("  ...   %s\n", tok.token_display(ids[size_t(t)]).c_str());
    }
    step.pause("strides");

    std::printf("\n== 4. strides: a column block used in place ==\n");
    const int64_t NH = ck->config.n_head, HS = C / NH;
    if (head < 0 || head >= NH) gw::fail("--head ", head, " is out of range (0..", NH - 1, ")");
    const int64_t c0 = head * HS;
    std::printf("columns [%lld, %lld) of x: a (T, HS) = (%lld, %lld) block, the slice attention\n"
                "takes out of q, k and v for head %lld (lesson 07)\n",
                (long long)c0, (long long)(c0 + HS), (long long)T, (long long)HS, (long long)head);
    std::printf("its rows start %lld floats apart (the stride is C, not HS): a = x.data() + %lld\n",
                (long long)C, (long long)c0);
    // G (T, T) = a · a^T: every pair of tokens' dot product over this head's channels.
    std::vector<float> g_inplace(size_t(T * T)), g_copied(size_t(T * T));
    const float* a = x.data() + c0;
    gw::matmul(g_inplace.data(), T, a, C, a, C, T, T, HS, /*b_transposed=*/true, 1.0f, 0.0f);
    std::vector<float> packed(size_t(T * HS));  // the same block copied to stride HS
    for (int64_t t = 0; t < T; t++)
        std::memcpy(packed.data() + t * HS, a + t * C, size_t(HS) * sizeof(float));
    gw::matmul_ref(g_copied.data(), T, packed.data(), HS, packed.data(), HS, T, T, HS, true, 1.0f, 0.0f);
    std::printf("G = a a^T (T, T), computed in place with lda = ldb = %lld:\n", (long long)C);
    double worst = 0;
    for (int64_t i = 0; i < T; i++) {
        print_row("  ", g_inplace.data() + i * T, T);
        for (int64_t j = 0; j < T; j++)
            worst = std::max(worst, double(std::fabs(g_inplace[size_t(i * T + j)] - g_copied[size_t(i * T + j)])));
    }
    // OpenBLAS's float sums against matmul_ref's double ones: HS = 32 products whose |terms|
    // sum to at most sqrt(G_ii G_jj) < 0.2 (Cauchy-Schwarz; G's diagonal is below 0.18), so in
    // any order they are within 32 u 0.2 ~ 4e-7 (tests/testing.h, float_sum_error): 1e-5 is a bound.
    std::printf("same as copying the block to stride %lld first: %s (max difference < 1e-5)\n",
                (long long)HS, worst < 1e-5 ? "yes" : "no");
}

}  // namespace

int main(int argc, char** argv) {
    lesson::Demo demo("01-tensors", "shapes, flat memory, owners and views, strides: the (T, C) convention");
    std::string prompt = "It is a truth";
    int64_t head = 1;
    demo.text("--prompt", &prompt, "STR", "the text whose token vectors fill x")
        .integer("--head", &head, 0, 99, "H", "the head whose column block stage 4 takes");
    return demo.run(argc, argv, [&](gw::Stepper& step) { run(demo.model, prompt, head, step); });
}
