// model/tokenizer.cpp — GPT-2's byte-level BPE: the pre-tokenizer scanner, loading, the merge
// loop, decoding.
//
// Reading order: the byte alphabet, the pre-tokenizer (what counts as a "word"), loading
// and validating the files, the merge loop, encode/decode, streaming, the lesson printer.
// Reference: openai/gpt-2 src/encoder.py; golden ids from tools/reference/tokenizer_ref.py.
#include "model/tokenizer.h"

#include <algorithm>  // std::min
#include <functional>  // std::greater
#include <ostream>
#include <queue>       // std::priority_queue
#include <utility>

#include "core/error.h"
#include "core/json.h"              // parse_json, quoted, json_kind_name
#include "core/mapped_file.h"       // read_file, file_exists
#include "model/unicode_classes.h"  // utf8_char, char_class

namespace gw {

namespace {

// ---- the byte alphabet ----------------------------------------------------------------
// Vocab and merges files write tokens as text, one character per byte. Bytes that print as
// themselves in Latin-1 ('!'..'~', '¡'..'¬', '®'..'ÿ') stand for themselves; the other 68
// (controls, space, DEL, no-break space, soft hyphen) take U+0100, U+0101, ... in byte
// order. So ' ' is 'Ġ' (U+0120) and "\n" is 'Ċ' (U+010A).
bool prints_as_itself(int b) {
    return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
}

struct ByteAlphabet {
    uint32_t char_of[256];    // byte -> code point
    int byte_of[0x100 + 68];  // code point -> byte, or -1 (nothing past U+0143 is used)
};

ByteAlphabet make_byte_alphabet() {
    ByteAlphabet a{};
    for (int& b : a.byte_of) b = -1;
    uint32_t next = 0x100;
    for (int b = 0; b < 256; ++b) {
        a.char_of[b] = prints_as_itself(b) ? uint32_t(b) : next++;
        a.byte_of[a.char_of[b]] = b;
    }
    return a;
}

// A token written in the byte alphabet -> its raw bytes; false if a character is not in it.
bool unmap_token(std::string_view text, const ByteAlphabet& a, std::string* bytes) {
    bytes->clear();
    for (size_t i = 0; i < text.size();) {
        uint32_t cp = 0;
        const int n = utf8_char(text, i, &cp);
        if (n <= 0 || cp >= sizeof(a.byte_of) / sizeof(a.byte_of[0]) || a.byte_of[cp] < 0)
            return false;
        bytes->push_back(char(a.byte_of[cp]));
        i += size_t(n);
    }
    return true;
}

// ---- the pre-tokenizer ----------------------------------------------------------------

struct Char {
    CharClass cls;
    size_t len;  // bytes
};

// The character at s[i]. A byte that does not start a well-formed UTF-8 character is one
// character of class Other on its own (what Python's 'surrogateescape' decoding gives).
Char char_at(std::string_view s, size_t i) {
    uint32_t cp = 0;
    const int n = utf8_char(s, i, &cp);
    if (n <= 0) return {CharClass::Other, 1};
    return {char_class(cp), size_t(n)};
}

// Where the piece of text that starts at s[start] ends (start < s.size()). The scanner
// implements GPT-2's pattern, whose alternatives are tried in order, first match wins:
//
//   's|'t|'re|'ve|'m|'ll|'d    English contractions (lower case, ASCII apostrophe only)
//   | ?\p{L}+                  a run of letters, with at most one ' ' in front
//   | ?\p{N}+                  a run of numbers, the same
//   | ?[^\s\p{L}\p{N}]+        a run of anything else (punctuation, symbols, emoji), the same
//   |\s+(?!\S)                 white space, minus its last character if a non-space follows
//                              (that last ' ' then starts the next word: " world")
//   |\s+                       white space (a single character before a non-space)
//
// The classes \p{L}, \p{N} and \s come from unicode_classes.cpp.
size_t pretoken_end(std::string_view s, size_t start) {
    const size_t n = s.size();
    if (s[start] == '\'' && start + 1 < n) {
        const std::string_view rest = s.substr(start + 1, 2);
        if (rest == "re" || rest == "ve" || rest == "ll") return start + 3;
        if (std::string_view("stmd").find(rest[0]) != std::string_view::npos) return start + 2;
    }
    const size_t i = start + (s[start] == ' ' ? 1 : 0);  // the optional leading ' '
    if (i < n) {
        const Char c = char_at(s, i);
        if (c.cls != CharClass::Space) {  // a letter, number or other: take the whole run
            size_t end = i + c.len;
            for (Char d; end < n && (d = char_at(s, end)).cls == c.cls;) end += d.len;
            return end;
        }
    }
    // White space from s[start]: find the run's end and where its last character starts.
    size_t end = start, last = start;
    for (Char d; end < n && (d = char_at(s, end)).cls == CharClass::Space;) {
        last = end;
        end += d.len;
    }
    if (end == n || last == start) return end;  // \s+(?!\S) up to the end, or \s+ of one
    return last;                                // \s+(?!\S) leaving the last one behind
}

// ---- printable bytes (token tables, the lesson printer) --------------------------------

std::string hex2(uint8_t b) { return {"0123456789ABCDEF"[b >> 4], "0123456789ABCDEF"[b & 15]}; }

std::string escape_byte(uint8_t b) {
    return b == '\n' ? "\\n" : b == '\t' ? "\\t" : b == '\r' ? "\\r" : "\\x" + hex2(b);
}

// Bytes in printable form: ' ' as "␣" (U+2423); "\\", "\n", "\t", "\r" escaped; other
// control characters and bytes that are not well-formed UTF-8 as \xNN; the rest as is.
std::string display_bytes(std::string_view b) {
    std::string out;
    for (size_t i = 0; i < b.size();) {
        uint32_t cp = 0;  // stays 0 when n <= 0
        const int n = utf8_char(b, i, &cp);
        const size_t len = n > 0 ? size_t(n) : 1;
        if (cp == ' ') out += "\xE2\x90\xA3";
        else if (cp == '\\') out += "\\\\";
        else if (n > 0 && cp >= 0x20 && !(cp >= 0x7F && cp <= 0x9F)) out.append(b.substr(i, len));
        else for (size_t k = i; k < i + len; ++k) out += escape_byte(uint8_t(b[k]));
        i += len;
    }
    return out;
}

// A model folder's tokenizer files, vocab then merges; the first complete pair is used.
constexpr const char* kFilePairs[2][2] = {{"vocab.json", "merges.txt"},   // Hugging Face
                                          {"encoder.json", "vocab.bpe"}}; // OpenAI

uint64_t pair_key(int left, int right) {
    return (uint64_t(uint32_t(left)) << 32) | uint32_t(right);
}

}  // namespace

std::vector<std::string_view> pretokenize(std::string_view text) {
    std::vector<std::string_view> pieces;
    for (size_t start = 0, end = 0; start < text.size(); start = end) {
        end = pretoken_end(text, start);
        pieces.push_back(text.substr(start, end - start));
    }
    return pieces;
}

std::string byte_to_unicode(uint8_t b) {
    const uint32_t cp = make_byte_alphabet().char_of[b];  // < U+0144: one or two UTF-8 bytes
    if (cp < 0x80) return std::string(1, char(cp));
    return {char(0xC0 | (cp >> 6)), char(0x80 | (cp & 0x3F))};
}

// ---- loading --------------------------------------------------------------------------

bool Tokenizer::present(const std::string& dir) {
    for (const auto& names : kFilePairs)
        for (const char* name : names)
            if (file_exists(dir + "/" + name)) return true;
    return false;
}

Tokenizer::Tokenizer(const std::string& dir) {
    for (const auto& names : kFilePairs) {
        const std::string vocab = dir + "/" + names[0], merges = dir + "/" + names[1];
        if (file_exists(vocab) && file_exists(merges)) {  // read_file refuses what is not a regular file
            load_vocab(read_file(vocab), vocab);
            load_merges(read_file(merges), merges, vocab);
            return;
        }
    }
    for (const auto& names : kFilePairs)
        for (int k = 0; k < 2; ++k)
            if (file_exists(dir + "/" + names[k]))
                fail(dir, "/", names[1 - k], ": missing (the tokenizer needs it beside ", names[k], ")");
    fail(dir, ": no tokenizer files (expected vocab.json + merges.txt, or encoder.json + vocab.bpe)");
}

Tokenizer Tokenizer::from_text(const std::string& vocab_json, const std::string& merges_txt,
                               const std::string& vocab_source, const std::string& merges_source) {
    Tokenizer t;
    t.load_vocab(vocab_json, vocab_source);
    t.load_merges(merges_txt, merges_source, vocab_source);
    return t;
}

void require_vocabulary_fits(const Tokenizer& tok, int64_t vocab_size, const std::string& model_dir) {
    if (tok.vocab_size() > vocab_size)
        fail(model_dir, ": the tokenizer files have ", tok.vocab_size(), " tokens but config.json says vocab_size=",
             vocab_size, ": they belong to another model (ids past ", vocab_size - 1, " have no row in wte.weight)");
}

// {"token written in the byte alphabet": id, ...}, with ids exactly 0..V-1.
void Tokenizer::load_vocab(const std::string& text, const std::string& path) {
    const ByteAlphabet alphabet = make_byte_alphabet();
    const JsonValue vocab = parse_json(text, path);
    if (!vocab.is_object() || vocab.members.empty())
        fail(path, ": expected a non-empty JSON object {token: id}, got ",
             vocab.is_object() ? "{}" : json_kind_name(vocab.kind));
    const int64_t V = int64_t(vocab.members.size());
    token_bytes_.resize(size_t(V));
    std::vector<bool> seen(size_t(V), false);
    for (const auto& [token_text, value] : vocab.members) {
        const std::string& token = token_text;  // (a lambda cannot capture a structured binding)
        const auto bad = [&](const auto&... what) { fail(path, ": token ", quoted(token), ": ", what...); };
        if (!value.is_number() || !value.is_integer)
            bad("id must be an integer, got ", json_kind_name(value.kind));
        if (value.integer < 0 || value.integer >= V)
            bad("id ", value.integer, " out of range (", V, " tokens need ids 0..", V - 1, ")");
        const size_t id = size_t(value.integer);
        if (seen[id]) bad("id ", id, " is already used by another token");
        seen[id] = true;
        if (!unmap_token(token, alphabet, &token_bytes_[id]))
            bad("has a character outside GPT-2's byte alphabet (U+0021..U+0143)");
        id_of_.emplace(token_bytes_[id], int(id));
    }
    for (int b = 0; b < 256; ++b) {
        const int id = token_id(std::string(1, char(b)));
        if (id < 0)
            fail(path, ": no token for byte ", b, " (", quoted(byte_to_unicode(uint8_t(b))),
                 "); every byte needs one");
        byte_token_[b] = id;
    }
    eot_id_ = token_id("<|endoftext|>");
}

// An optional "#version" first line, then one merge "left right" per line; rank = order.
void Tokenizer::load_merges(const std::string& text, const std::string& path, const std::string& vocab_path) {
    const ByteAlphabet alphabet = make_byte_alphabet();
    size_t bad = 0;
    if (!is_valid_utf8(text, &bad)) fail(path, ": not valid UTF-8 (byte offset ", bad, ")");
    std::string bytes[2];
    size_t line_no = 0;
    const auto bad_line = [&](const auto&... what) { fail(path, ": line ", line_no, ": ", what...); };
    for (size_t pos = 0; pos < text.size();) {
        const size_t eol = std::min(text.find('\n', pos), text.size());
        std::string_view line(text.data() + pos, eol - pos);
        pos = eol + 1, ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || (line_no == 1 && line.substr(0, 8) == "#version")) continue;
        const size_t sp = line.find(' ');
        if (sp == 0 || sp == line.npos || sp + 1 == line.size() || line.find(' ', sp + 1) != line.npos)
            bad_line("expected two tokens separated by one space, got ", quoted(line));
        const std::string_view parts[2] = {line.substr(0, sp), line.substr(sp + 1)};
        int ids[2];
        for (int k = 0; k < 2; ++k) {
            ids[k] = unmap_token(parts[k], alphabet, &bytes[k]) ? token_id(bytes[k]) : -1;
            if (ids[k] < 0) bad_line("unknown token ", quoted(parts[k]), " (not in ", vocab_path, ")");
        }
        const int merged = token_id(bytes[0] + bytes[1]);
        if (merged < 0)
            bad_line("merging ", quoted(parts[0]), " and ", quoted(parts[1]), " gives a token that is not in ",
                     vocab_path);
        if (!merges_.emplace(pair_key(ids[0], ids[1]), Merge{int(merges_.size()), merged}).second)
            bad_line("the merge ", quoted(line), " is listed twice");
    }
}

// ---- the merge loop -------------------------------------------------------------------

// Byte-pair merging of one piece, in place. Repeatedly: find the adjacent pair with the
// lowest rank; join every occurrence of it, left to right ("aaa" with "a a" -> "aa" "a");
// stop when no adjacent pair is a merge. Each round is one MergeStep (when steps != nullptr).
//
// Said that way, each round rescans the whole piece: rounds x length, hours for a 1 MB run
// of letters. So the pieces are a linked list, and every adjacent pair that is a merge waits
// in a heap ordered by (rank, position): the top is the round's pair at its leftmost place,
// and a round takes every entry of its rank, left to right. A join changes only its two
// neighbouring pairs, which are looked up and queued after the round ends (as the scan would
// meet them in the next one); entries a join has broken are skipped when they come up. At
// most length - 1 + 2 x joins pairs are queued, so the cost is near-linear: n log n.
void Tokenizer::merge_piece(std::vector<int>* symbols, std::vector<MergeStep>* steps, MergeCounts* counts) const {
    std::vector<int>& sym = *symbols;
    const int n = int(sym.size());
    if (n < 2) return;
    std::vector<int> before(static_cast<size_t>(n)), after(static_cast<size_t>(n));  // the list: -1 ends it
    for (int i = 0; i < n; ++i) before[size_t(i)] = i - 1, after[size_t(i)] = i + 1 < n ? i + 1 : -1;
    struct Pair {
        int rank, at, left, right, merged;  // the pair of parts at and after[at], when queued
        bool operator>(const Pair& o) const { return rank != o.rank ? rank > o.rank : at > o.at; }
    };
    std::priority_queue<Pair, std::vector<Pair>, std::greater<Pair>> heap;
    std::vector<Pair> found;  // pairs made by this round's joins, queued when it ends
    const auto look_up = [&](int at, std::vector<Pair>* into) {
        if (at < 0 || after[size_t(at)] < 0) return;
        const int l = sym[size_t(at)], r = sym[size_t(after[size_t(at)])];
        if (counts) counts->lookups++;
        const auto it = merges_.find(pair_key(l, r));
        if (it != merges_.end()) into->push_back(Pair{it->second.rank, at, l, r, it->second.merged});
    };
    for (int i = 0; i + 1 < n; ++i) look_up(i, &found);
    for (const Pair& p : found) heap.push(p);
    while (!heap.empty()) {
        const Pair round = heap.top();
        found.clear();
        int64_t joined = 0;
        while (!heap.empty() && heap.top().rank == round.rank) {
            const Pair p = heap.top();
            heap.pop();
            const int right = after[size_t(p.at)];
            if (sym[size_t(p.at)] != p.left || right < 0 || sym[size_t(right)] != p.right) continue;  // broken
            sym[size_t(p.at)] = p.merged;  // join: `at` takes the pair, `right` leaves the list
            after[size_t(p.at)] = after[size_t(right)];
            if (after[size_t(right)] >= 0) before[size_t(after[size_t(right)])] = p.at;
            sym[size_t(right)] = -1;
            joined++;
            look_up(before[size_t(p.at)], &found);
            look_up(p.at, &found);
        }
        for (const Pair& p : found) heap.push(p);
        if (counts) counts->merges += joined;
        if (steps && joined > 0) {  // (a round whose every entry was broken never happened)
            std::vector<int> now;
            for (int i = 0; i >= 0; i = after[size_t(i)]) now.push_back(sym[size_t(i)]);
            steps->push_back(MergeStep{round.left, round.right, round.merged, round.rank, now});
        }
    }
    int out = 0;
    for (int i = 0; i >= 0; i = after[size_t(i)]) sym[size_t(out++)] = sym[size_t(i)];
    sym.resize(size_t(out));
}

// ---- encode / decode ------------------------------------------------------------------

std::vector<int> Tokenizer::encode(std::string_view text, size_t max_tokens, MergeCounts* counts) const {
    std::vector<int> ids, symbols;
    for (size_t start = 0, end = 0; start < text.size() && ids.size() <= max_tokens; start = end) {
        end = pretoken_end(text, start);
        symbols.clear();
        for (size_t i = start; i < end; ++i) symbols.push_back(byte_token_[uint8_t(text[i])]);
        merge_piece(&symbols, nullptr, counts);
        ids.insert(ids.end(), symbols.begin(), symbols.end());
    }
    return ids;
}

EncodeWork Tokenizer::encode_show_work(std::string_view text) const {
    EncodeWork work;
    for (std::string_view piece : pretokenize(text)) {
        PreTokenWork p;
        p.bytes = std::string(piece);
        for (char c : piece) {
            p.mapped += byte_to_unicode(uint8_t(c));
            p.initial.push_back(byte_token_[uint8_t(c)]);
        }
        p.ids = p.initial;
        merge_piece(&p.ids, &p.merges, nullptr);
        work.ids.insert(work.ids.end(), p.ids.begin(), p.ids.end());
        work.pretokens.push_back(std::move(p));
    }
    return work;
}

const std::string& Tokenizer::token_bytes(int id) const {
    if (id < 0 || id >= vocab_size())
        fail("token id ", id, " is out of range (the vocab has ids 0..", vocab_size() - 1, ")");
    return token_bytes_[size_t(id)];
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
    std::string out;
    for (int id : ids) out += token_bytes(id);
    return out;
}

std::string Tokenizer::token_display(int id) const { return display_bytes(token_bytes(id)); }

int Tokenizer::token_id(std::string_view bytes) const {
    const auto it = id_of_.find(std::string(bytes));
    return it == id_of_.end() ? -1 : it->second;
}

// Emits everything except a final, so far well-formed but unfinished UTF-8 character.
std::string StreamDecoder::push(int id) {
    pending_ += tok_.token_bytes(id);
    size_t i = 0;
    for (uint32_t cp = 0; i < pending_.size();) {
        const int n = utf8_char(pending_, i, &cp);
        if (n < 0) break;  // the rest may still be completed by the next token
        i += n > 0 ? size_t(n) : 1;
    }
    std::string ready = pending_.substr(0, i);
    pending_.erase(0, i);
    return ready;
}

std::string StreamDecoder::flush() { return std::exchange(pending_, std::string()); }

// ---- the printer for the tokenizer lesson ---------------------------------------------

void print_encode_work(std::ostream& out, const Tokenizer& tok, const EncodeWork& work) {
    const auto join = [&](const std::vector<int>& ids, bool as_tokens) {
        std::string s;
        for (size_t i = 0; i < ids.size(); ++i)
            s += (i == 0 ? "" : as_tokens ? " | " : ", ") +
                 (as_tokens ? tok.token_display(ids[i]) : std::to_string(ids[i]));
        return s;
    };
    out << work.pretokens.size() << " pieces -> " << work.ids.size() << " tokens\n";
    for (const PreTokenWork& p : work.pretokens) {
        out << "piece \"" << display_bytes(p.bytes) << "\"  bytes";
        for (char c : p.bytes) out << ' ' << hex2(uint8_t(c));
        out << "  as characters \"" << p.mapped << "\"\n";
        for (const MergeStep& m : p.merges)
            out << "  rank " << m.rank << ": " << tok.token_display(m.left) << " + "
                << tok.token_display(m.right) << " -> " << tok.token_display(m.merged) << "    ["
                << join(m.symbols, true) << "]\n";
        out << "  ids [" << join(p.ids, false) << "]\n";
    }
    out << "ids [" << join(work.ids, false) << "]\n";
}

}  // namespace gw
