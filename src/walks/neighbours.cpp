// walks/neighbours.cpp — nearest token vectors by dot product and by cosine; weight checksums.
#include "walks/neighbours.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/vecmath.h"   // dot, norm, top_k_indices, checksum_floats
#include "model/weights.h"  // Checkpoint, weight_table

namespace gw {

VectorTable make_vector_table(const float* rows, int64_t V, int64_t C) {
    VectorTable t;
    t.rows = rows;
    t.V = V;
    t.C = C;
    t.norms.resize(static_cast<size_t>(V));
    for (int64_t v = 0; v < V; v++) t.norms[size_t(v)] = norm(rows + v * C, C);
    return t;
}

VectorTable make_vector_table(const WeightView& rows) {
    auto widened = std::make_shared<const AsF32>(rows);
    VectorTable t = make_vector_table(widened->data(), rows.shape.dim[0], rows.shape.dim[1]);
    t.widened = std::move(widened);
    return t;
}

void score_rows(std::vector<double>* dots, std::vector<double>* cosines, const VectorTable& t,
                const float* query) {
    const double qn = norm(query, t.C);
    dots->resize(static_cast<size_t>(t.V));
    cosines->resize(static_cast<size_t>(t.V));
    for (int64_t v = 0; v < t.V; v++) {
        double d = dot(query, t.rows + v * t.C, t.C);
        double len = qn * t.norms[size_t(v)];
        (*dots)[size_t(v)] = d;
        (*cosines)[size_t(v)] = len == 0 ? 0.0 : d / len;  // same convention as vecmath cosine()
    }
}

// The k best of one score array. top_k_indices ranks floats: scores are rounded to
// float for the ordering only (reported values stay double). The excluded row gets
// -infinity so it sorts last, and k is clamped so it is never returned.
static std::vector<Neighbour> best(const std::vector<double>& score, const std::vector<double>& dots,
                                   const std::vector<double>& cosines, const VectorTable& t,
                                   int64_t k, int exclude_id) {
    std::vector<float> key(score.begin(), score.end());
    int64_t available = t.V;
    if (exclude_id >= 0 && exclude_id < t.V) {
        key[size_t(exclude_id)] = -INFINITY;
        available--;
    }
    std::vector<Neighbour> out;
    for (int id : top_k_indices(key.data(), t.V, std::min(k, available)))
        out.push_back(Neighbour{id, dots[size_t(id)], cosines[size_t(id)], t.norms[size_t(id)]});
    return out;
}

Neighbours nearest(const VectorTable& t, const float* query, int64_t k, int exclude_id) {
    if (k < 1) fail("nearest: k must be at least 1, got ", k);
    std::vector<double> dots, cosines;
    score_rows(&dots, &cosines, t, query);
    Neighbours n;
    n.by_dot = best(dots, dots, cosines, t, k, exclude_id);
    n.by_cosine = best(cosines, dots, cosines, t, k, exclude_id);
    n.overlap = shared_ids(n.by_dot, n.by_cosine);
    return n;
}

int64_t shared_ids(const std::vector<Neighbour>& a, const std::vector<Neighbour>& b) {
    int64_t n = 0;
    for (const Neighbour& x : a)
        for (const Neighbour& y : b) n += x.id == y.id;
    return n;
}

TokenNeighbours token_neighbours(const Checkpoint& m, int id, int64_t k) {
    TokenNeighbours r;
    r.id = id;
    r.V = m.config.vocab_size;
    r.C = m.config.n_embd;
    if (id < 0 || id >= r.V) fail("token id ", id, " is outside the vocabulary (0..", r.V - 1, ")");
    r.wte_checksum_before = wte_checksum(m);
    const VectorTable table = make_vector_table(m.w.wte);
    r.norm = table.norms[size_t(id)];
    r.near = nearest(table, table.rows + int64_t(id) * r.C, k, id);
    r.wte_checksum_after = wte_checksum(m);
    return r;
}

uint64_t wte_checksum(const Checkpoint& m) {
    return checksum_floats(AsF32(m.w.wte).data(), m.config.vocab_size * m.config.n_embd);
}

uint64_t all_weights_checksum(const Checkpoint& m) {
    // The table wants a Weights to point into; a copy of the pointers is enough to read them.
    Weights w = m.w;
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a offset basis, as in checksum_floats
    for (const WeightEntry& e : weight_table(m.config, w)) {
        // Matrices as F32, whatever their type: the same value, the same checksum.
        const uint64_t c = e.matrix ? checksum_floats(AsF32(*e.matrix).data(), e.shape.numel())
                                    : checksum_floats(*e.f32, e.shape.numel());
        for (int byte = 0; byte < 8; byte++) {
            h ^= (c >> (8 * byte)) & 0xff;
            h *= 0x100000001b3ull;  // FNV-1a 64-bit prime
        }
    }
    return h;
}

}  // namespace gw
