// The reader owns a read-only connection to the database and a thread of its own: summaries,
// review prompts and history lookups run here, never inside the recorder's group transaction, so
// no ack waits behind a heavy read. WAL lets it read while the recorder writes: each read sees
// what was committed when it started (a flow reads only after its own writes are durable).
// A read's completion runs on the I/O thread, like the recorder's.
#pragma once

#include "bot/app/recorder.hpp"
#include "storage/store.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ib::bot {

// What an instance reads to learn an incident another instance declared (several instances on one
// database): the incident declared last in a channel and, when it is open, its entries of
// k_reminder_schedule_kinds, from which its reminder schedule is derived.
struct channel_incident {
    std::optional<incident> inc;
    std::vector<timeline_entry> schedule_entries;
};
channel_incident read_channel_incident(const storage::store& s, const std::string& channel);

class reader {
public:
    using read_fn = std::function<void(const storage::store&)>;
    using done_fn = recorder::done_fn;

    // Opens `path` read-only (it must exist at the latest schema: the recorder's store migrated
    // it). Throws storage_error.
    reader(const std::string& path, recorder::post_fn post);
    ~reader();  // stop()
    reader(const reader&) = delete;
    reader& operator=(const reader&) = delete;

    // Queues `read`; `done` runs on the I/O thread once it ran (nullptr) or threw. Reads run one
    // at a time, in order. Thread-safe. After stop(), reads fail with an exception.
    void submit(read_fn read, done_fn done);
    // Finishes the queued reads, then ends the thread. Idempotent.
    void stop();

private:
    struct job {
        read_fn read;
        done_fn done;
    };
    void loop();

    storage::store store_;
    recorder::post_fn post_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<job> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace ib::bot
