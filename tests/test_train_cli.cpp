// test_train_cli.cpp — `gptwalk train` and `gptwalk eval`: the command-line contract (flags,
// window semantics, eval's JSON), bad input as one-line errors, atomic checkpoint folders,
// a stopped run resumed bit for bit, and a trained model that every command loads.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <string>
#include <thread>

#include "core/json.h"
#include "core/mapped_file.h"
#include "testing.h"

using namespace gw;
using gw::testing::run_command;
using gw::testing::shell_quote;
using gw::testing::TempDir;

namespace {

// Runs gptwalk; with stderr_only, stdout is dropped (progress lines) and only stderr returned.
int gptwalk(const std::string& args, std::string* out, bool stderr_only = false) {
    const std::string redirect = stderr_only ? " 2>&1 >/dev/null" : "";
    return run_command(shell_quote(testing::gptwalk_binary()) + " " + args + " </dev/null" + redirect, out);
}

int lines(const std::string& s) {
    int n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

// A small model from scratch (the shipped tokenizer, 1.6M parameters, mostly the tied head):
// a few updates take well under a second.
const std::string kSmall = " --config n_layer=2,n_embd=32,n_head=2,n_positions=32 --batch 2 --seq 16 ";

// Some text: ~40 lines of a plain pattern, ~700 tokens.
std::string corpus() {
    std::string s;
    const char* words[] = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};
    for (int i = 0; i < 40; i++) s += std::string(words[i % 10]) + " comes before " + words[(i + 1) % 10] + ".\n";
    return s;
}

}  // namespace

TEST_CASE("train and eval answer --help and are listed") {
    std::string out;
    CHECK(gptwalk("--help", &out) == 0);
    CHECK(out.find("  train ") != std::string::npos);
    CHECK(out.find("  eval ") != std::string::npos);
    CHECK(gptwalk("walk --help", &out) == 0);
    CHECK(out.find("  finetune ") != std::string::npos);
    for (const char* cmd : {"train", "eval", "walk finetune"}) {
        CHECK(gptwalk(std::string(cmd) + " --help", &out) == 0);
        CHECK(out.find(std::string("usage: gptwalk ") + cmd) != std::string::npos);
    }
}

TEST_CASE("bad input is one line: usage errors exit 2, bad data exits 1") {
    TempDir tmp;
    testing::write_text_file(tmp.file("text.txt"), corpus());
    testing::write_text_file(tmp.file("empty.txt"), "");
    testing::write_text_file(tmp.file("short.txt"), "Too short.");
    testing::write_text_file(tmp.file("bad.txt"), "abc\xff");
    const std::string out_dir = " --out " + tmp.file("o");
    struct Case {
        std::string args;
        int code;
        const char* says;
    };
    const Case cases[] = {
        {"train --data " + tmp.file("text.txt"), 2, "give --data FILE and --out DIR"},
        {"train --data " + tmp.file("text.txt") + out_dir + " --seq 300", 2, "longer than the model's context"},
        {"train --data " + tmp.file("text.txt") + out_dir + " --optimizer adam", 2, "expected adamw or sgd"},
        {"train --data " + tmp.file("text.txt") + out_dir + " --optimizer sgd --weight-decay 0.1", 2, "adamw only"},
        {"train --data " + tmp.file("text.txt") + out_dir + " --dtype bf16", 2, "expected f32 or f16"},
        {"train --data " + tmp.file("text.txt") + out_dir + " --config n_layers=2", 2, "--config: 'n_layers=2'"},
        {"train --data " + tmp.file("text.txt") + out_dir + " --resume " + tmp.path + " --lr 1", 2, "--lr comes from the checkpoint"},
        {"train --data " + tmp.file("empty.txt") + out_dir, 1, "the text is empty"},
        {"train --data " + tmp.file("short.txt") + out_dir, 1, "fewer than one window of --seq 64 + 1"},
        {"train --data " + tmp.file("text.txt") + out_dir + " --seq 16 --val-fraction 0.01", 1, "the validation split"},
        {"train --data " + tmp.file("bad.txt") + out_dir, 1, "not valid UTF-8"},
        {"train --data " + tmp.file("nothere.txt") + out_dir, 1, "nothere.txt"},
        {"train --data " + tmp.file("text.txt") + out_dir + " --resume " + tmp.path, 1, "not a checkpoint written by gptwalk train"},
        {"eval --data " + tmp.file("short.txt") + " --seq 0", 2, "--seq must be between 1 and 256"},
        {"eval --data " + tmp.file("empty.txt"), 1, "the text is empty"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.args);
        std::string out;
        CHECK(gptwalk(c.args, &out) == c.code);
        CHECK(out.find(c.says) != std::string::npos);
        CHECK(lines(out) == 1);
    }
    // An existing folder that this command did not write is never replaced.
    std::string out;
    CHECK(gptwalk("train --data " + tmp.file("text.txt") + " --out " + tmp.path + kSmall + "--steps 1", &out, true) == 1);
    CHECK(out.find("not a folder this command wrote") != std::string::npos);
    CHECK(file_exists(tmp.file("text.txt")));
}

TEST_CASE("a loss that turns infinite or NaN stops the run, keeping the last good checkpoint") {
    TempDir tmp;
    testing::write_text_file(tmp.file("text.txt"), corpus());
    std::string err;
    CHECK(gptwalk("train --data " + tmp.file("text.txt") + " --out " + tmp.file("o") + kSmall +
                      "--steps 20 --optimizer sgd --lr 1e4 --clip 0 --warmup 0 --save-every 1",
                  &err, true) == 1);
    CHECK(lines(err) == 1);
    CHECK(err.find("the training loss is") != std::string::npos);
    CHECK(err.find("The last good checkpoint is " + tmp.file("o") + " (update ") != std::string::npos);
    // Its update is the one before the bad one, and the folder loads.
    const size_t at = err.find("gptwalk: update ") + 16;
    const int bad = std::stoi(err.substr(at));
    CHECK(err.find("(update " + std::to_string(bad - 1) + ")") != std::string::npos);
    std::string out;
    CHECK(gptwalk("inspect --model " + tmp.file("o"), &out) == 0);
}

TEST_CASE("windows: --batch 1 --val-fraction 0 on a text of exactly T+1 tokens is that text; eval agrees") {
    TempDir tmp;
    // " one two ... nine": GPT-2 tokens "one", " two", ..., " nine": 9 tokens, T = 8.
    testing::write_text_file(tmp.file("nine.txt"), "one two three four five six seven eight nine");
    std::string out;
    REQUIRE(gptwalk("train --data " + tmp.file("nine.txt") + " --out " + tmp.file("o") +
                        " --config n_layer=2,n_embd=32,n_head=2,n_positions=32 --batch 1 --seq 8 --val-fraction 0"
                        " --steps 1 --optimizer sgd --lr 0 --warmup 0 --clip 0",
                    &out) == 0);
    const JsonValue log = parse_json(read_file(tmp.file("o") + "/train_log.json"), "train_log.json");
    const double train_loss = log.find("steps")->items.at(0).find("loss")->number;
    CHECK(log.find("steps")->items.at(0).find("tokens")->integer == 8);
    REQUIRE(gptwalk("eval --model " + tmp.file("o") + " --data " + tmp.file("nine.txt") + " --seq 8 --json", &out) == 0);
    const JsonValue e = parse_json(out, "eval --json");
    CHECK(e.find("tokens")->integer == 8);  // N - 1 predictions, each once
    CHECK(e.find("perplexity")->number == doctest::Approx(std::exp(e.find("loss")->number)).epsilon(1e-12));
    // The training forward (all rows at once) and the inference forward (KV cache) on the same
    // window: two float32 runs of one model that differ in the order of their sums. Their
    // logits agree to ~1e-5 (kForwardOrderAtol's reasoning; this fresh model's logits are
    // below 1), and a loss moves at most twice as much as the logits (its logsumexp and its
    // target's logit): 1e-4 is safe. A window off by one token changes the loss by ~1e-2 or
    // more even for this barely trained model (its 8 targets are other tokens).
    CHECK(std::fabs(train_loss - e.find("loss")->number) <= 1e-4);
    // Windows [kS, kS+S]: with S = 3, windows of 3, 3, 2 predictions: still N - 1 in all.
    REQUIRE(gptwalk("eval --model " + tmp.file("o") + " --data " + tmp.file("nine.txt") + " --seq 3 --json", &out) == 0);
    CHECK(parse_json(out, "eval").find("tokens")->integer == 8);
}

TEST_CASE("N updates == k updates, --resume, N - k updates, bit for bit; the model loads everywhere") {
    TempDir tmp;
    testing::write_text_file(tmp.file("text.txt"), corpus());
    const std::string run = "train --data " + tmp.file("text.txt") + kSmall + "--accum 2 --eval-every 2 --steps 6 ";
    std::string out;
    REQUIRE(gptwalk(run + "--out " + tmp.file("whole"), &out) == 0);
    REQUIRE(gptwalk(run + "--out " + tmp.file("half") + " --stop-after 3", &out) == 0);
    CHECK(out.find("at update 3") != std::string::npos);
    REQUIRE(gptwalk("train --data " + tmp.file("text.txt") + " --resume " + tmp.file("half") + " --out " +
                        tmp.file("resumed"),
                    &out) == 0);
    CHECK(out.find("resumed from " + tmp.file("half") + " at update 3") != std::string::npos);
    for (const char* f : {"model.safetensors", "train_state.safetensors", "config.json", "encoder.json"})
        CHECK(read_file(tmp.file("whole/") + f) == read_file(tmp.file("resumed/") + f));
    // Resuming onto another text is refused.
    testing::write_text_file(tmp.file("other.txt"), corpus() + "eleven.\n");
    CHECK(gptwalk("train --data " + tmp.file("other.txt") + " --resume " + tmp.file("half") + " --out " + tmp.file("x"),
                  &out) == 1);
    CHECK(out.find("not the text the run started on") != std::string::npos);
    // The result is a model folder every command loads.
    CHECK(gptwalk("generate --model " + tmp.file("whole") + " --prompt one -n 5 --greedy", &out) == 0);
    CHECK(gptwalk("eval --model " + tmp.file("whole") + " --data " + tmp.file("text.txt"), &out) == 0);
    CHECK(gptwalk("inspect --model " + tmp.file("whole"), &out) == 0);
    CHECK(out.find("parameters 1634720 (config says 1634720)") != std::string::npos);
    CHECK(file_exists(tmp.file("whole/loss.png")));
}

TEST_CASE("fine-tuning the shipped model: F16 output loads, the loss on its text goes down") {
    TempDir tmp;
    testing::write_text_file(tmp.file("text.txt"), corpus());
    std::string before, after, out;
    REQUIRE(gptwalk("eval --data " + tmp.file("text.txt") + " --seq 32 --json", &before) == 0);
    REQUIRE(gptwalk("train --data " + tmp.file("text.txt") + " --out " + tmp.file("ft") +
                        " --steps 2 --batch 4 --seq 32 --lr 1e-3 --warmup 0 --val-fraction 0.2 --dtype f16 --threads 2",
                    &out) == 0);
    CHECK(gptwalk("inspect --model " + tmp.file("ft"), &out) == 0);
    CHECK(out.find("F16") != std::string::npos);
    REQUIRE(gptwalk("eval --model " + tmp.file("ft") + " --data " + tmp.file("text.txt") + " --seq 32 --json", &after) == 0);
    // Two updates on this very text: its loss falls by far more than F16 rounding moves it.
    CHECK(parse_json(after, "after").find("loss")->number < parse_json(before, "before").find("loss")->number - 0.1);
    CHECK(gptwalk("generate --model " + tmp.file("ft") + " --prompt \"five comes\" -n 4 --greedy", &out) == 0);
}

TEST_CASE("a run killed mid-way leaves its last checkpoint whole, and resuming it ends bit for bit as if never killed") {
    TempDir tmp;
    testing::write_text_file(tmp.file("text.txt"), corpus());
    // A very small model (0.8M numbers, mostly the head), a checkpoint every 5 updates.
    const std::string run = "train --data " + tmp.file("text.txt") +
                            " --config n_layer=1,n_embd=16,n_head=2,n_positions=32 --batch 2 --seq 8 --steps 60"
                            " --save-every 5 --eval-every 60 ";
    std::string out;
    REQUIRE(gptwalk(run + "--out " + tmp.file("whole"), &out) == 0);
    // The same run as our own child (fork + exec, so its pid cannot be reused by another process
    // before we reap it), killed with SIGKILL (no chance to tidy up) once its first checkpoint is
    // there; it may be writing the next one at that moment. How far it got depends on the
    // machine's speed and load, so the test holds in every case:
    //  - killed mid-run (the usual case): the folder under the name is the last checkpoint it
    //    committed, and resuming it must reproduce the uninterrupted run's final files exactly;
    //  - it finished before the kill (a very fast machine): the folder is the finished run, and
    //    resuming at the end must rewrite the same files; the kill then proves nothing, which
    //    the test says in its output (MESSAGE) rather than failing.
    const std::string command = "exec " + shell_quote(testing::gptwalk_binary()) + " " + run + "--out " +
                                tmp.file("killed") + " >/dev/null 2>&1 </dev/null";
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    const std::string state = tmp.file("killed/train_state.safetensors");
    int status = 0;
    bool finished = false;  // no time limit: the run ends by itself as the one above did
    while (!file_exists(state) && !finished) {
        finished = waitpid(pid, &status, WNOHANG) == pid;
        if (!finished) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!finished) {
        kill(pid, SIGKILL);
        REQUIRE(waitpid(pid, &status, 0) == pid);
    }
    const bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    if (!killed) MESSAGE("the run finished before it could be killed: only resuming a finished run was checked");
    CHECK((killed || (WIFEXITED(status) && WEXITSTATUS(status) == 0)));
    // Whatever it was doing, the folder under the name is a whole model that loads.
    CHECK(gptwalk("inspect --model " + tmp.file("killed"), &out) == 0);
    REQUIRE(gptwalk("train --data " + tmp.file("text.txt") + " --resume " + tmp.file("killed") + " --out " +
                        tmp.file("resumed"),
                    &out) == 0);
    for (const char* f : {"model.safetensors", "train_state.safetensors"})
        CHECK(read_file(tmp.file("whole/") + f) == read_file(tmp.file("resumed/") + f));
}
