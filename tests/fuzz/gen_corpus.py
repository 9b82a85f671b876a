#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

Run from anywhere: python3 tests/fuzz/gen_corpus.py. The files are small, checked in,
and replayed by the fuzz-replay-* unit tests; regenerate after changing this script.
RTCP seeds follow the naming of Janus's RTCP fuzzer corpus (pli.rtcp, nacks.rtcp, ...).
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- RTP / RTCP ---------------------------------------------------------------

def rtp(pt=0, seq=1000, ts=160000, ssrc=0xDEADBEEF, payload=b"\xd5" * 160,
        csrcs=(), ext=None, pad=0, marker=False):
    b0 = 0x80 | len(csrcs)
    if ext is not None:
        b0 |= 0x10
    if pad:
        b0 |= 0x20
    b = struct.pack("!BBHII", b0, (0x80 if marker else 0) | pt, seq, ts, ssrc)
    for c in csrcs:
        b += struct.pack("!I", c)
    if ext is not None:
        profile, body = ext
        b += struct.pack("!HH", profile, len(body) // 4) + body
    b += payload
    if pad:
        b += b"\x00" * (pad - 1) + bytes([pad])
    return b


def rtcp(pt, count, body):
    assert len(body) % 4 == 0
    return struct.pack("!BBH", 0x80 | count, pt, len(body) // 4) + body


def sr(ssrc=0xDEADBEEF, blocks=b"", count=0):
    return rtcp(200, count, struct.pack("!IIIIII", ssrc, 0xE9000000, 0x10000000, 160000, 10, 1600) + blocks)


def report_block(ssrc=0x11223344):
    return struct.pack("!IIIIII", ssrc, 0x01000010, 1234, 20, 0, 0)


def rr(ssrc=0xCAFEBABE):
    return rtcp(201, 1, struct.pack("!I", ssrc) + report_block())


def sdes(ssrc=0xDEADBEEF, cname=b"rtpgate@lab"):
    item = bytes([1, len(cname)]) + cname + b"\x00"
    item += b"\x00" * (-(4 + len(item)) % 4)
    return rtcp(202, 1, struct.pack("!I", ssrc) + item)


def bye(ssrc=0xDEADBEEF):
    return rtcp(203, 1, struct.pack("!I", ssrc))


def pli(sender=0xCAFEBABE, media=0xDEADBEEF):
    return rtcp(206, 1, struct.pack("!II", sender, media))


def fir(sender=0xCAFEBABE, media=0xDEADBEEF):
    return rtcp(206, 4, struct.pack("!II", sender, 0) + struct.pack("!IB3x", media, 7))


def nacks(sender=0xCAFEBABE, media=0xDEADBEEF):
    fci = struct.pack("!HH", 1000, 0b1010000000000001) + struct.pack("!HH", 1040, 0)
    return rtcp(205, 1, struct.pack("!II", sender, media) + fci)


def remb(sender=0xCAFEBABE, media=0xDEADBEEF):
    fci = b"REMB" + bytes([1, 0x0B, 0x71, 0xB0]) + struct.pack("!I", media)
    return rtcp(206, 15, struct.pack("!II", sender, 0) + fci)


# --- Frames -------------------------------------------------------------------

MAC_DST = bytes.fromhex("020000000001")
MAC_SRC = bytes.fromhex("020000000002")


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def ipv4(src, dst, l4, proto=17, frag=0):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0x1234, frag, 64, proto, 0,
                       bytes(src), bytes(dst)) + l4


def ipv6(src, dst, l4, nh=17):
    return struct.pack("!IHBB16s16s", 0x60000000, len(l4), nh, 64, bytes(src), bytes(dst)) + l4


def eth(ethertype, l3, vlan=None):
    hdr = MAC_DST + MAC_SRC
    if vlan is not None:
        hdr += struct.pack("!HH", 0x8100, vlan)
    return hdr + struct.pack("!H", ethertype) + l3


V4_SRC, V4_DST = [192, 0, 2, 1], [192, 0, 2, 10]
V6_SRC = [0x20, 0x01, 0x0D, 0xB8] + [0] * 11 + [1]
V6_DST = [0x20, 0x01, 0x0D, 0xB8] + [0] * 11 + [0x10]


def main():
    # rtp_fuzz: raw RTP and RTCP packets (UDP payloads).
    t = "rtp_fuzz"
    write(t, "pcmu.rtp", rtp())
    write(t, "opus_marker.rtp", rtp(pt=111, seq=65535, marker=True, payload=b"\xfc\xff\xfe" * 20))
    write(t, "csrc_ext_pad.rtp", rtp(pt=96, csrcs=(1, 2), ext=(0xBEDE, b"\x10\xaa\x00\x00"), payload=b"x" * 13, pad=3))
    write(t, "header_only.rtp", rtp(payload=b""))
    write(t, "sr.rtcp", sr())
    write(t, "sr_sdes.rtcp", sr() + sdes())
    write(t, "sr_rb_sdes_bye.rtcp", sr(blocks=report_block(), count=1) + sdes() + bye())
    write(t, "rr.rtcp", rr())
    write(t, "pli.rtcp", rr() + pli())
    write(t, "fir.rtcp", fir())
    write(t, "nacks.rtcp", rr() + nacks())
    write(t, "remb.rtcp", remb())
    write(t, "bye.rtcp", bye())

    # pkt_parse_fuzz: Ethernet frames.
    t = "pkt_parse_fuzz"
    write(t, "ipv4_udp_rtp.bin", eth(0x0800, ipv4(V4_SRC, V4_DST, udp(5004, 20000, rtp()))))
    write(t, "ipv6_udp_rtp.bin", eth(0x86DD, ipv6(V6_SRC, V6_DST, udp(5004, 20000, rtp()))))
    write(t, "vlan_ipv4_rtcp.bin", eth(0x0800, ipv4(V4_SRC, V4_DST, udp(5005, 20001, sr() + sdes())), vlan=100))
    write(t, "vlan_ipv6_rtcp.bin", eth(0x86DD, ipv6(V6_SRC, V6_DST, udp(5005, 20001, rr() + pli())), vlan=7))
    small = eth(0x0800, ipv4(V4_SRC, V4_DST, udp(5004, 20000, b"\x80\x00\x00\x01")))
    write(t, "ipv4_padded_min.bin", small + b"\x00" * (60 - len(small)))
    write(t, "ipv4_fragment.bin", eth(0x0800, ipv4(V4_SRC, V4_DST, udp(5004, 20000, rtp()), frag=0x2000)))
    write(t, "ipv4_tcp.bin", eth(0x0800, ipv4(V4_SRC, V4_DST, b"\x00" * 20, proto=6)))
    write(t, "arp.bin", eth(0x0806, bytes.fromhex("0001080006040001") + MAC_SRC + bytes(V4_SRC) + b"\x00" * 6 + bytes(V4_DST)))

    # config_fuzz: configuration files.
    t = "config_fuzz"
    write(t, "full.conf", b"""# rtpgate-dataplane
shm_name = /rtpgate
shm_group = rtpgate
port = 0 addr=192.0.2.10/24 addr=2001:db8::10/64 gw=192.0.2.1
port = 1 addr=198.51.100.5
neighbour = 192.0.2.1 02:00:00:aa:bb:cc
port_min = 20000
port_max = 29999
flow_capacity = 65536
burst_pkts = 32
mbufs = 16383
mbuf_cache = 256
rx_desc = 1024
tx_desc = 1024
idle_mode = adaptive
idle_sleep_max_us = 500
drain_us = 10
heartbeat_interval_ms = 100
publish_interval_ms = 250
cmd_ring_capacity = 4096
cpl_ring_capacity = 8192
pkt_ring_capacity = 1024
pkt_rings_to_dp = 4
max_cmds_per_poll = 32
""")
    write(t, "minimal.conf", b"port = 0 addr=10.0.0.1/8\n")
    write(t, "crlf_comments.conf", b"# c\r\nidle_mode = poll # spin\r\nport = 3 addr=::1\r\n")
    write(t, "bad_key.conf", b"port = 0 addr=10.0.0.1\nbogus = 1\n")

    # sipguard_fuzz: SIP datagrams (UDP payloads) as the SIP guard screens them.
    t = "sipguard_fuzz"
    for name, data in sip_seeds():
        write(t, name, data)

    # shm_header_fuzz: mode byte + data (see shm_header_fuzz.cc).
    # cmd_fuzz: mode byte + flow id (LE) + flow parameters (see cmd_fuzz.cc); mode bit 0 XORs
    # onto a valid FORWARD flow (offsets: action 10, dscp 11, flags 12), bits 1-2 ring count.
    t = "cmd_fuzz"
    write(t, "valid_forward.bin", b"\x03" + struct.pack("<I", 1))
    write(t, "valid_to_ctl_no_ring.bin", b"\x01" + struct.pack("<I", 1) + b"\x00" * 10 + b"\x01")
    write(t, "valid_to_ctl.bin", b"\x03" + struct.pack("<I", 1) + b"\x00" * 10 + b"\x01")
    write(t, "drop_no_flags.bin", b"\x03" + struct.pack("<I", 1) + b"\x00" * 10 + b"\x02\x00\x28")
    write(t, "rtcp_flow_is_itself.bin", b"\x03" + struct.pack("<I", 7))
    write(t, "flow_id_out_of_table.bin", b"\x03" + struct.pack("<I", 100000))
    write(t, "raw_zero.bin", b"\x02" + bytes(4 + 200))

    # mjr_fuzz: codec, orientation id, fmtp, then [len][ms][flags][packet] records (mjr_fuzz.cc).
    t = "mjr_fuzz"
    for name, data in mjr_seeds():
        write(t, name, data)

    # request_fuzz: request bodies, optionally NUL + jsep (request_fuzz.cc).
    t = "request_fuzz"
    for name, data in request_seeds():
        write(t, name, data)

    t = "shm_header_fuzz"
    write(t, "valid_xor_nothing.bin", b"\x03")
    write(t, "valid_xor_magic.bin", b"\x03\x01")
    write(t, "valid_xor_minor.bin", b"\x03" + b"\x00" * 10 + b"\x02")  # minor 1 -> 3
    write(t, "raw_valid.bin", b"\x02" + raw_header())
    write(t, "raw_short.bin", b"\x00" + raw_header()[:100])


def sip(*lines, body=b""):
    return b"".join(l + b"\r\n" for l in lines) + b"\r\n" + body


def sip_seeds():
    sdp = (b"v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\n"
           b"m=audio 49170 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n")
    yield "invite.sip", sip(b"INVITE sip:bob@192.0.2.10 SIP/2.0",
                            b"Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK776asdhds;rport",
                            b"Max-Forwards: 70", b"To: Bob <sip:bob@192.0.2.10>",
                            b"From: Alice <sip:alice@example.org>;tag=1928301774",
                            b"Call-ID: a84b4c76e66710@pc33.example.org", b"CSeq: 314159 INVITE",
                            b"Contact: <sip:alice@192.0.2.20>", b"User-Agent: Linphone/5.2.0",
                            b"Content-Type: application/sdp", b"Content-Length: %d" % len(sdp), body=sdp)
    yield "register_compact.sip", sip(b"REGISTER sip:example.org SIP/2.0", b"v: SIP/2.0/UDP 192.0.2.20;branch=z9hG4bKx",
                                      b"f: <sip:alice@example.org>;tag=1", b"t: <sip:alice@example.org>",
                                      b"i: reg-1", b"CSeq: 1 REGISTER", b"m: <sip:alice@192.0.2.20>", b"l: 0")
    yield "svmap_options.sip", sip(b"OPTIONS sip:100@192.0.2.10 SIP/2.0",
                                   b"Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-3117813829;rport",
                                   b"Content-Length: 0", b'From: "sipvicious"<sip:100@1.1.1.1>;tag=3336353363',
                                   b"Accept: application/sdp", b"User-Agent: friendly-scanner",
                                   b'To: "sipvicious"<sip:100@1.1.1.1>', b"Contact: sip:100@198.51.100.7:5060",
                                   b"CSeq: 1 OPTIONS", b"Call-ID: 674923553268093425013367", b"Max-Forwards: 70")
    yield "response.sip", sip(b"SIP/2.0 180 Ringing", b"Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1",
                              b"To: <sip:bob@example.org>;tag=9", b"From: <sip:alice@example.org>;tag=1",
                              b"Call-ID: c1", b"CSeq: 1 INVITE", b"Content-Length: 0")
    yield "folded_malformed.sip", sip(b"MESSAGE sip:a@b SIP/2.0", b"Subject  :  folded", b"  continued",
                                      b"\tagain", b"no colon", b"X-Nul: a\x00b", b"Via: x", body=b"hello")
    yield "bad_start_line.sip", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    yield "no_terminator.sip", b"OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\nTo: y"
    yield "keepalive.sip", b"\r\n\r\n"
    yield "stun_binding.bin", bytes.fromhex("000100002112a442") + bytes(12)


def mjr_record(pkt, ms=20, flags=0):
    return struct.pack("!HBB", len(pkt), ms, flags) + pkt


def mjr_input(codec, pkts, orient=0, fmtp=b"", medium_flip=False):
    return bytes([codec | (0x80 if medium_flip else 0), orient, len(fmtp)]) + fmtp + b"".join(pkts)


def mjr_seeds():
    opus = [rtp(pt=111, seq=100 + i, ts=960 * i, payload=b"\xfc" * 40) for i in range(3)]
    yield "opus_fmtp.bin", mjr_input(0, [mjr_record(p) for p in opus], fmtp=b"minptime=10;useinbandfec=1")
    vp8 = [mjr_record(rtp(pt=96, seq=7, ts=90000, payload=b"\x90\x80" + b"v" * 100)),
           mjr_record(rtp(pt=96, seq=8, ts=93000, ssrc=0x1234, marker=True), ms=33, flags=2),
           mjr_record(rtp(pt=96, seq=9, ts=96000, ssrc=0x1234, ext=(0xBEDE, b"\x30\x01\x00\x00")), ms=0, flags=1)]
    yield "vp8_orient_ssrc_change.bin", mjr_input(8, vp8, orient=3)
    h264 = [mjr_record(rtp(pt=102, payload=b"h" * 1388)), mjr_record(rtp(pt=102, payload=b"h" * 1489)),
            mjr_record(b"\x80\x00\x01"), mjr_record(b"\x40" + bytes(20)), mjr_record(rtp(pt=102, seq=1001))]
    yield "h264_sizes.bin", mjr_input(10, h264, fmtp=b"profile-level-id=42e01f;packetization-mode=1")
    yield "pcmu_upper_case_big.bin", mjr_input(2, [mjr_record(rtp(seq=i, ts=160 * i), flags=2 * (i % 2)) for i in range(40)])
    yield "text_codec_refused.bin", mjr_input(13, [mjr_record(rtp())])
    yield "medium_mismatch.bin", mjr_input(0, [mjr_record(rtp(pt=111))], medium_flip=True)
    yield "fmtp_not_utf8.bin", mjr_input(3, [mjr_record(rtp(pt=8)), mjr_record(rtp(pt=8, seq=1001))], fmtp=b"\xff\xfe")
    yield "fmtp_with_nul.bin", mjr_input(0, [mjr_record(rtp(pt=111))], fmtp=b"a\x00b")  # header refused
    yield "no_packets.bin", mjr_input(0, [])


def request_seeds():
    offer = (b'{"type":"offer","sdp":"v=0\\r\\no=- 1 1 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n'
             b'm=audio 9 UDP/TLS/RTP/SAVPF 111\\r\\nc=IN IP4 0.0.0.0\\r\\na=rtpmap:111 opus/48000/2\\r\\n"}')
    yield "register_guest.json", b'{"request":"register","type":"guest","username":"sip:alice@example.org","display_name":"A"}'
    yield "register_secret.json", (b'{"request":"REGISTER","username":"sip:bob@example.org","secret":"s",'
                                   b'"proxy":"sip:127.0.0.1:5999","headers":{"X-A":"1"},"contact_params":{"k":"v"},'
                                   b'"incoming_header_prefixes":["X-"],"register_ttl":60}')
    yield "register_conflict.json", b'{"request":"register","username":"sip:c@example.org","secret":"a","ha1_secret":"b"}'
    yield "register_bad_uri.json", b'{"request":"register","type":"guest","username":"alice"}'
    yield "register_helper.json", b'{"request":"register","type":"helper","username":"sip:h@example.org","master_id":12345}'
    yield "register_wrong_type.json", b'{"request":"register","username":42,"force_udp":true,"force_tcp":true}'
    yield "call_offer.json", b'{"request":"call","uri":"sip:bob@127.0.0.1","srtp":"sdes_optional"}\x00' + offer
    yield "call_no_jsep.json", b'{"request":"call","uri":"sip:bob@127.0.0.1"}'
    yield "accept.json", b'{"request":"accept","srtp":"sdes_mandatory","autoaccept_reinvites":false}\x00' + offer
    yield "decline.json", b'{"request":"decline","code":486,"refer_id":3}'
    yield "hangup.json", b'{"request":"hangup","headers":{"X-Why":"test"}}'
    yield "message_uri.json", b'{"request":"message","uri":"sip:bob@127.0.0.1","content":"hi","content_type":"text/plain"}'
    yield "info.json", b'{"request":"info","type":"application/x","content":"x"}'
    yield "dtmf_info.json", b'{"request":"dtmf_info","digit":"1","duration":100}'
    yield "subscribe.json", b'{"request":"subscribe","event":"presence","to":"sip:bob@127.0.0.1","subscribe_ttl":60}'
    yield "transfer.json", b'{"request":"transfer","uri":"sip:carol@127.0.0.1","replace":"abc"}'
    yield "recording.json", b'{"request":"recording","action":"start","audio":true,"peer_audio":true,"filename":"/tmp/x"}'
    yield "rtp_forward.json", b'{"request":"rtp_forward","host":"127.0.0.1","audio_port":5000,"srtp_suite":32}'
    yield "keyframe.json", b'{"request":"keyframe","user":true,"peer":true}'
    yield "hold.json", b'{"request":"hold","direction":"sendonly"}'
    yield "update.json", b'{"request":"update"}\x00' + offer
    yield "unknown.json", b'{"request":"nosuchthing"}'
    yield "request_not_string.json", b'{"request":true}'
    yield "not_an_object.json", b'[1,2,3]'
    yield "no_request.json", b'{"uri":"sip:x@y"}'


def raw_header():
    """A valid header for a 1-flow, 1-address region (offsets as in layout_test.cc)."""
    sizes = [2280, 20, 192, 128, 320, 192, 64, 64, 576, 1536] + [0] * 6
    h = bytearray(2280)
    total = 4096 * 8
    struct.pack_into("<QHHIQ", h, 0, 0x3130455441475052, 1, 1, 2280, total)  # layout 1.1
    struct.pack_into("<16I", h, 24, *sizes)
    struct.pack_into("<IHH", h, 136, 1, 20000, 20063)        # n_addrs, port_min, port_max
    struct.pack_into("<B3x4s", h, 144, 4, bytes([10, 0, 0, 1]))
    struct.pack_into("<IIII", h, 1424, 1, 1, 0, 0)           # flows, lcores, pkt rings
    struct.pack_into("<QQQQQQQ", h, 1440,
                     4096,          # off_flows
                     8192,          # off_flow_bitmap
                     8192 + 64,     # off_port_bitmap
                     1,             # port_bitmap_words_per_addr
                     12288,         # off_cmd_ring (capacity 16: 192 + 1024 bytes)
                     16384,         # off_cpl_ring
                     20480)         # off_lcore_stats
    struct.pack_into("<IIIIQ", h, 2008, 16, 16, 4, 16, 24576)  # capacities; evt ring (1.1)
    return bytes(h)


if __name__ == "__main__":
    main()
