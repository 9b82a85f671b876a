// rtpgatectl: SDES-SRTP contexts by hand (tests, operators). Keys go in, never out.
#pragma once
#include <string>
#include <vector>

namespace rtpgate::ctl {

// srtp-set --profile NAME --dir in|out --key HEX (master key || salt): prints the entry index.
int cmd_srtp_set(const std::string& shm, const std::vector<std::string>& args, bool json);
// srtp-del IDX: deletes the context and wipes the entry.
int cmd_srtp_del(const std::string& shm, uint32_t idx);
// srtp: allocated entries (index, profile, direction, version), no key material.
int cmd_srtp_list(const std::string& shm, bool json);

}  // namespace rtpgate::ctl
