// lesson.h — what every lesson demo shares, so each demo.cpp is only its lesson:
// its flags (with --model and --step built in), the usage line, and one-line errors.
//
//   int main(int argc, char** argv) {
//       lesson::Demo demo("07-attention");              // --model DIR and --step come free
//       std::string prompt = "The cat sat";
//       int layer = 0;
//       demo.text("--prompt", &prompt).integer("--layer", &layer, 0, 99, "L");
//       return demo.run(argc, argv, [&](gw::Stepper& step) { ... });
//   }
//
// A flag's variable holds its default; run() parses argv into the variables, then calls
// the body. Usage mistakes print one line (the problem, then the usage) and exit 2, as
// does a gw::UsageError from the body (gw::parse_isa refusing --kernels, say); any other
// gw::Error prints "07-attention: <message>" and exits 1 (the contract of build/gptwalk).
#pragma once
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"      // gw::Error, gw::UsageError
#include "core/stepper.h"    // --step
#include "kernels/linear.h"  // set_blas_threads

namespace lesson {

class Demo {
public:
    std::string model = "weights/tiny-gpt2";  // --model DIR
    bool step = false;                        // --step

    explicit Demo(std::string name) : name_(std::move(name)) {
        text("--model", &model, "DIR");
    }
    // The flags hold pointers into this object (--model -> model): a copy would write to the original.
    Demo(const Demo&) = delete;
    Demo& operator=(const Demo&) = delete;

    Demo& text(const std::string& flag, std::string* v, const std::string& meta = "STR") {
        return add(flag, meta, [v](const std::string& s) { *v = s; return true; });
    }
    // Repeatable: every --flag VALUE is appended (the defaults are dropped at the first one).
    Demo& texts(const std::string& flag, std::vector<std::string>* v, const std::string& meta = "STR") {
        auto fresh = std::make_shared<bool>(true);
        add(flag, meta, [v, fresh](const std::string& s) {
            if (*fresh) v->clear();
            *fresh = false;
            v->push_back(s);
            return true;
        });
        valued_.back().repeats = true;
        return *this;
    }
    template <class Int>
    Demo& integer(const std::string& flag, Int* v, int64_t lo, int64_t hi, const std::string& meta = "N") {
        return add(flag, meta, [v, lo, hi](const std::string& s) {
            char* end = nullptr;
            errno = 0;
            long long x = std::strtoll(s.c_str(), &end, 10);
            if (s.empty() || *end || errno || x < lo || x > hi) return false;
            *v = static_cast<Int>(x);
            return true;
        }, "a whole number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    Demo& real(const std::string& flag, double* v, double lo, double hi, const std::string& meta = "X") {
        return add(flag, meta, [v, lo, hi](const std::string& s) {
            char* end = nullptr;
            errno = 0;
            double x = std::strtod(s.c_str(), &end);
            if (s.empty() || *end || errno || !(x >= lo && x <= hi)) return false;
            *v = x;
            return true;
        }, "a number in [" + fmt(lo) + ", " + fmt(hi) + "]");
    }
    Demo& flag(const std::string& flag, bool* v) {
        switches_.push_back({flag, v});
        return *this;
    }

    // Parses argv, then runs body(stepper). Returns the process's exit code.
    int run(int argc, char** argv, const std::function<void(gw::Stepper&)>& body) {
        for (int i = 1; i < argc; i++) {
            const std::string a = argv[i];
            if (a == "--step") { step = true; continue; }
            bool known = false;
            for (auto& s : switches_)
                if (a == s.first) *s.second = known = true;
            for (const Valued& f : valued_) {
                if (known || a != f.flag) continue;
                known = true;
                if (i + 1 >= argc) return usage(f.flag + " needs a value");
                const std::string value = argv[++i];
                if (!f.set(value)) return usage(f.flag + " must be " + f.what + ", got '" + value + "'");
            }
            if (!known) return usage("unknown argument '" + a + "'");
        }
        try {
            // OpenBLAS at one thread, as `gptwalk` runs by default: a threaded product may
            // sum in another order and move a printed number's last digit.
            gw::set_blas_threads(1);
            gw::Stepper stepper(step);
            body(stepper);
        } catch (const gw::UsageError& e) {  // a flag's value the body refused (e.g. --kernels)
            std::fprintf(stderr, "%s: %s\n", name_.c_str(), e.what());
            return 2;
        } catch (const gw::Error& e) {
            std::fprintf(stderr, "%s: %s\n", name_.c_str(), e.what());
            return 1;
        }
        return 0;
    }

private:
    struct Valued {
        std::string flag, meta, what;
        bool repeats = false;
        std::function<bool(const std::string&)> set;
    };
    std::string name_;
    std::vector<Valued> valued_;
    std::vector<std::pair<std::string, bool*>> switches_;

    Demo& add(const std::string& flag, const std::string& meta, std::function<bool(const std::string&)> set,
              const std::string& what = "a value") {
        valued_.push_back({flag, meta, what, false, std::move(set)});
        return *this;
    }
    static std::string fmt(double x) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", x);
        return buf;
    }
    int usage(const std::string& problem) const {
        std::string line = "usage: build/lessons/" + name_;
        for (const Valued& f : valued_) line += " [" + f.flag + " " + f.meta + "]" + (f.repeats ? "..." : "");
        for (auto& s : switches_) line += " [" + s.first + "]";
        line += " [--step]";
        std::fprintf(stderr, "%s: %s (%s)\n", name_.c_str(), problem.c_str(), line.c_str());
        return 2;
    }
};

}  // namespace lesson
