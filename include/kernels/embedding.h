// kernels/embedding.h — a sequence's first vectors, and where their gradient goes (lesson 17).
//
//   x[t] = wte[tokens[t]] + wpe[t]        t = 0 .. T-1 (positions from 0: a training window)
// Backward, for g = dL/dx (T, C):
//   dwte[tokens[t]] += g[t]               only the rows of tokens that occurred get a gradient
//   dwpe[t]         += g[t]
// Shapes: x, g (T, C); tokens (T), each in [0, V) (the caller checks); wte, dwte (V, C);
// wpe, dwpe (P, C), T <= P. (model/forward.cpp embeds inline, from any start position.)
// Two positions may hold the same token and add to the same row of dwte, so a team shares
// the backward out by COLUMNS [c0, c1): each member's rows never meet another's, and every
// column adds its rows in position order, whoever runs it.
#pragma once
#include <cstdint>

namespace gw {

void embedding(float* x, const int* tokens, const float* wte, const float* wpe, int64_t T,
               int64_t C);
void embedding(double* x, const int* tokens, const double* wte, const double* wpe, int64_t T,
               int64_t C);
void embedding_backward(float* dwte, float* dwpe, const float* dx, const int* tokens, int64_t T,
                        int64_t C, int64_t c0, int64_t c1);
void embedding_backward(double* dwte, double* dwpe, const double* dx, const int* tokens, int64_t T,
                        int64_t C, int64_t c0, int64_t c1);

}  // namespace gw
