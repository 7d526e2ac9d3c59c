// test_train_io.cpp — the training run's progress line, JSON log (read back) and loss curve.
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.h"
#include "core/json.h"
#include "report/train_io.h"

using namespace gw;

TEST_CASE("progress line and durations") {
    StepRecord r;
    r.step = 40;
    r.loss = 3.81234;
    r.lr = 2.98e-4;
    CHECK(progress_line(r, 200, 3.90121, 1234.4, 72, true) ==
          "step 40/200  loss 3.8123  val 3.9012  lr 2.98e-04  1234 tok/s  ETA 1m12s");
    CHECK(progress_line(r, 200, NAN, 1234.4, 72, false) == "step 40/200  loss 3.8123  lr 2.98e-04  (1234 tok/s)");
    CHECK(duration_text(45) == "45s");
    CHECK(duration_text(7500) == "2h05m");
    CHECK(duration_text(NAN) == "?");
}

TEST_CASE("the JSON log reads back; a NaN loss is written as null and read as NaN") {
    TrainLog log;
    log.steps.push_back({1, 3.5, 3e-4, 2.5, 0.4, true, 512, 1.25});
    log.steps.push_back({2, NAN, 2e-4, 1.0, 1.0, true, 512, 1.5});
    log.evals.push_back({2, 3.25, 1024});
    TrainSettings s;
    const std::string text = train_log_json(log, s, "weights/tiny-gpt2", "data.txt");
    CHECK(parse_json(text, "log").find("settings")->find("batch")->integer == 8);
    const TrainLog back = parse_train_log(text, "log");
    REQUIRE(back.steps.size() == 2);
    CHECK(back.steps[0].loss == 3.5);  // shortest round-trip text: the same double
    CHECK(back.steps[0].clip_scale == 0.4);
    CHECK(std::isnan(back.steps[1].loss));
    REQUIRE(back.evals.size() == 1);
    CHECK(back.evals[0].val_loss == 3.25);
    CHECK_THROWS_WITH_AS(parse_train_log("{\"kind\": \"other\"}", "x.json"), doctest::Contains("not a training log"), Error);
    const Image img = loss_curve_picture(log, "a run");
    CHECK(img.width == 900);
    CHECK(img.height == 520);
}
