// report/json_writer.cpp — objects, arrays and the layout of every --json file.
#include "report/json_writer.h"

namespace gw::json {

static std::string join(const std::vector<std::string>& parts, const std::string& open, const std::string& close,
                        const std::string& sep) {
    if (parts.empty()) return open.substr(0, 1) + close.substr(close.size() - 1);  // "{}" or "[]": no blank lines
    std::string s = open;
    for (size_t i = 0; i < parts.size(); i++) s += (i ? sep : std::string()) + parts[i];
    return s + close;
}

std::string object(const std::vector<std::string>& fields) { return join(fields, "{", "}", ", "); }
std::string array(const std::vector<std::string>& items) { return join(items, "[", "]", ", "); }

std::string strings(const std::vector<std::string>& v) {
    std::vector<std::string> items;
    for (const std::string& s : v) items.push_back(str(s));
    return array(items);
}

std::string text_object(const std::vector<std::pair<std::string, std::string>>& key_text) {
    std::vector<std::string> fields;
    for (const auto& [key, text] : key_text) fields.push_back(field(key, str(text)));
    return object(fields);
}

std::string document(const std::vector<std::string>& fields) { return join(fields, "{\n  ", "\n}", ",\n  ") + "\n"; }

std::string lines(const std::vector<std::string>& items, int depth) {
    const std::string inner(size_t(2 * (depth + 1)), ' '), outer(size_t(2 * depth), ' ');
    return join(items, "[\n" + inner, "\n" + outer + "]", ",\n" + inner);
}

}  // namespace gw::json
