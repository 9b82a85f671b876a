#include "region_watch.h"

namespace rtpgate::exporter {

const shm::Region* RegionWatch::current() {
  if (region_ && region_->still_current()) return &*region_;
  region_.reset();
  std::string why;
  auto r = shm::Region::attach(st_->shm_name, &why);
  if (!r) {
    st_->detach_why = why.empty() ? "no region " + st_->shm_name : why;
    return nullptr;
  }
  region_.emplace(std::move(r.value()));
  st_->detach_why.clear();
  st_->attaches++;
  return &*region_;
}

}  // namespace rtpgate::exporter
