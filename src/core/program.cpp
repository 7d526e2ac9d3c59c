// core/program.cpp — how every program of the project ends (program.h).
#include "core/program.h"

#include <cstdio>
#include <exception>
#include <new>

#include "core/error.h"
#include "core/json.h"  // printable

namespace gw {

int run_reporting_errors(const char* program, const std::function<int()>& body) {
    try {
        return body();
    } catch (const UsageError& e) {
        std::fprintf(stderr, "%s: %s\n", program, printable(e.what()).c_str());
        return 2;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "%s: out of memory\n", program);
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program, printable(e.what()).c_str());
        return 1;
    }
}

}  // namespace gw
