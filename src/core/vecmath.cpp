// core/vecmath.cpp — dot products, cosines, distributions and a 2-D PCA for the walks.
#include "core/vecmath.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace gw {

double dot(const float* a, const float* b, int64_t n) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += double(a[i]) * double(b[i]);
    return s;
}

double norm(const float* a, int64_t n) { return std::sqrt(dot(a, a, n)); }

double cosine(const float* a, const float* b, int64_t n) {
    double na = norm(a, n), nb = norm(b, n);
    return (na == 0 || nb == 0) ? 0.0 : dot(a, b, n) / (na * nb);
}

double max_abs_diff(const float* a, const float* b, int64_t n) {
    double m = 0;
    for (int64_t i = 0; i < n; i++) {
        const double d = std::fabs(double(a[i]) - double(b[i]));
        if (std::isnan(d)) return d;  // a NaN must not read as "equal"
        m = std::max(m, d);
    }
    return m;
}

std::vector<int> top_k_indices(const float* x, int64_t n, int64_t k) {
    k = std::min(k, n);
    std::vector<int> idx(static_cast<size_t>(n));
    std::iota(idx.begin(), idx.end(), 0);
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                      [x](int a, int b) { return x[a] > x[b] || (x[a] == x[b] && a < b); });
    idx.resize(static_cast<size_t>(k));
    return idx;
}

int64_t rank_of(const float* x, int64_t n, int64_t i) {
    int64_t above = 0;
    for (int64_t j = 0; j < n; j++) above += x[j] > x[i];
    return above + 1;
}

std::vector<double> softmax_probs(const float* logits, int64_t n) {
    double m = *std::max_element(logits, logits + n);
    std::vector<double> p(static_cast<size_t>(n));
    double sum = 0;
    for (int64_t i = 0; i < n; i++) sum += (p[size_t(i)] = std::exp(double(logits[i]) - m));
    for (double& v : p) v /= sum;
    return p;
}

double entropy_nats(const std::vector<double>& p) {
    double h = 0;
    for (double v : p)
        if (v > 0) h -= v * std::log(v);
    return h;
}

double kl_divergence(const std::vector<double>& p, const std::vector<double>& q) {
    double kl = 0;
    for (size_t i = 0; i < p.size(); i++)
        if (p[i] > 0) kl += p[i] * (std::log(p[i]) - std::log(std::max(q[i], 1e-300)));
    return kl;
}

// Power iteration on the d x d covariance, applied implicitly as X^T (X v) so the
// matrix is never formed: fine for a few hundred points of a few thousand dims.
static std::vector<double> top_axis(const std::vector<std::vector<double>>& X, int64_t d,
                                    const std::vector<double>* orthogonal_to) {
    std::vector<double> v(static_cast<size_t>(d));
    for (int64_t j = 0; j < d; j++) v[size_t(j)] = 1.0 + 0.01 * double(j % 7);  // fixed start
    auto orthonormalise = [&](std::vector<double>& u) {
        if (orthogonal_to) {
            double p = std::inner_product(u.begin(), u.end(), orthogonal_to->begin(), 0.0);
            for (int64_t j = 0; j < d; j++) u[size_t(j)] -= p * (*orthogonal_to)[size_t(j)];
        }
        double nn = std::sqrt(std::inner_product(u.begin(), u.end(), u.begin(), 0.0));
        if (nn > 0) for (double& x : u) x /= nn;
    };
    orthonormalise(v);
    for (int it = 0; it < 300; it++) {
        std::vector<double> w(static_cast<size_t>(d), 0.0);
        for (const auto& row : X) {
            double s = std::inner_product(row.begin(), row.end(), v.begin(), 0.0);
            for (int64_t j = 0; j < d; j++) w[size_t(j)] += s * row[size_t(j)];
        }
        orthonormalise(w);
        double change = 0;
        for (int64_t j = 0; j < d; j++) change += std::fabs(w[size_t(j)] - v[size_t(j)]);
        v = std::move(w);
        if (change < 1e-10) break;
    }
    return v;
}

Projection2D pca_2d(const std::vector<const float*>& points, int64_t d) {
    Projection2D out;
    const size_t n = points.size();
    out.mean.assign(static_cast<size_t>(d), 0.0);
    for (const float* p : points)
        for (int64_t j = 0; j < d; j++) out.mean[size_t(j)] += p[j] / double(n);
    std::vector<std::vector<double>> X(n, std::vector<double>(static_cast<size_t>(d)));
    double total = 0;
    for (size_t i = 0; i < n; i++)
        for (int64_t j = 0; j < d; j++) {
            X[i][size_t(j)] = points[i][j] - out.mean[size_t(j)];
            total += X[i][size_t(j)] * X[i][size_t(j)];
        }
    std::vector<double> a1 = top_axis(X, d, nullptr);
    std::vector<double> a2 = top_axis(X, d, &a1);
    out.axes = a1;
    out.axes.insert(out.axes.end(), a2.begin(), a2.end());
    out.xy.resize(n * 2);
    double var[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double x = std::inner_product(X[i].begin(), X[i].end(), a1.begin(), 0.0);
        double y = std::inner_product(X[i].begin(), X[i].end(), a2.begin(), 0.0);
        out.xy[2 * i] = x;
        out.xy[2 * i + 1] = y;
        var[0] += x * x;
        var[1] += y * y;
    }
    for (int k = 0; k < 2; k++) out.explained[k] = total > 0 ? var[k] / total : 0.0;
    return out;
}

void project_2d(const Projection2D& fit, const float* point, int64_t d, double* x, double* y) {
    double sx = 0, sy = 0;
    for (int64_t j = 0; j < d; j++) {
        double c = point[j] - fit.mean[size_t(j)];
        sx += c * fit.axes[size_t(j)];
        sy += c * fit.axes[size_t(d + j)];
    }
    *x = sx;
    *y = sy;
}

uint64_t checksum_floats(const float* data, int64_t n) {
    uint64_t h = 1469598103934665603ull;  // FNV-1a offset basis
    const unsigned char* b = reinterpret_cast<const unsigned char*>(data);
    for (int64_t i = 0; i < n * int64_t(sizeof(float)); i++) {
        h ^= b[i];
        h *= 1099511628211ull;  // FNV prime
    }
    return h;
}

}  // namespace gw
