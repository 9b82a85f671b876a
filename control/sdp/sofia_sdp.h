// RAII owners for the Sofia-SIP SDP handles (su_home_t, sdp_parser_t, sdp_printer_t).
// Used on whatever thread calls the sdp/ functions; each object belongs to one call.
#pragma once
#include <sofia-sip/sdp.h>
#include <sofia-sip/su_alloc.h>

#include <memory>

namespace rtpgate::ctl::sdp {

template <auto F>
struct CDeleter {
  void operator()(auto* p) const noexcept { F(p); }
};

using SdpParserPtr = std::unique_ptr<sdp_parser_t, CDeleter<sdp_parser_free>>;
using SdpPrinterPtr = std::unique_ptr<sdp_printer_t, CDeleter<sdp_printer_free>>;

// A reference-counted Sofia memory home; everything we add to a parsed session is
// allocated from it, so it must outlive the printing of that session.
class SuHome {
 public:
  SuHome() : home_(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t)))) {}
  su_home_t* get() const noexcept { return home_.get(); }
  explicit operator bool() const noexcept { return home_ != nullptr; }

 private:
  std::unique_ptr<su_home_t, CDeleter<su_home_unref>> home_;
};

}  // namespace rtpgate::ctl::sdp
