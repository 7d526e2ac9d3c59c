// report/tokenizer_io.cpp — a tokenization's stages as one JSON record.
#include "report/tokenizer_io.h"

#include "report/json_writer.h"
#include "report/text.h"  // token_label

namespace gw {

using text::token_label;

static std::string token_texts(const Tokenizer& tok, const std::vector<int>& ids) {
    std::vector<std::string> items;
    for (int id : ids) items.push_back(json::str(token_label(&tok, id)));
    return json::array(items);
}

static std::string piece_json(const PreTokenWork& p, const Tokenizer& tok) {
    std::vector<std::string> merges;
    for (const MergeStep& m : p.merges)
        merges.push_back(json::object({json::field("rank", json::num(m.rank)), json::field("left", json::num(m.left)),
                                       json::field("right", json::num(m.right)), json::field("merged", json::num(m.merged)),
                                       json::field("left_text", json::str(token_label(&tok, m.left))),
                                       json::field("right_text", json::str(token_label(&tok, m.right))),
                                       json::field("text", json::str(token_label(&tok, m.merged))),
                                       json::field("symbols", json::numbers(m.symbols)),
                                       json::field("symbol_texts", token_texts(tok, m.symbols))}));
    std::vector<std::string> bytes;
    for (char c : p.bytes) bytes.push_back(json::num(int(uint8_t(c))));
    return json::object({json::field("text", json::str(p.bytes)), json::field("bytes", json::array(bytes)),
                         json::field("mapped", json::str(p.mapped)), json::field("initial", json::numbers(p.initial)),
                         json::field("merges", json::array(merges)), json::field("ids", json::numbers(p.ids)),
                         json::field("id_texts", token_texts(tok, p.ids))});
}

std::string tokenization_json(const EncodeWork& work, const Tokenizer& tok, const std::string& model_dir) {
    std::vector<std::string> pieces, tokens;
    std::string text;
    for (size_t k = 0; k < work.pretokens.size(); k++) {
        const PreTokenWork& p = work.pretokens[k];
        text += p.bytes;
        pieces.push_back(piece_json(p, tok));
        for (int id : p.ids)
            tokens.push_back(json::object({json::field("id", json::num(id)), json::field("text", json::str(token_label(&tok, id))),
                                           json::field("piece", json::num(int64_t(k)))}));
    }
    return json::document({
        json::field("kind", json::str("tokenization")), json::field("model", json::str(model_dir)),
        json::field("text", json::str(text)), json::field("ids", json::numbers(work.ids)),
        json::field("tokens", json::lines(tokens)), json::field("pieces", json::lines(pieces)),
        json::field("definitions", json::text_object({
            {"pieces", "the text cut by GPT-2's pre-tokenizer pattern; each piece is merged on its own"},
            {"mapped", "the piece's bytes in the byte-to-character alphabet of the vocab and merges files (a space shows as Ġ)"},
            {"merges", "in the order applied: the adjacent pair with the lowest rank (line of the merges file) is joined, until none is a known merge"},
            {"tokens", "every token with the index of the piece it came from; text: the token's bytes, a space shown as U+2423"},
        })),
    });
}

}  // namespace gw
