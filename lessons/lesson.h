// lesson.h — what every lesson demo shares, so each demo.cpp is only its lesson:
// its flags (with --model, --step and --help built in), the usage, and one-line errors.
//
//   int main(int argc, char** argv) {
//       lesson::Demo demo("07-attention", "one layer's attention taken apart");  // --model DIR, --step, --help
//       std::string prompt = "The cat sat";
//       int layer = 0;
//       demo.text("--prompt", &prompt, "STR", "the text to run")
//           .integer("--layer", &layer, 0, 99, "L", "the layer to take apart");
//       return demo.run(argc, argv, [&](gw::Stepper& step) { ... });
//   }
//
// A flag's variable holds its default (--help prints it); run() parses argv into the
// variables, then calls the body. --help (or -h) prints the usage, the summary and one line
// per flag on stdout and exits 0. Usage mistakes print one line (the problem, then the
// usage) and exit 2, as does a gw::UsageError from the body (gw::parse_isa refusing
// --kernels, say); any other gw::Error prints "07-attention: <message>" and exits 1 (the
// contract of build/gptwalk). Without --model, the demo finds the shipped model from any
// working directory (model/model_dir.h), and --step says so on stderr when it cannot pause.
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

#include "core/error.h"       // gw::Error, gw::UsageError
#include "core/stepper.h"     // --step
#include "kernels/linear.h"   // set_blas_threads
#include "model/model_dir.h"  // default_model_dir: the shipped model from any directory

namespace lesson {

class Demo {
public:
    std::string model = gw::default_model_dir();  // --model DIR
    bool step = false;                            // --step

    // name: the lesson folder ("07-attention"); summary: one line for --help.
    explicit Demo(std::string name, std::string summary = "")
        : name_(std::move(name)), summary_(std::move(summary)) {
        text("--model", &model, "DIR", "checkpoint folder (default: the shipped model)");
    }
    // The flags hold pointers into this object (--model -> model): a copy would write to the original.
    Demo(const Demo&) = delete;
    Demo& operator=(const Demo&) = delete;

    Demo& text(const std::string& flag, std::string* v, const std::string& meta = "STR",
               const std::string& help = "") {
        return add(flag, meta, help, "\"" + *v + "\"", [v](const std::string& s) { *v = s; return true; });
    }
    // Repeatable: every --flag VALUE is appended (the defaults are dropped at the first one).
    Demo& texts(const std::string& flag, std::vector<std::string>* v, const std::string& meta = "STR",
                const std::string& help = "") {
        auto fresh = std::make_shared<bool>(true);
        std::string shown;
        for (const std::string& s : *v) shown += (shown.empty() ? "\"" : " \"") + s + "\"";
        add(flag, meta, help, shown, [v, fresh](const std::string& s) {
            if (*fresh) v->clear();
            *fresh = false;
            v->push_back(s);
            return true;
        });
        valued_.back().repeats = true;
        return *this;
    }
    template <class Int>
    Demo& integer(const std::string& flag, Int* v, int64_t lo, int64_t hi, const std::string& meta = "N",
                  const std::string& help = "") {
        add(flag, meta, help, std::to_string(*v), [v, lo, hi](const std::string& s) {
            char* end = nullptr;
            errno = 0;
            long long x = std::strtoll(s.c_str(), &end, 10);
            if (s.empty() || *end || errno || x < lo || x > hi) return false;
            *v = static_cast<Int>(x);
            return true;
        });
        valued_.back().what = "a whole number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
        return *this;
    }
    Demo& real(const std::string& flag, double* v, double lo, double hi, const std::string& meta = "X",
               const std::string& help = "") {
        add(flag, meta, help, fmt(*v), [v, lo, hi](const std::string& s) {
            char* end = nullptr;
            errno = 0;
            double x = std::strtod(s.c_str(), &end);
            if (s.empty() || *end || errno || !(x >= lo && x <= hi)) return false;
            *v = x;
            return true;
        });
        valued_.back().what = "a number in [" + fmt(lo) + ", " + fmt(hi) + "]";
        return *this;
    }
    Demo& flag(const std::string& flag, bool* v, const std::string& help = "") {
        switches_.push_back({flag, help, v});
        return *this;
    }

    // Parses argv, then runs body(stepper). Returns the process's exit code.
    int run(int argc, char** argv, const std::function<void(gw::Stepper&)>& body) {
        for (int i = 1; i < argc; i++) {
            const std::string a = argv[i];
            if (a == "--help" || a == "-h") return help();
            if (a == "--step") { step = true; continue; }
            bool known = false;
            for (Switch& s : switches_)
                if (a == s.flag) *s.value = known = true;
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
            if (step && !stepper.enabled)  // piped or redirected input: pausing would wait on nothing
                std::fprintf(stderr, "%s: --step pauses only when standard input is a terminal; "
                                     "running every stage without pausing\n", name_.c_str());
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
        std::string flag, meta, help, shown_default, what = "a value";
        bool repeats = false;
        std::function<bool(const std::string&)> set;
    };
    struct Switch {
        std::string flag, help;
        bool* value;
    };
    std::string name_, summary_;
    std::vector<Valued> valued_;
    std::vector<Switch> switches_;

    Demo& add(const std::string& flag, const std::string& meta, const std::string& help,
              const std::string& shown_default, std::function<bool(const std::string&)> set) {
        valued_.push_back({flag, meta, help, shown_default, "a value", false, std::move(set)});
        return *this;
    }
    static std::string fmt(double x) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", x);
        return buf;
    }
    std::string usage_line() const {
        std::string line = "usage: build/lessons/" + name_;
        for (const Valued& f : valued_) line += " [" + f.flag + " " + f.meta + "]" + (f.repeats ? "..." : "");
        for (const Switch& s : switches_) line += " [" + s.flag + "]";
        return line + " [--step] [--help]";
    }
    int usage(const std::string& problem) const {
        std::fprintf(stderr, "%s: %s (%s)\n", name_.c_str(), problem.c_str(), usage_line().c_str());
        return 2;
    }
    // --help: on stdout, exit 0 (as every gptwalk command does).
    int help() const {
        std::printf("%s\n", usage_line().c_str());
        if (!summary_.empty()) std::printf("\n%s\n", summary_.c_str());
        std::printf("\nflags:\n");
        auto line = [](const std::string& left, const std::string& help) {
            if (left.size() <= 24) std::printf("  %-24s %s\n", left.c_str(), help.c_str());
            else std::printf("  %s\n  %-24s %s\n", left.c_str(), "", help.c_str());
        };
        for (const Valued& f : valued_) {
            std::string help = f.help;
            const bool shown = f.flag != "--model" && !f.shown_default.empty() && f.shown_default != "\"\"";
            if (shown) help += (help.empty() ? "default " : " (default ") + f.shown_default + (help.empty() ? "" : ")");
            line(f.flag + " " + f.meta, help);
        }
        for (const Switch& s : switches_) line(s.flag, s.help);
        line("--step", "pause between stages (only when standard input is a terminal)");
        line("--help", "this text");
        std::printf("\nThe lesson: lessons/%s/README.md\n", name_.c_str());
        return 0;
    }
};

}  // namespace lesson
