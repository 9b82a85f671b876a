// The one Sofia-SIP event loop of the plugin (spec issue: no thread per account or call).
// Every nua stack, every request handler and every SIP event runs on this thread; other
// threads hand work over with post(). All session state is owned by this thread.
#pragma once
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace rtpgate::ctl {

class SofiaLoop {
 public:
  SofiaLoop() = default;
  ~SofiaLoop() { stop(); }
  SofiaLoop(const SofiaLoop&) = delete;
  SofiaLoop& operator=(const SofiaLoop&) = delete;

  // Starts the thread and waits until its root exists. False + *why on failure.
  bool start(std::string* why);
  // Runs the queued work, then `last` on the loop, then stops and joins.
  void stop(std::function<void()> last = {});
  // Thread-safe; false once the loop is stopping (the work is dropped).
  bool post(std::function<void()> fn);
  bool on_loop() const noexcept { return std::this_thread::get_id() == tid_; }
  su_root_t* root() const noexcept { return root_; }

 private:
  void run();
  static int on_wakeup(su_root_magic_t* magic, su_wait_t* w, su_wakeup_arg_t* arg);
  void drain();

  std::thread thread_;
  std::thread::id tid_;
  su_root_t* root_ = nullptr;
  int event_fd_ = -1;
  std::mutex mu_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  bool started_ = false;
};

}  // namespace rtpgate::ctl
