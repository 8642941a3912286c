#include "server/store.h"

namespace dsfill::server {

StoreWorker::StoreWorker(std::unique_ptr<Store> store, Threading threading)
    : store_(std::move(store)), own_thread_(threading == Threading::kOwnThread) {
  if (own_thread_) thread_ = std::thread([this] { run(); });
}

StoreWorker::~StoreWorker() {
  if (!own_thread_) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void StoreWorker::post(std::function<void(Store&)> job) {
  if (!own_thread_) return job(*store_);
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void StoreWorker::run() {
  for (;;) {
    std::function<void(Store&)> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job(*store_);
  }
}

}  // namespace dsfill::server
