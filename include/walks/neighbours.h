// walks/neighbours.h — the nearest token vectors to a vector: the concept-space view.
//
// GPT-2's token vectors are the rows e_v of wte (V, C). The LM head is tied, so a
// context vector c scores token v by the dot product c · e_v (its logit). Two rankings
// of the V rows against a query q are worth comparing:
//   by dot product  q · e_v              what the model's logits use: length counts
//   by cosine       q · e_v / (|q||e_v|) direction only: "which tokens point the same way"
// Their disagreement comes from the lengths |e_v|; comparing the two is our own framing
// (Singh 2023 speaks of proximity in embedding space without fixing the measure).
// All sums are in double precision (vecmath.h): these are measurements, not the hot path.
// Legend: V rows (vocab size), C = n_embd.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "core/tensor.h"

namespace gw {

struct Checkpoint;

// Rows of a (V, C) matrix with their lengths computed once (V*C work), so that many
// queries (one per generated token, one per layer) cost one pass each.
struct VectorTable {
    const float* rows = nullptr;  // (V, C): the caller's, or `widened`'s
    int64_t V = 0, C = 0;
    std::vector<double> norms;    // (V) |e_v|, in the rows' units
    std::shared_ptr<const AsF32> widened;  // the rows read as F32, when made from a WeightView
};
VectorTable make_vector_table(const float* rows, int64_t V, int64_t C);  // rows not owned: must outlive the table
VectorTable make_vector_table(const WeightView& rows);  // e.g. Weights::wte, in any type

// One row's relation to a query q.
struct Neighbour {
    int id = 0;          // row index (token id)
    double dot = 0;      // q · e_id (for q = a context vector: the logit, recomputed in double)
    double cosine = 0;   // cos(q, e_id) in [-1, 1]; 0 when q or e_id is the zero vector
    double norm = 0;     // |e_id|
};

struct Neighbours {
    std::vector<Neighbour> by_dot;     // (k) largest q · e_v first (lower id first on ties)
    std::vector<Neighbour> by_cosine;  // (k) largest cos(q, e_v) first
    int64_t overlap = 0;               // ids present in both lists (0..k)
};

// The k nearest rows to query (C floats) by dot product and by cosine. exclude_id
// (-1: none) leaves one row out of both lists, e.g. the query token itself.
// k is clamped to the number of rows left. Throws gw::Error if k < 1.
Neighbours nearest(const VectorTable& table, const float* query, int64_t k, int exclude_id = -1);

// Every row's score against the query: dots (V) and cosines (V). For callers that
// need a rank or a value outside the top k (e.g. the rank of an answer token).
void score_rows(std::vector<double>* dots, std::vector<double>* cosines, const VectorTable& table,
                const float* query);

// How many ids two neighbour lists share.
int64_t shared_ids(const std::vector<Neighbour>& a, const std::vector<Neighbour>& b);

// One token's neighbourhood in wte, as `gptwalk neighbours` shows it (report/neighbours_io.h).
struct TokenNeighbours {
    int id = 0;                 // the query token; its own row e_id is the query
    int64_t V = 0, C = 0;
    double norm = 0;            // |e_id|
    Neighbours near;            // (k) each way, the token itself left out
    uint64_t wte_checksum_before = 0, wte_checksum_after = 0;  // equal: looking changes no weight
};
// Throws gw::Error for an id outside 0..V-1 or k < 1.
TokenNeighbours token_neighbours(const Checkpoint& model, int id, int64_t k);

// FNV-1a checksums (vecmath.h checksum_floats) that show the weights never change:
// of wte alone (V*C floats), and of every tensor in the weight table, in table order.
uint64_t wte_checksum(const Checkpoint& model);
uint64_t all_weights_checksum(const Checkpoint& model);

}  // namespace gw
