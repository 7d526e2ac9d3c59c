// report/train_io.h — showing a training run: the progress line, the JSON log, the loss curve.
//
// train/trainer.h computes the records (one per update, one per validation); these functions
// only format or draw them. `gptwalk train` writes the log and the picture into every
// checkpoint folder it writes (train_log.json, loss.png), and reads the log back to resume.
#pragma once
#include <string>

#include "report/picture.h"
#include "train/trainer.h"

namespace gw {

// "step 40/200  loss 3.8123  val 3.9012  lr 2.98e-04" then the timing: on a terminal
// "  1234 tok/s  ETA 1m12s", otherwise "  (1234 tok/s)" (so that a log's numbers can be
// compared by cutting the parenthesis off). val_loss NaN: no "val" field.
std::string progress_line(const StepRecord& step, int64_t total_steps, double val_loss, double tokens_per_s,
                          double eta_s, bool terminal);
// "1m12s", "45s", "2h03m".
std::string duration_text(double seconds);

// The log as a JSON document: the run's settings, then one line per update and per validation.
std::string train_log_json(const TrainLog& log, const TrainSettings& settings, const std::string& model,
                           const std::string& data);
// Reads a log written by train_log_json back (its steps and evals, nothing else); throws
// gw::Error naming `source` for a document that is not one.
TrainLog parse_train_log(const std::string& json, const std::string& source);

// Training loss per update (a line) and validation loss (dots) against the update count.
Image loss_curve_picture(const TrainLog& log, const std::string& title);

}  // namespace gw
