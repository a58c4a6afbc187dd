#include "bot/app/reader.hpp"

#include "core/reminders.hpp"

#include <stdexcept>

namespace ib::bot {

reader::reader(const std::string& path, recorder::post_fn post)
    : store_(path, storage::open_options{.read_only = true}), post_(std::move(post)), thread_([this] { loop(); }) {}

reader::~reader() { stop(); }

void reader::submit(read_fn read, done_fn done) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            queue_.push_back(job{std::move(read), std::move(done)});
            wake_.notify_one();
            return;
        }
    }
    auto error = std::make_exception_ptr(std::runtime_error("reader stopped"));
    post_([done = std::move(done), error] {
        if (done) done(error);
    });
}

void reader::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
}

void reader::loop() {
    for (;;) {
        job j;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping and drained
            j = std::move(queue_.front());
            queue_.pop_front();
        }
        std::exception_ptr error;
        try {
            j.read(store_);
        } catch (...) {
            error = std::current_exception();
        }
        if (j.done) post_([done = std::move(j.done), error] { done(error); });
    }
}

channel_incident read_channel_incident(const storage::store& s, const std::string& channel) {
    channel_incident out;
    out.inc = s.incident_by_channel(channel);
    if (out.inc && out.inc->is_open()) out.schedule_entries = s.timeline_of_kinds(out.inc->id, k_reminder_schedule_kinds);
    return out;
}

}  // namespace ib::bot
