// kernels/embedding.cpp — token + position vectors, and their backward (lesson 17).
// Templates over the number type, so the float64 overloads (finite differences) are the same loops.
#include "kernels/embedding.h"

namespace gw {

template <typename S>
static void embed_rows(S* x, const int* tokens, const S* wte, const S* wpe, int64_t T, int64_t C) {
    for (int64_t t = 0; t < T; t++)
        for (int64_t c = 0; c < C; c++) x[t * C + c] = wte[tokens[t] * C + c] + wpe[t * C + c];
}

template <typename S>
static void embed_backward_columns(S* dwte, S* dwpe, const S* dx, const int* tokens, int64_t T,
                                   int64_t C, int64_t c0, int64_t c1) {
    for (int64_t t = 0; t < T; t++)
        for (int64_t c = c0; c < c1; c++) {
            dwte[tokens[t] * C + c] += dx[t * C + c];
            dwpe[t * C + c] += dx[t * C + c];
        }
}

void embedding(float* x, const int* tokens, const float* wte, const float* wpe, int64_t T,
               int64_t C) {
    embed_rows(x, tokens, wte, wpe, T, C);
}
void embedding(double* x, const int* tokens, const double* wte, const double* wpe, int64_t T,
               int64_t C) {
    embed_rows(x, tokens, wte, wpe, T, C);
}
void embedding_backward(float* dwte, float* dwpe, const float* dx, const int* tokens, int64_t T,
                        int64_t C, int64_t c0, int64_t c1) {
    embed_backward_columns(dwte, dwpe, dx, tokens, T, C, c0, c1);
}
void embedding_backward(double* dwte, double* dwpe, const double* dx, const int* tokens, int64_t T,
                        int64_t C, int64_t c0, int64_t c1) {
    embed_backward_columns(dwte, dwpe, dx, tokens, T, C, c0, c1);
}

}  // namespace gw
