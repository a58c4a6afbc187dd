// Fault injection for the end-to-end tests, compiled only into the test copy of the binary
// (tests/CMakeLists.txt: `incident-bot-faults`, built with IB_FAULT_INJECTION). The product
// binary has none of this: its call sites are inside #ifdef IB_FAULT_INJECTION.
//
// A test arms faults while the bot runs by writing their names, one per line, into the file
// named by IB_FAULTS_FILE (and disarms them by removing the lines):
//   write   every store job fails on its own (store_failed for its flow; nothing of it stored)
//   commit  every group commit fails, as on a full disk (the recorder retries, then gives up)
//   frame   handling the next Socket Mode frame throws: an unexpected exception in the main task
//   slow_commit  every group commit waits 2 s first (a loaded server): e.g. a declaration's
//           commit, to hold the new-channel window open (record_events.hpp)
//   claimed a reminder's claim, once committed, throws before the reminder is posted: the process
//           exits 70 holding a claim that another instance takes over after the lease
//   stored  a journalled flow's store effect, once committed, throws before anything else of the
//           flow (its ack, its announcement): the process exits 70 mid-flow, and another instance
//           resumes the flow from the journal after the lease
//   resolved a resolve, once committed, throws before its summary is posted: the process exits 70
//           holding the summary's lease, which another instance takes over
// IB_FAULT_COMMIT_DEADLINE (a duration: 3s, 1m) replaces the 5 minutes after which failing
// commits make the bot exit.
#pragma once

#ifndef IB_FAULT_INJECTION
#error "fault_injection.hpp is for the test build only (IB_FAULT_INJECTION)"
#endif

#include <chrono>
#include <optional>
#include <string_view>

namespace ib::bot::faults {

// Throws std::runtime_error("<point>: injected fault") when `point` is armed.
void at(std::string_view point);
// Sleeps `d` on the calling thread when `point` is armed.
void delay_at(std::string_view point, std::chrono::milliseconds d);

// IB_FAULT_COMMIT_DEADLINE, when set.
std::optional<std::chrono::milliseconds> commit_deadline();

}  // namespace ib::bot::faults
