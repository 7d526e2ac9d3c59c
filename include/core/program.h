// core/program.h — how every program of the project ends: one line on stderr, an exit code.
#pragma once
#include <functional>

namespace gw {

// The body of main(): returns body()'s status; a gw::UsageError prints
// "program: message" on stderr and gives 2, any other failure prints it and gives 1
// (std::bad_alloc as "out of memory"). The message goes through printable(): text from a
// file may hold control characters that would otherwise reach the terminal.
int run_reporting_errors(const char* program, const std::function<int()>& body);

}  // namespace gw
