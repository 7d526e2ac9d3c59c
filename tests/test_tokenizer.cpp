// test_tokenizer.cpp — GPT-2's byte-level BPE: hand-worked cases, golden ids from the
// independent reference (tests/fixtures/tokenizer/cases.json, see the README beside it),
// round trips, the streaming decoder and every loader error.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>  // std::rename, std::remove
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/mapped_file.h"
#include "model/tokenizer.h"
#include "testing.h"

using gw::Tokenizer;

namespace {

const char* kModelDir = "weights/tiny-gpt2";  // encoder.json + vocab.bpe, GPT-2's own files

std::string base64_decode(const std::string& in) {
    const std::string digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        if (c == '=') break;
        const size_t v = digits.find(c);
        REQUIRE(v != std::string::npos);
        acc = (acc << 6) | uint32_t(v), bits += 6;
        if (bits >= 8) bits -= 8, out.push_back(char((acc >> bits) & 0xFF));
    }
    return out;
}

struct Case {
    std::string name, text;
    std::vector<std::string> pretokens;
    std::vector<int> ids;
};

std::vector<Case> load_cases() {
    const std::string path = "tests/fixtures/tokenizer/cases.json";
    const gw::JsonValue root = gw::parse_json(gw::read_file(path), path);
    std::vector<Case> cases;
    for (const gw::JsonValue& c : root.find("cases")->items) {
        Case k;
        k.name = c.find("name")->text;
        k.text = base64_decode(c.find("text_b64")->text);
        for (const gw::JsonValue& p : c.find("pretokens_b64")->items) k.pretokens.push_back(base64_decode(p.text));
        for (const gw::JsonValue& id : c.find("ids")->items) k.ids.push_back(int(id.integer));
        cases.push_back(std::move(k));
    }
    return cases;
}

std::string stream_decode(const Tokenizer& tok, const std::vector<int>& ids, bool* pieces_valid) {
    gw::StreamDecoder dec(tok);
    std::string out;
    *pieces_valid = true;
    for (int id : ids) {
        const std::string piece = dec.push(id);
        *pieces_valid = *pieces_valid && gw::is_valid_utf8(piece);
        out += piece;
    }
    return out + dec.flush();
}

// A small tokenizer written into dir: the 256 byte tokens (ids 0..255 in byte order), then
// `extra` tokens, and the merges file `merges` (after a #version line).
void write_small_tokenizer(const gw::testing::TempDir& dir, const std::vector<std::string>& extra,
                           const std::string& merges) {
    std::string vocab = "{";
    for (int b = 0; b < 256; ++b) vocab += gw::json_quote(gw::byte_to_unicode(uint8_t(b))) + ": " + std::to_string(b) + ", ";
    for (size_t i = 0; i < extra.size(); ++i) vocab += gw::json_quote(extra[i]) + ": " + std::to_string(256 + i) + ", ";
    vocab.resize(vocab.size() - 2);
    gw::testing::write_text_file(dir.file("vocab.json"), vocab + "}");
    gw::testing::write_text_file(dir.file("merges.txt"), "#version: 0.2\n" + merges);
}

std::string load_error(const std::string& dir) {
    try {
        Tokenizer tok(dir);
    } catch (const gw::Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("the byte alphabet, worked by hand") {
    CHECK(gw::byte_to_unicode('a') == "a");
    CHECK(gw::byte_to_unicode('!') == "!");
    CHECK(gw::byte_to_unicode(0) == "\xC4\x80");      // U+0100, the first stand-in
    CHECK(gw::byte_to_unicode('\n') == "\xC4\x8A");   // U+010A 'Ċ' = 0x100 + 10
    CHECK(gw::byte_to_unicode(' ') == "\xC4\xA0");    // U+0120 'Ġ' = 0x100 + 32
    CHECK(gw::byte_to_unicode(0x7F) == "\xC4\xA1");   // U+0121: 33 stand-ins (0..32) come before DEL
    CHECK(gw::byte_to_unicode(0xA0) == "\xC5\x82");   // U+0142: 0x7F..0xA0 are 34 more
    CHECK(gw::byte_to_unicode(0xAD) == "\xC5\x83");   // U+0143, the last (soft hyphen)
    CHECK(gw::byte_to_unicode(0xE9) == "\xC3\xA9");   // 'é' stands for itself
}

TEST_CASE("pre-tokenizer, worked by hand") {
    using V = std::vector<std::string_view>;
    CHECK(gw::pretokenize("") == V{});
    CHECK(gw::pretokenize("Hello world") == V{"Hello", " world"});
    CHECK(gw::pretokenize("don't") == V{"don", "'t"});
    CHECK(gw::pretokenize("DON'T") == V{"DON", "'", "T"});  // contractions are lower case only
    CHECK(gw::pretokenize("we'll I'm") == V{"we", "'ll", " I", "'m"});
    CHECK(gw::pretokenize("a  b") == V{"a", " ", " b"});    // the last space joins the word
    CHECK(gw::pretokenize("x\n\n y") == V{"x", "\n\n", " y"});
    CHECK(gw::pretokenize("a \n") == V{"a", " \n"});        // white space at the end: one piece
    CHECK(gw::pretokenize("a\tb") == V{"a", "\t", "b"});     // a tab does not join the word
    CHECK(gw::pretokenize("2024 is 12.5!") == V{"2024", " is", " 12", ".", "5", "!"});
    CHECK(gw::pretokenize("x<|endoftext|>") == V{"x", "<|", "endoftext", "|>"});
    CHECK(gw::pretokenize("a\x80" "b") == V{"a", "\x80", "b"});   // an invalid byte is 'other'
    CHECK(gw::pretokenize("\xC3\xA9t\xC3\xA9") == V{"\xC3\xA9t\xC3\xA9"});  // "été" is one word
}

TEST_CASE("shipped GPT-2 files: sizes and ids published in the data README") {
    const Tokenizer tok(kModelDir);
    CHECK(Tokenizer::present(kModelDir));
    CHECK(tok.vocab_size() == 50257);
    CHECK(tok.merge_count() == 50000);
    CHECK(tok.eot_id() == 50256);
    CHECK(tok.token_bytes(50256) == "<|endoftext|>");
    CHECK(tok.encode("Hello world") == std::vector<int>{15496, 995});
    CHECK(tok.encode(" Hello world") == std::vector<int>{18435, 995});
    CHECK(tok.encode("Hello, world!") == std::vector<int>{15496, 11, 995, 0});
    CHECK(tok.encode("\n\n") == std::vector<int>{628});
    CHECK(tok.encode("<|endoftext|>").size() > 1);  // plain text, never the special id
    CHECK(tok.token_id(" the") == 262);             // "Ġthe": 262 in encoder.json
    CHECK(tok.token_display(262) == "\xE2\x90\xA3the");
    CHECK(tok.token_display(198) == "\\n");
    CHECK(tok.token_display(tok.token_id("\xE2")) == "\\xE2");
    CHECK_THROWS_AS(tok.token_bytes(50257), gw::Error);
    CHECK_THROWS_AS(tok.decode({1, -1}), gw::Error);
}

TEST_CASE("golden ids and pieces from tools/reference/tokenizer_ref.py") {
    const Tokenizer tok(kModelDir);
    const std::vector<Case> cases = load_cases();
    REQUIRE(cases.size() >= 80);
    for (const Case& c : cases) {
        CAPTURE(c.name);
        const std::vector<std::string_view> pieces = gw::pretokenize(c.text);
        CHECK(std::vector<std::string>(pieces.begin(), pieces.end()) == c.pretokens);
        const std::vector<int> ids = tok.encode(c.text);
        CHECK(ids == c.ids);
        CHECK(tok.decode(ids) == c.text);  // round trip, valid UTF-8 or not

        bool pieces_valid = true;
        CHECK(stream_decode(tok, ids, &pieces_valid) == c.text);
        if (gw::is_valid_utf8(c.text)) CHECK(pieces_valid);  // never a half character

        const gw::EncodeWork work = tok.encode_show_work(c.text);
        CHECK(work.ids == c.ids);
        REQUIRE(work.pretokens.size() == c.pretokens.size());
        for (size_t i = 0; i < work.pretokens.size(); ++i) {
            const gw::PreTokenWork& p = work.pretokens[i];
            std::string mapped;
            for (char b : p.bytes) mapped += gw::byte_to_unicode(uint8_t(b));
            CHECK(p.bytes == c.pretokens[i]);
            CHECK(p.mapped == mapped);
            CHECK(tok.decode(p.initial) == p.bytes);
            CHECK(tok.decode(p.ids) == p.bytes);
            CHECK(p.initial.size() == p.bytes.size());
            CHECK((p.merges.empty() ? p.initial : p.merges.back().symbols) == p.ids);
            for (size_t k = 1; k < p.merges.size(); ++k) CHECK(p.merges[k - 1].rank < p.merges[k].rank);
        }
    }
}

TEST_CASE("is_valid_utf8") {
    size_t bad = 99;
    CHECK(gw::is_valid_utf8(""));
    CHECK(gw::is_valid_utf8("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));       // a é € 😀
    CHECK(gw::is_valid_utf8("\xEF\xBF\xBF\xF4\x8F\xBF\xBF"));                 // U+FFFF, U+10FFFF
    CHECK_FALSE(gw::is_valid_utf8("ab\x80", &bad));
    CHECK(bad == 2);
    CHECK_FALSE(gw::is_valid_utf8("\xC3\xA9\xC0\xAF", &bad));                 // overlong '/'
    CHECK(bad == 2);
    CHECK_FALSE(gw::is_valid_utf8("x\xED\xA0\x80", &bad));                    // surrogate U+D800
    CHECK(bad == 1);
    CHECK_FALSE(gw::is_valid_utf8("\xF4\x90\x80\x80", &bad));                 // past U+10FFFF
    CHECK(bad == 0);
    CHECK_FALSE(gw::is_valid_utf8("ok\xE2\x82", &bad));                       // truncated
    CHECK(bad == 2);
}

TEST_CASE("stream decoder holds back unfinished characters") {
    const Tokenizer tok(kModelDir);
    const std::vector<int> smile = tok.encode("\xF0\x9F\x98\x80");  // 😀: two tokens in GPT-2
    REQUIRE(smile.size() == 2);
    gw::StreamDecoder dec(tok);
    CHECK(dec.push(smile[0]) == "");
    CHECK(dec.push(smile[1]) == "\xF0\x9F\x98\x80");
    CHECK(dec.flush() == "");

    // Bytes that can no longer become a character are released, not held forever.
    gw::StreamDecoder bad(tok);
    CHECK(bad.push(tok.token_id("\xE2")) == "");
    CHECK(bad.push(tok.token_id("\x82")) == "");
    CHECK(bad.push(tok.token_id("A")) == "\xE2\x82" "A");
    CHECK(bad.push(tok.token_id("\xF0")) == "");
    CHECK(bad.flush() == "\xF0");
    CHECK_THROWS_AS(bad.push(-1), gw::Error);
}

TEST_CASE("merges go by rank, not by longest match (a small vocab, worked by hand)") {
    gw::testing::TempDir dir;
    // ids: 256 "ab", 257 "bc", 258 "aa"; merges: rank 0 "b c", rank 1 "a b", rank 2 "a a".
    write_small_tokenizer(dir, {"ab", "bc", "aa"}, "b c\na b\na a\n");
    const Tokenizer tok(dir.path);
    CHECK(tok.vocab_size() == 259);
    CHECK(tok.eot_id() == -1);
    CHECK(tok.encode("ab") == std::vector<int>{256});
    CHECK(tok.encode("abc") == std::vector<int>{'a', 257});  // "bc" (rank 0) wins over "ab"
    CHECK(tok.encode("aaa") == std::vector<int>{258, 'a'});  // joined left to right
    CHECK(tok.encode("aaaaa") == std::vector<int>{258, 258, 'a'});
    CHECK(tok.encode(" abc") == std::vector<int>{' ', 'a', 257});  // no "Ġa" merge

    const gw::EncodeWork work = tok.encode_show_work("abc");
    REQUIRE(work.pretokens.size() == 1);
    const gw::PreTokenWork& p = work.pretokens[0];
    CHECK(p.initial == std::vector<int>{'a', 'b', 'c'});
    REQUIRE(p.merges.size() == 1);
    CHECK(p.merges[0].rank == 0);
    CHECK(p.merges[0].left == 'b');
    CHECK(p.merges[0].right == 'c');
    CHECK(p.merges[0].merged == 257);
    CHECK(p.merges[0].symbols == std::vector<int>{'a', 257});
    std::ostringstream shown;
    gw::print_encode_work(shown, tok, work);
    CHECK(shown.str() == "1 pieces -> 2 tokens\n"
                         "piece \"abc\"  bytes 61 62 63  as characters \"abc\"\n"
                         "  rank 0: b + c -> bc    [a | bc]\n"
                         "  ids [97, 257]\n"
                         "ids [97, 257]\n");
}

TEST_CASE("loader errors name the file and the problem") {
    gw::testing::TempDir dir;
    const std::string vocab = dir.file("vocab.json"), merges = dir.file("merges.txt");
    CHECK_FALSE(Tokenizer::present(dir.path));
    CHECK(load_error(dir.path) == dir.path + ": no tokenizer files (expected vocab.json + merges.txt, or encoder.json + vocab.bpe)");

    gw::testing::write_text_file(vocab, "{}");
    CHECK(Tokenizer::present(dir.path));  // half a pair is present: loading names the other half
    CHECK(load_error(dir.path) == merges + ": missing (the tokenizer needs it beside vocab.json)");

    const auto vocab_error = [&](const std::string& text) {
        gw::testing::write_text_file(vocab, text);
        gw::testing::write_text_file(merges, "#version: 0.2\n");
        return load_error(dir.path);
    };
    const std::string v = vocab + ": ";
    CHECK(vocab_error("{\"a\": 0, ").find(v + "line 1, column ") == 0);         // truncated
    CHECK(vocab_error("{\"a\": 0, \"\xFF\": 1}").find(v + "line 1") == 0);     // not UTF-8
    CHECK(vocab_error("[1, 2]") == v + "expected a non-empty JSON object {token: id}, got array");
    CHECK(vocab_error("{}") == v + "expected a non-empty JSON object {token: id}, got {}");
    CHECK(vocab_error("{\"a\": 0, \"b\": 1.5}") == v + "token \"b\": id must be an integer, got number");
    CHECK(vocab_error("{\"a\": 0, \"b\": \"1\"}") == v + "token \"b\": id must be an integer, got string");
    CHECK(vocab_error("{\"a\": 0, \"b\": 0}") == v + "token \"b\": id 0 is already used by another token");
    CHECK(vocab_error("{\"a\": 0, \"b\": 2}") == v + "token \"b\": id 2 out of range (2 tokens need ids 0..1)");
    CHECK(vocab_error("{\"a\": -1}") == v + "token \"a\": id -1 out of range (1 tokens need ids 0..0)");
    CHECK(vocab_error("{\"a\": 0, \"\xE4\xB8\xAD\": 1}") ==
          v + "token \"\xE4\xB8\xAD\": has a character outside GPT-2's byte alphabet (U+0021..U+0143)");
    CHECK(vocab_error("{\"a\": 0}") == v + "no token for byte 0 (\"\xC4\x80\"); every byte needs one");

    const auto merges_error = [&](const std::string& text) {
        write_small_tokenizer(dir, {"ab"}, "");
        gw::testing::write_text_file(merges, "#version: 0.2\n" + text);
        return load_error(dir.path);
    };
    const std::string m2 = merges + ": line 2: ", not_in = " (not in " + vocab + ")";
    CHECK(merges_error("a b\n") == "(no error)");  // the base case loads
    CHECK(merges_error("a b\r\n\n") == "(no error)");  // CRLF and blank lines are fine
    CHECK(merges_error("a b\xFF\n") == merges + ": not valid UTF-8 (byte offset 17)");
    CHECK(merges_error("ab\n") == m2 + "expected two tokens separated by one space, got \"ab\"");
    CHECK(merges_error("a  b\n") == m2 + "expected two tokens separated by one space, got \"a  b\"");
    CHECK(merges_error("a zz\n") == m2 + "unknown token \"zz\"" + not_in);
    CHECK(merges_error("a \xE4\xB8\xAD\n") == m2 + "unknown token \"\xE4\xB8\xAD\"" + not_in);
    CHECK(merges_error("b a\n") == m2 + "merging \"b\" and \"a\" gives a token that is not in " + vocab);
    CHECK(merges_error("a b\na b\n") == merges + ": line 3: the merge \"a b\" is listed twice");
}

TEST_CASE("file names: vocab.json + merges.txt first, then encoder.json + vocab.bpe") {
    gw::testing::TempDir dir;
    write_small_tokenizer(dir, {"ab"}, "a b\n");  // then renamed to OpenAI's names
    std::rename(dir.file("vocab.json").c_str(), dir.file("encoder.json").c_str());
    std::rename(dir.file("merges.txt").c_str(), dir.file("vocab.bpe").c_str());
    CHECK(Tokenizer::present(dir.path));
    CHECK(Tokenizer(dir.path).encode("ab") == std::vector<int>{256});
    write_small_tokenizer(dir, {"ab"}, "");  // Hugging Face's names, without the merge: preferred
    CHECK(Tokenizer(dir.path).encode("ab") == std::vector<int>{'a', 'b'});
    CHECK(std::remove(dir.file("merges.txt").c_str()) == 0);  // incomplete: the other pair is used
    CHECK(Tokenizer::present(dir.path));
    CHECK(Tokenizer(dir.path).encode("ab") == std::vector<int>{256});
    CHECK(std::remove(dir.file("vocab.bpe").c_str()) == 0);  // no complete pair, but files: present
    CHECK(Tokenizer::present(dir.path));
    CHECK(load_error(dir.path) == dir.file("merges.txt") + ": missing (the tokenizer needs it beside vocab.json)");
    CHECK_FALSE(Tokenizer::present(dir.file("nonexistent")));
}

// ---------------------------------------------------------------- the merge loop at scale

namespace {

// encoder.py's merge loop, written the plain way: the reference the heap in merge_piece must
// equal. Tokens are strings; `ranks` maps "left right" to its line in the merges file.
std::vector<std::string> bpe_by_rescanning(const std::string& piece, const std::map<std::string, int>& ranks) {
    std::vector<std::string> word;
    for (char c : piece) word.push_back(std::string(1, c));
    while (word.size() > 1) {
        int best = -1;
        std::string left, right;
        for (size_t i = 0; i + 1 < word.size(); ++i) {
            const auto it = ranks.find(word[i] + " " + word[i + 1]);
            if (it != ranks.end() && (best < 0 || it->second < best)) best = it->second, left = word[i], right = word[i + 1];
        }
        if (best < 0) break;
        std::vector<std::string> joined;
        for (size_t i = 0; i < word.size();) {
            const bool join = i + 1 < word.size() && word[i] == left && word[i + 1] == right;
            joined.push_back(join ? left + right : word[i]);
            i += join ? 2 : 1;
        }
        word = joined;
    }
    return word;
}

}  // namespace

TEST_CASE("the merge loop equals encoder.py's rescanning loop, for merges in any rank order") {
    // Random merges over the letters a, b, c, ranked in a random order: a merge that builds on
    // another may come before it, which no learned merges file does, and which decides whether
    // pairs made during a round may join in the same round (they may not, in encoder.py).
    uint64_t seed = 12345;
    const auto next = [&](uint64_t n) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        return (seed >> 33) % n;
    };
    for (int trial = 0; trial < 40; ++trial) {
        CAPTURE(trial);
        std::vector<std::string> tokens = {"a", "b", "c"}, extra, merge_lines;
        for (int m = 0; m < 12; ++m) {
            const std::string l = tokens[next(tokens.size())], r = tokens[next(tokens.size())];
            if (l.size() + r.size() > 6 || std::find(tokens.begin(), tokens.end(), l + r) != tokens.end()) continue;
            tokens.push_back(l + r), extra.push_back(l + r), merge_lines.push_back(l + " " + r);
        }
        for (size_t i = merge_lines.size(); i > 1; --i) std::swap(merge_lines[i - 1], merge_lines[next(i)]);
        std::map<std::string, int> ranks;
        std::string merges;
        for (size_t i = 0; i < merge_lines.size(); ++i) ranks[merge_lines[i]] = int(i), merges += merge_lines[i] + "\n";
        gw::testing::TempDir dir;
        write_small_tokenizer(dir, extra, merges);
        const Tokenizer tok(dir.path);
        for (int k = 0; k < 50; ++k) {
            std::string word(1 + next(40), 'a');
            for (char& ch : word) ch = char('a' + next(3));
            CAPTURE(word);
            std::vector<int> want;
            for (const std::string& t : bpe_by_rescanning(word, ranks)) want.push_back(tok.token_id(t));
            CHECK(tok.encode(word) == want);
            CHECK(tok.encode_show_work(word).ids == want);
        }
    }
}

TEST_CASE("a 1 MB run of letters costs work in proportion to its length, not its square") {
    // A bound on work, not a time: each join looks up at most the two pairs it changed, so
    // lookups <= (n - 1) + 2 x joins < 3n and joins < n. The rescanning loop looked up every
    // pair of the word once per round: for this word ~10^5 rounds x 10^6 pairs.
    const Tokenizer tok(kModelDir);
    std::string word(1 << 20, 'a');
    uint64_t s = 7;
    for (char& c : word) s = s * 6364136223846793005ull + 1442695040888963407ull, c = char('a' + (s >> 33) % 26);
    gw::MergeCounts counts;
    const std::vector<int> ids = tok.encode(word, SIZE_MAX, &counts);
    const int64_t n = int64_t(word.size());
    CHECK(counts.merges == n - int64_t(ids.size()));  // every join takes one token away
    CHECK(counts.lookups < 3 * n);
    CHECK(tok.decode(ids) == word);
}

TEST_CASE("encode with a limit stops after the piece that passes it") {
    const Tokenizer tok(kModelDir);
    const std::string text = "It is a truth universally acknowledged, that a single man in possession";
    const std::vector<int> all = tok.encode(text);
    REQUIRE(all.size() > 8);
    const std::vector<int> cut = tok.encode(text, 5);
    CHECK(cut.size() == 6);  // one word is one token here: the 6th piece passes the limit
    CHECK(std::vector<int>(all.begin(), all.begin() + 6) == cut);
    CHECK(tok.encode(text, all.size()) == all);  // exactly at the limit: the whole text
    gw::MergeCounts counts;
    tok.encode(std::string(1 << 20, ' ') + "x" + std::string(1 << 20, 'y'), 0, &counts);
    CHECK(counts.lookups < (1 << 21));  // the white space is one piece; the word after it is never merged
}

TEST_CASE("a tokenizer meets a model: more tokens than vocab_size is refused, naming the model") {
    const Tokenizer tok(kModelDir);
    CHECK_NOTHROW(gw::require_vocabulary_fits(tok, 50257, "m"));
    CHECK_NOTHROW(gw::require_vocabulary_fits(tok, 50304, "m"));  // padded, as some exports are
    try {
        gw::require_vocabulary_fits(tok, 300, "some/model");
        FAIL("a 50257-token tokenizer was accepted for a 300-token model");
    } catch (const gw::Error& e) {
        CHECK(std::string(e.what()) == "some/model: the tokenizer files have 50257 tokens but config.json says "
                                       "vocab_size=300: they belong to another model (ids past 299 have no row in "
                                       "wte.weight)");
    }
}
