// TAP exception interfaces: DPDK net_tap vdevs plus kernel address configuration (ioctl).
#include "exception/tap_iface.h"

#include <arpa/inet.h>
#include <linux/ipv6.h>
#include <net/if.h>
#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>

namespace rtpgate::dp {
namespace {

bool write_sysctl(const std::string& path, const char* value) {
  std::ofstream f(path);
  return static_cast<bool>(f << value);
}

bool set_flags_up(int fd, const std::string& ifname) {
  ifreq ifr{};
  std::snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname.c_str());
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) return false;
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  return ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
}

// IPv4: the first address on the interface, further ones on aliases (NAME:1, NAME:2...).
bool add_ipv4(int fd, const std::string& ifname, const MediaAddr& ma, int alias) {
  ifreq ifr{};
  const std::string name = alias == 0 ? ifname : ifname + ":" + std::to_string(alias);
  if (name.size() >= IFNAMSIZ) return false;
  std::snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name.c_str());
  auto* sin = reinterpret_cast<sockaddr_in*>(&ifr.ifr_addr);
  sin->sin_family = AF_INET;
  std::memcpy(&sin->sin_addr, ma.addr.addr, 4);
  if (ioctl(fd, SIOCSIFADDR, &ifr) != 0) return false;
  sin->sin_addr.s_addr = ma.prefix_len == 0 ? 0 : htonl(~uint32_t{0} << (32 - ma.prefix_len));
  if (ioctl(fd, SIOCSIFNETMASK, &ifr) != 0) return false;
  return set_flags_up(fd, name);
}

bool add_ipv6(const std::string& ifname, const MediaAddr& ma) {
  const std::string conf = "/proc/sys/net/ipv6/conf/" + ifname + "/";
  write_sysctl(conf + "disable_ipv6", "0");
  write_sysctl(conf + "accept_dad", "0");  // the data plane already answers for the address
  const int fd = socket(AF_INET6, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  in6_ifreq r{};
  std::memcpy(&r.ifr6_addr, ma.addr.addr, 16);
  r.ifr6_prefixlen = ma.prefix_len;
  r.ifr6_ifindex = static_cast<int>(if_nametoindex(ifname.c_str()));
  const bool ok = r.ifr6_ifindex > 0 && ioctl(fd, SIOCSIFADDR, &r) == 0;
  close(fd);
  return ok;
}

bool configure_kernel(const PortConfig& pc, std::string* why) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return *why = "socket: " + std::string(std::strerror(errno)), false;
  bool ok = set_flags_up(fd, pc.tap);
  int alias = 0;
  for (const auto& ma : pc.addrs) {
    if (!ok) break;
    ok = ma.addr.family == 4 ? add_ipv4(fd, pc.tap, ma, alias++) : add_ipv6(pc.tap, ma);
    if (!ok) *why = "tap " + pc.tap + ": cannot add " + format_ip(ma.addr) + ": " + std::strerror(errno);
  }
  close(fd);
  if (!ok && why->empty()) *why = "tap " + pc.tap + ": cannot bring the interface up";
  return ok;
}

}  // namespace

bool create_tap(const PortConfig& pc, const uint8_t mac[6], rte_mempool* pool, uint16_t* tap_port,
                std::string* why) {
  char name[64], args[128];
  std::snprintf(name, sizeof(name), "net_tap_rtpgate%u", pc.port_id);
  std::snprintf(args, sizeof(args), "iface=%s,mac=%02x:%02x:%02x:%02x:%02x:%02x", pc.tap.c_str(), mac[0], mac[1],
                mac[2], mac[3], mac[4], mac[5]);
  if (rte_vdev_init(name, args) != 0)
    return *why = "cannot create TAP " + pc.tap + " (" + args + "): is the tun module available?", false;
  uint16_t pid = 0;
  if (rte_eth_dev_get_port_by_name(name, &pid) != 0) return *why = "TAP port " + pc.tap + " not found", false;
  rte_eth_conf conf{};
  if (rte_eth_dev_configure(pid, 1, 1, &conf) != 0 || rte_eth_rx_queue_setup(pid, 0, 512, SOCKET_ID_ANY, nullptr, pool) != 0 ||
      rte_eth_tx_queue_setup(pid, 0, 512, SOCKET_ID_ANY, nullptr) != 0 || rte_eth_dev_start(pid) != 0)
    return *why = "cannot start TAP port " + pc.tap, false;
  *tap_port = pid;
  return configure_kernel(pc, why);
}

void destroy_tap(uint16_t tap_port) {
  char name[RTE_ETH_NAME_MAX_LEN];
  const bool named = rte_eth_dev_get_name_by_port(tap_port, name) == 0;
  rte_eth_dev_stop(tap_port);
  rte_eth_dev_close(tap_port);
  if (named) rte_vdev_uninit(name);
}

}  // namespace rtpgate::dp
