// core/vecmath.h — small vector arithmetic for the walks: dot products, cosines,
// distributions, 2-D projections. Double accumulation throughout (these are
// measurements shown to students, not the model's hot path).
#pragma once
#include <cstdint>
#include <vector>

namespace gw {

double dot(const float* a, const float* b, int64_t n);
double norm(const float* a, int64_t n);                      // |a|
double cosine(const float* a, const float* b, int64_t n);    // a.b / (|a||b|); 0 if either is 0
double max_abs_diff(const float* a, const float* b, int64_t n);  // max_i |a_i - b_i|; NaN if any is

// Indices of the k largest values, largest first (lower index first on ties).
std::vector<int> top_k_indices(const float* x, int64_t n, int64_t k);
// 1 + the number of entries strictly larger than x[i]: rank 1 is the arg max.
int64_t rank_of(const float* x, int64_t n, int64_t i);

// p = softmax(logits) in double precision.
std::vector<double> softmax_probs(const float* logits, int64_t n);
double entropy_nats(const std::vector<double>& p);                        // -sum p ln p
double kl_divergence(const std::vector<double>& p, const std::vector<double>& q);  // sum p ln(p/q)

// Principal-component projection of n points of dimension d onto their first two
// principal axes (fitted on these points). out: (n, 2); explained: the fraction
// of the total variance along each of the two axes.
struct Projection2D {
    std::vector<double> xy;        // (n, 2)
    double explained[2] = {0, 0};
    std::vector<double> mean;      // (d)
    std::vector<double> axes;      // (2, d) unit vectors
};
Projection2D pca_2d(const std::vector<const float*>& points, int64_t d);
// Projects another point onto a fitted projection's axes.
void project_2d(const Projection2D& fit, const float* point, int64_t d, double* x, double* y);

// A checksum of raw float bits (FNV-1a, 64-bit): shows that weights never change.
uint64_t checksum_floats(const float* data, int64_t n);

}  // namespace gw
