// model/tokenizer.h — GPT-2's byte-level BPE tokenizer, exactly (text <-> token ids).
//
// Encoding has three stages, each visible through encode_show_work():
//   1. pre-tokenize: cut the text into pieces with GPT-2's pattern (words with their
//      leading space, numbers, punctuation runs, white space) — a hand-written scanner;
//   2. bytes: each piece is a byte string; each byte starts as its own one-byte token
//      (printed through GPT-2's byte -> printable-character map: ' ' shows as "Ġ");
//   3. merges: repeatedly join the adjacent pair with the lowest merge rank (the order in
//      which the merges were learned), until no adjacent pair is a known merge. This is
//      not "longest match first": the rank decides.
// Decoding concatenates the tokens' bytes. Any byte string round-trips, valid UTF-8 or not.
//
// Files (a model folder holds one pair): vocab.json + merges.txt (Hugging Face names) or
// encoder.json + vocab.bpe (OpenAI's names). The vocab maps each token, written in the
// byte -> character alphabet, to its id; each merges line is "left right", rank = line order.
//
// Legend: V = vocab size (50257 for GPT-2: 256 bytes + 50000 merges + <|endoftext|>).
#pragma once
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/unicode_classes.h"  // is_valid_utf8 (the CLI refuses invalid prompts with it)

namespace gw {

// One step of the merge loop: every adjacent (left, right) pair of the pre-token, scanned
// left to right, became `merged`.
struct MergeStep {
    int left = 0, right = 0, merged = 0;  // token ids
    int rank = 0;                         // its line in the merges file (0 = learned first)
    std::vector<int> symbols;             // the pre-token's token ids after this step
};

struct PreTokenWork {
    std::string bytes;              // the piece exactly as cut from the text
    std::string mapped;             // the same bytes in the byte alphabet (UTF-8): "Ġthe"
    std::vector<int> initial;       // (bytes.size()) one single-byte token per byte
    std::vector<MergeStep> merges;  // in the order applied
    std::vector<int> ids;           // the final tokens of this piece
};

// Every stage of encoding one text (like minGPT's encode_and_show_work), for the tokenizer lesson.
struct EncodeWork {
    std::vector<PreTokenWork> pretokens;
    std::vector<int> ids;  // all pieces' ids, concatenated == Tokenizer::encode(text)
};

// What the merge loop did, counted (tests bound it: a long word must cost about its length).
struct MergeCounts {
    int64_t lookups = 0;  // adjacent pairs looked up in the merge table
    int64_t merges = 0;   // pairs joined
};

class Tokenizer {
public:
    // dir holds a tokenizer file: a pair, or half of one (loading then names the missing half).
    static bool present(const std::string& dir);
    explicit Tokenizer(const std::string& dir);   // throws gw::Error naming the file and problem
    // The same from the two files' contents, named vocab_source and merges_source in errors.
    static Tokenizer from_text(const std::string& vocab_json, const std::string& merges_txt,
                               const std::string& vocab_source, const std::string& merges_source);

    // Any bytes. With max_tokens, stops after the piece that takes the count past it: a
    // result longer than max_tokens means the text has more tokens than that, and the rest of
    // it was never tokenized (a 1 MB prompt for a 1024-token context costs one context's work).
    std::vector<int> encode(std::string_view text, size_t max_tokens = SIZE_MAX, MergeCounts* counts = nullptr) const;
    std::string decode(const std::vector<int>& ids) const; // exact bytes; throws on a bad id
    EncodeWork encode_show_work(std::string_view text) const;

    const std::string& token_bytes(int id) const;  // raw bytes of one token; throws on a bad id
    std::string token_display(int id) const;        // printable: "␣the", "\n", "\xE2\x80"
    int token_id(std::string_view bytes) const;     // the token with exactly these bytes, or -1
    int vocab_size() const { return int(token_bytes_.size()); }
    int merge_count() const { return int(merges_.size()); }
    int eot_id() const { return eot_id_; }  // id of "<|endoftext|>", or -1 if the vocab lacks it

private:
    struct Merge {
        int rank;    // line order in the merges file
        int merged;  // id of the joined token
    };
    Tokenizer() = default;
    void load_vocab(const std::string& text, const std::string& path);
    void load_merges(const std::string& text, const std::string& path, const std::string& vocab_path);
    void merge_piece(std::vector<int>* symbols, std::vector<MergeStep>* steps, MergeCounts* counts) const;

    std::vector<std::string> token_bytes_;            // (V) raw bytes of each token, by id
    std::unordered_map<std::string, int> id_of_;      // raw bytes -> id
    std::unordered_map<uint64_t, Merge> merges_;      // (left id << 32 | right id) -> merge
    int byte_token_[256] = {};                        // id of the token for each single byte
    int eot_id_ = -1;
};

// Turns a token stream back into text as it arrives, holding back the bytes of a UTF-8
// character whose remaining bytes are still to come (one emoji is often 2-3 tokens).
// Concatenating every push() and the final flush() gives exactly decode(ids).
class StreamDecoder {
public:
    explicit StreamDecoder(const Tokenizer& tokenizer) : tok_(tokenizer) {}
    std::string push(int id);  // the bytes that are complete so far (throws on a bad id)
    std::string flush();       // whatever is still held back, complete or not

private:
    const Tokenizer& tok_;
    std::string pending_;  // at most 3 bytes: the start of an unfinished UTF-8 character
};

// Where a tokenizer meets a model: every id it can give must be a row of the model's wte
// (V, C). Files of two different models are refused here, once, before any text is
// tokenized, naming the model's folder (a larger vocabulary would read past wte; a smaller
// one, padded as some exports are, is fine).
void require_vocabulary_fits(const Tokenizer& tok, int64_t vocab_size, const std::string& model_dir);

// GPT-2's pre-tokenizer: the pieces of text, in order, as views into it (they tile it).
std::vector<std::string_view> pretokenize(std::string_view text);

// The printable character that stands for byte b inside vocab and merges files (UTF-8).
std::string byte_to_unicode(uint8_t b);

// Prints an EncodeWork as the tokenizer lesson shows it: each piece, its bytes, the
// merges with their ranks, and the resulting ids.
void print_encode_work(std::ostream& out, const Tokenizer& tok, const EncodeWork& work);

}  // namespace gw
