// make_record --services N --replicas N --faults N [--clients N] -o FILE:
// writes a made-up run record (test_support/synthetic_record.h) for the
// report benchmark.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "test_support/synthetic_record.h"

int main(int argc, char** argv) {
  chancho::testing::SyntheticRun run;
  std::string out;
  CLI::App app{"Writes a made-up chaos run record of any size.", "make_record"};
  app.add_option("--services", run.services)->capture_default_str();
  app.add_option("--replicas", run.replicas, "replicas per service")->capture_default_str();
  app.add_option("--clients", run.clients)->capture_default_str();
  app.add_option("--faults", run.faults)->capture_default_str();
  app.add_option("--duration-ms", run.duration_ms)->capture_default_str();
  app.add_option("--seed", run.seed)->capture_default_str();
  app.add_option("-o,--output", out)->required();
  CLI11_PARSE(app, argc, argv);
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file << chancho::testing::SyntheticRecord(run);
  if (!file.flush()) {
    std::cerr << "make_record: cannot write " << out << "\n";
    return 1;
  }
  return 0;
}
