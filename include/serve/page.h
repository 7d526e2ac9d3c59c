// serve/page.h — the explorer's page: the files of src/serve/page/ (HTML, CSS, JavaScript),
// built into the library by tools/embed_files.sh, so `gptwalk serve` needs no file at run
// time and serves the page from any folder (and never reads a path a request names).
#pragma once
#include <cstddef>
#include <string_view>

namespace gw {

struct PageFile {
    const char* name;       // "index.html", "explorer.js": served at /<name>
    const char* mime;       // "text/javascript; charset=utf-8"
    std::string_view body;  // the file's bytes
};

extern const PageFile kPageFiles[];
extern const size_t kPageFileCount;

}  // namespace gw
