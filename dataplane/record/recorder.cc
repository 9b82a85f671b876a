// Recorder thread (see recorder.h).
#include "record/recorder.h"

#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <dirent.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "stats/publish_counters.h"
#include <string>

namespace rtpgate::dp {
namespace {

constexpr uint32_t kCopyBurst = 64;
constexpr uint64_t kPublishNs = 100'000'000;
constexpr uint32_t kIdleNapUs = 1000;
constexpr uint32_t kFlushPerPass = 256;  // files written out per pass before the rings again
constexpr unsigned kPrefetchAhead = 4;    // copies whose headers are fetched ahead

uint64_t real_us() { return shm::realtime_ns() / 1000u; }

// Each recorder thread's share of RLIMIT_NOFILE for .mjr files: what the process has not
// opened yet, less 512 for what it opens later (sockets, logs). Running out anyway (EMFILE)
// sheds descriptors (FdLru::shed).
uint32_t open_fds() {
  uint32_t n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d) != nullptr) n++;
    closedir(d);
  }
  return n;
}

uint32_t fd_budget(uint32_t threads) {
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 1u << 20;
  const uint64_t cur = rl.rlim_cur;
  const uint64_t used = open_fds();  // EAL keeps one per hugepage segment with --in-memory
  const uint64_t spare = cur > used + 1024 ? cur - used - 512 : cur / 4;
  return static_cast<uint32_t>(std::max<uint64_t>(16, std::min<uint64_t>(spare / std::max(threads, 1u), 1u << 20)));
}

}  // namespace

bool create_rec_rings(DpContext& dp, uint32_t n_workers, std::string* why) {
  const Config& c = dp.cfg;
  if (c.rec_capacity == 0) return true;  // recording disabled
  const int sock = static_cast<int>(rte_socket_id());
  dp.rec.pool = rte_pktmbuf_pool_create("rtpgate_rec", c.rec_mbufs, std::min<uint32_t>(256, c.rec_mbufs / 2), 0,
                                        RTE_PKTMBUF_HEADROOM + sizeof(RecCopyHdr) + kRecMaxPacket, sock);
  if (dp.rec.pool == nullptr) return *why = "cannot create the recording buffer pool (rec_mbufs)", false;
  for (uint32_t t = 0; t < c.rec_threads; t++) {
    const std::string rq = "rtpgate_recq" + std::to_string(t);
    dp.rec.req[t] = rte_ring_create_elem(rq.c_str(), sizeof(RecRequest), 1024, sock, RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (dp.rec.req[t] == nullptr) return *why = "cannot create a recorder request ring", false;
    for (uint32_t w = 0; w < n_workers; w++) {
      const std::string name = "rtpgate_rec" + std::to_string(w) + "_" + std::to_string(t);
      dp.rec.in[w][t] = rte_ring_create(name.c_str(), c.rec_ring, sock, RING_F_SP_ENQ | RING_F_SC_DEQ);
      if (dp.rec.in[w][t] == nullptr) return *why = "cannot create a recording ring (rec_ring)", false;
    }
  }
  dp.rec.n_threads = c.rec_threads;
  // Every descriptor more is a reopen less (FdLru): take the hard limit (systemd units raise it).
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  return true;
}

void free_rec_rings(DpContext& dp, uint32_t n_workers) {
  for (uint32_t t = 0; t < kMaxRecThreads; t++) {
    for (uint32_t w = 0; w < n_workers && w < kRecMaxWorkers; w++) {
      rte_ring*& r = dp.rec.in[w][t];
      if (r == nullptr) continue;
      void* m;
      while (rte_ring_dequeue(r, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
      rte_ring_free(r);
      r = nullptr;
    }
    rte_ring_free(dp.rec.req[t]);
    dp.rec.req[t] = nullptr;
  }
  dp.rec.n_threads = 0;
  if (dp.rec.pool != nullptr) rte_mempool_free(dp.rec.pool);
  dp.rec.pool = nullptr;
}

Recorder::Recorder(DpContext& dp, uint32_t index, uint32_t n_workers, rtpgate_shm_lcore_stats* stats)
    : dp_(dp), index_(index), n_workers_(n_workers), stats_(stats), fds_(fd_budget(dp.cfg.rec_threads)),
      files_(dp.cfg.rec_capacity) {
  if (stats_ != nullptr) stats_->role = 3;  // recorder
  const Config& c = dp.cfg;
  if (index_ == 0 && uint64_t{c.rec_capacity} > uint64_t{fds_.budget()} * c.rec_threads)
    RTE_LOG(INFO, USER1,
            "recording: %u descriptors per recorder thread for up to %u recordings: beyond that the least "
            "recently written give theirs back and reopen (rec_fd_parked)\n",
            fds_.budget(), c.rec_capacity);
}

Recorder::~Recorder() { stop(); }

bool Recorder::start() {
  const std::string name = "rtpgate-rec" + std::to_string(index_);
  running_ = rte_ctrl_thread_create(&tid_, name.c_str(), nullptr, &Recorder::thread_main, this) == 0;
  return running_;
}

void Recorder::stop() {
  if (running_) {
    stop_.store(true, std::memory_order_release);
    pthread_join(tid_, nullptr);
    running_ = false;
  }
  // Whatever is still queued is written, then every file is closed (valid .mjr files).
  while (drain_requests() + drain_copies(UINT32_MAX, shm::monotonic_ns()) != 0) {
  }
  due_.clear();
  for (Open& o : files_)
    if (o.file != nullptr) end(o);
  publish_stats();
}

void* Recorder::thread_main(void* self) {
  static_cast<Recorder*>(self)->run();
  return nullptr;
}

void Recorder::run() {
  while (!stop_.load(std::memory_order_acquire)) {
    if (poll(shm::monotonic_ns()) == 0) usleep(kIdleNapUs);
  }
}

uint32_t Recorder::poll(uint64_t now) {
  uint32_t n = drain_requests();
  n += drain_copies(kCopyBurst * 4, now);
  n += flush_due(now, kFlushPerPass);
  if (now - last_publish_ns_ >= kPublishNs) {
    publish_stats();
    last_publish_ns_ = now;
  }
  return n;
}

uint32_t Recorder::drain_requests() {
  rte_ring* q = dp_.rec.req[index_];
  if (q == nullptr) return 0;
  uint32_t n = 0;
  RecRequest r;
  while (rte_ring_dequeue_elem(q, &r, sizeof r) == 0) {
    if (r.op == RecOp::Open) open_file(r);
    else close_file(r);
    n++;
  }
  return n;
}

void Recorder::end(Open& o) {
  o.file->close();
  o.file.reset();
  ctr_[RTPGATE_CTR_rec_closed]++;
}

void Recorder::open_file(const RecRequest& r) {
  if (r.slot >= files_.size()) return;  // checked by the command applier already
  rtpgate_shm_rec_status* st = &dp_.region.rec(r.slot).status;
  if (files_[r.slot].file != nullptr) end(files_[r.slot]);  // a start without a stop: the old one ends
  rec::RecFileSpec spec;
  spec.path.assign(r.path, strnlen(r.path, sizeof r.path));
  spec.codec.assign(r.codec, strnlen(r.codec, sizeof r.codec));
  spec.fmtp.assign(r.fmtp, strnlen(r.fmtp, sizeof r.fmtp));
  spec.medium = r.medium == RTPGATE_REC_VIDEO ? rec::MjrMedium::Video : rec::MjrMedium::Audio;
  spec.clock_hz = r.clock_hz;
  spec.video_orient_ext = r.video_orient_ext;
  spec.buffer_bytes = size_t{dp_.cfg.rec_buffer_kb} * 1024;
  auto f = std::make_unique<rec::RecFile>(st, &fds_);
  if (!f->open(spec, real_us())) {
    // Logged for the first 20, then once per 1,000 (a full disk fails every recording).
    const uint64_t n = ++open_failures_;
    if (n <= 20 || n % 1000 == 0)
      RTE_LOG(WARNING, USER1, "recording %u: cannot create %s: %s (%llu failed so far, rec_open_failed)\n", r.slot,
              spec.path.c_str(), strerror(__atomic_load_n(&st->err, __ATOMIC_RELAXED)),
              static_cast<unsigned long long>(n));
    ctr_[RTPGATE_CTR_rec_open_failed]++;
    return;  // copies for it are dropped as for a closed recording
  }
  ctr_[RTPGATE_CTR_rec_opened]++;
  files_[r.slot] = Open{r.gen, std::move(f)};
}

void Recorder::close_file(const RecRequest& r) {
  // Every copy made before the stop is in the rings by now (QSBR grace): write them first.
  while (drain_copies(UINT32_MAX, shm::monotonic_ns()) != 0) {
  }
  if (Open* o = find(r.slot, r.gen)) end(*o);
}

uint32_t Recorder::drain_copies(uint32_t max_per_ring, uint64_t now_ns) {
  uint32_t total = 0;
  const uint64_t flush_at = now_ns + uint64_t{dp_.live.rec_flush_ms.load(std::memory_order_relaxed)} * 1000000u;
  const uint64_t mono = shm::monotonic_ns();
  const uint64_t real = real_us();
  for (uint32_t w = 0; w < n_workers_; w++) {
    rte_ring* ring = dp_.rec.in[w][index_];
    if (ring == nullptr) continue;
    uint32_t taken = 0;
    while (taken < max_per_ring) {
      rte_mbuf* m[kCopyBurst];
      const unsigned n = rte_ring_sc_dequeue_burst(ring, reinterpret_cast<void**>(m), kCopyBurst, nullptr);
      if (n == 0) break;
      // The copies were written on a worker's core: fetch their headers ahead.
      for (unsigned i = 0; i < n && i < kPrefetchAhead; i++) rte_prefetch0(rte_pktmbuf_mtod(m[i], void*));
      for (unsigned i = 0; i < n; i++) {
        if (i + kPrefetchAhead < n) rte_prefetch0(rte_pktmbuf_mtod(m[i + kPrefetchAhead], void*));
        auto* h = rte_pktmbuf_mtod(m[i], RecCopyHdr*);
        const uint32_t len = m[i]->data_len - static_cast<uint32_t>(sizeof(RecCopyHdr));
        Open* o = find(h->slot, h->gen);
        if (o == nullptr) {
          ctr_[RTPGATE_CTR_drop_rec_write]++;  // late copy of a closed (or failed) recording
          continue;
        }
        rec::RecFile& f = *o->file;
        const bool was_dirty = f.dirty();
        if (f.write(reinterpret_cast<uint8_t*>(h + 1), len, h->rx_ns, mono, real)) {
          ctr_[RTPGATE_CTR_rec_frames]++;
          ctr_[RTPGATE_CTR_rec_write_bytes] += len + rec::kMjrFrameHdrLen;
        } else {
          ctr_[RTPGATE_CTR_drop_rec_write]++;
        }
        if (!was_dirty && f.dirty()) due_.push_back(Due{flush_at, h->slot, h->gen});
      }
      rte_pktmbuf_free_bulk(m, n);
      taken += n;
    }
    total += taken;
  }
  return total;
}

// Writes out the buffers whose time has come, at most `max` files. An entry whose file has
// closed, restarted or been written out since (buffer full) finds nothing to do; a file
// dirtied again after that has a later entry of its own. (After a reload shortens
// rec_flush_ms, files dirtied before it keep their longer deadline.)
uint32_t Recorder::flush_due(uint64_t now_ns, uint32_t max) {
  uint32_t n = 0;
  while (n < max && !due_.empty() && due_.front().at_ns <= now_ns) {
    const Due d = due_.front();
    due_.pop_front();
    Open* o = find(d.slot, d.gen);
    if (o == nullptr || !o->file->dirty()) continue;
    if (o->file->flush())
      ctr_[RTPGATE_CTR_rec_writeouts]++;
    else
      RTE_LOG(WARNING, USER1, "recording %u: write failed, file closed at its last complete frame\n", d.slot);
    n++;
  }
  return n;
}

void Recorder::publish_stats() noexcept {
  ctr_[RTPGATE_CTR_rec_fd_parked] += fds_.parked() - parked_published_;  // ctr_ holds deltas
  parked_published_ = fds_.parked();
  if (stats_ != nullptr) publish_counters(stats_, ctr_);
}

}  // namespace rtpgate::dp
