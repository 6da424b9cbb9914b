//! The seed corpus of `wsamsg_capi`, written by `examples/write_seeds.rs`.

use std::net::Ipv6Addr;

use ws2_abi::*;

use super::*;

/// Seeds: valid sends with each control message Windows senders pass
/// (`IN_PKTINFO`, `IN6_PKTINFO`, `IP_TOS`, `IP_ECN`, `IP_TTL`,
/// `IPV6_TCLASS`, `IPV6_HOPLIMIT`, `UDP_SEND_MSG_SIZE`) on each kind of
/// socket, each S6–S22 error, truncated and lying control headers, names
/// too short, NULL pointers with lengths, buffers that run past their data
/// or point at nothing, counts that lie, and receives into control and
/// name buffers of every interesting size.
pub fn seeds() -> crate::Seeds {
    let (s4, s6, s46, s4c, s6c, s4n) = (0u8, 1u8, 2u8, 3u8, 4u8, 5u8);
    let (r4, r6) = (0u8, 1u8);
    let to4 = sockaddr_in(PORT_V4, [127, 0, 0, 1]);
    let to6 = sockaddr_in6(PORT_V6, Ipv6Addr::LOCALHOST.octets());
    let to_mapped = sockaddr_in6(
        PORT_V6,
        "::ffff:127.0.0.1".parse::<Ipv6Addr>().unwrap().octets(),
    );
    let to4_dual = sockaddr_in(PORT_V6, [127, 0, 0, 1]);
    let int = |v: i32| v.to_ne_bytes().to_vec();
    let pktinfo4 = |a: [u8; 4]| [&a[..], &0u32.to_ne_bytes()].concat();
    let pktinfo6 = |a: std::net::Ipv6Addr| [&a.octets()[..], &0u32.to_ne_bytes()].concat();
    let controls = |msgs: &[(i32, i32, Vec<u8>)]| {
        let mut b = Vec::new();
        for (level, kind, data) in msgs {
            push_control(&mut b, *level, *kind, data);
        }
        b
    };
    let send = |sock: u8, to: Option<&Vec<u8>>, control: Option<Vec<u8>>| Call {
        op: SEND_MSG | sock << 2,
        namelen: to.map_or(0, |t| t.len() as i32),
        name: to.cloned(),
        control_len: control.as_ref().map_or(0, |c| c.len() as u16),
        control,
        count: 1,
        buffers: vec![(BUF_PAYLOAD, 0, 64)],
        payload: vec![b'x'; 64],
        ..Call::default()
    };
    let recv = |sock: u8, control_len: u16, namelen: i32| Call {
        op: RECV_MSG | sock << 2,
        namelen,
        name: Some(vec![]),
        control_len,
        control: Some(vec![]),
        count: 1,
        buffers: vec![(BUF_PAYLOAD, 0, 256)],
        payload: vec![0; 256],
        dgram_len: 100,
        tos: 0xb9,
        ..Call::default()
    };
    let with = |mut c: Call, f: &dyn Fn(&mut Call)| {
        f(&mut c);
        c
    };
    let mut cases: Vec<(&str, Call)> = vec![
        ("send_v4", send(s4, Some(&to4), None)),
        (
            "send_v4_in_pktinfo",
            send(
                s4,
                Some(&to4),
                Some(controls(&[(
                    IPPROTO_IP,
                    IP_PKTINFO,
                    pktinfo4([127, 0, 0, 2]),
                )])),
            ),
        ),
        (
            "send_v4_in_pktinfo_not_local",
            send(
                s4,
                Some(&to4),
                Some(controls(&[(
                    IPPROTO_IP,
                    IP_PKTINFO,
                    pktinfo4([10, 9, 9, 9]),
                )])),
            ),
        ),
        (
            "send_v4_tos_ecn_ttl",
            send(
                s4,
                Some(&to4),
                Some(controls(&[
                    (IPPROTO_IP, IP_TOS, int(0xb8)),
                    (IPPROTO_IP, IP_ECN, int(1)),
                    (IPPROTO_IP, IP_TTL, int(9)),
                ])),
            ),
        ),
        (
            "send_v4_ecn_ce",
            send(
                s4,
                Some(&to4),
                Some(controls(&[(IPPROTO_IP, IP_ECN, int(3))])),
            ),
        ),
        (
            "send_v4_gso",
            with(
                send(
                    s4,
                    Some(&to4),
                    Some(controls(&[(
                        IPPROTO_UDP,
                        UDP_SEND_MSG_SIZE,
                        100u32.to_ne_bytes().to_vec(),
                    )])),
                ),
                &|c| {
                    c.buffers = vec![(BUF_PAYLOAD, 0, 700), (BUF_PAYLOAD, 700, 300)];
                    c.count = 2;
                    c.payload = vec![b'g'; 1000];
                },
            ),
        ),
        (
            "send_v6_in6_pktinfo_tclass_hops_ecn",
            send(
                s6,
                Some(&to6),
                Some(controls(&[
                    (IPPROTO_IPV6, IPV6_PKTINFO, pktinfo6(Ipv6Addr::LOCALHOST)),
                    (IPPROTO_IPV6, IPV6_TCLASS, int(0xb8)),
                    (IPPROTO_IPV6, IPV6_HOPLIMIT, int(3)),
                    (IPPROTO_IPV6, IPV6_ECN, int(2)),
                ])),
            ),
        ),
        (
            "send_dual_mapped_both_pktinfos",
            send(
                s46,
                Some(&to_mapped),
                Some(controls(&[
                    (IPPROTO_IP, IP_PKTINFO, pktinfo4([127, 0, 0, 1])),
                    (IPPROTO_IPV6, IPV6_PKTINFO, pktinfo6(Ipv6Addr::LOCALHOST)),
                ])),
            ),
        ),
        ("send_dual_af_inet_name", send(s46, Some(&to4_dual), None)),
        ("send_v6only_af_inet_name", send(s6, Some(&to4), None)),
        ("send_v4_af_inet6_name", send(s4, Some(&to6), None)),
        (
            "send_v4_in6_pktinfo",
            send(
                s4,
                Some(&to4),
                Some(controls(&[(
                    IPPROTO_IPV6,
                    IPV6_PKTINFO,
                    pktinfo6(Ipv6Addr::LOCALHOST),
                )])),
            ),
        ),
        ("send_connected_no_name", send(s4c, None, None)),
        ("send_connected_v6_no_name", send(s6c, None, None)),
        ("send_unconnected_no_name", send(s4, None, None)),
        (
            "send_null_name_with_len",
            with(send(s4, None, None), &|c| c.namelen = 16),
        ),
        (
            "send_namelen_8",
            with(send(s4, Some(&to4), None), &|c| c.namelen = 8),
        ),
        (
            "send_namelen_27_v6",
            with(send(s6, Some(&to6), None), &|c| c.namelen = 27),
        ),
        (
            "send_namelen_negative",
            with(send(s4, Some(&to4), None), &|c| c.namelen = -1),
        ),
        (
            "send_namelen_storage",
            with(send(s4, Some(&to4), None), &|c| c.namelen = 128),
        ),
        (
            "send_msg_null",
            with(send(s4, Some(&to4), None), &|c| c.opts = MSG_NULL),
        ),
        (
            "send_bytes_null",
            with(send(s4, Some(&to4), None), &|c| c.opts = BYTES_NULL),
        ),
        (
            "send_overlapped",
            with(send(s4, Some(&to4), None), &|c| {
                c.opts = OVERLAPPED | BYTES_NULL
            }),
        ),
        (
            "send_overlapped_low_bit",
            with(send(s46, Some(&to_mapped), None), &|c| {
                c.opts = OVERLAPPED | EVENT_LOW_BIT
            }),
        ),
        (
            "send_overlapped_not_capable",
            with(send(s4n, Some(&to4), None), &|c| c.opts = OVERLAPPED),
        ),
        (
            "send_overlapped_fails",
            with(send(s4, Some(&to6), None), &|c| c.opts = OVERLAPPED),
        ),
        (
            "send_control_null_with_len",
            with(send(s4, Some(&to4), None), &|c| c.control_len = 24),
        ),
        (
            "send_control_15_bytes",
            send(s4, Some(&to4), Some(vec![0xff; 15])),
        ),
        (
            "send_control_header_cut",
            with(
                send(
                    s4,
                    Some(&to4),
                    Some(controls(&[(IPPROTO_IP, IP_TTL, int(3))])),
                ),
                &|c| c.control_len = 12,
            ),
        ),
        (
            "send_control_len_lies",
            with(
                send(
                    s4,
                    Some(&to4),
                    Some(controls(&[(IPPROTO_IP, IP_TTL, int(3))])),
                ),
                &|c| {
                    c.control.as_mut().unwrap()[..8].copy_from_slice(&4096u64.to_ne_bytes());
                },
            ),
        ),
        (
            "send_control_unpadded_last",
            with(
                send(
                    s6,
                    Some(&to6),
                    Some(controls(&[(
                        IPPROTO_IPV6,
                        IPV6_PKTINFO,
                        pktinfo6(Ipv6Addr::LOCALHOST),
                    )])),
                ),
                &|c| c.control_len = 36,
            ),
        ),
        (
            "send_flags_peek",
            with(send(s4, Some(&to4), None), &|c| c.flags = MSG_PEEK),
        ),
        (
            "send_flags_oob",
            with(send(s4, Some(&to4), None), &|c| c.flags = MSG_OOB),
        ),
        (
            "send_flags_dontroute",
            with(send(s4, Some(&to4), None), &|c| c.flags = MSG_DONTROUTE),
        ),
        (
            "send_zero_buffers",
            with(send(s4, Some(&to4), None), &|c| c.count = 0),
        ),
        (
            "send_null_buf_with_len",
            with(send(s4, Some(&to4), None), &|c| {
                c.buffers = vec![(BUF_NULL, 0, 5)]
            }),
        ),
        (
            "send_len_past_data",
            with(send(s4, Some(&to4), None), &|c| {
                c.buffers = vec![(BUF_PAYLOAD, 60, 4096)]
            }),
        ),
        (
            "send_buf_unmapped",
            with(send(s4, Some(&to4), None), &|c| {
                c.buffers = vec![(BUF_UNMAPPED, 1, 10)]
            }),
        ),
        (
            "send_len_too_big",
            with(send(s4, Some(&to4), None), &|c| {
                c.buffers = vec![(BUF_PAYLOAD, 0, 65508)]
            }),
        ),
        (
            "send_16_buffers",
            with(send(s4, Some(&to4), None), &|c| c.count = 16),
        ),
        (
            "send_17_buffers",
            with(send(s4, Some(&to4), None), &|c| {
                c.count = 17;
                c.present = 17;
                c.buffers = vec![(BUF_PAYLOAD, 0, 3)]
            }),
        ),
        (
            "send_count_17_array_of_1",
            with(send(s4, Some(&to4), None), &|c| {
                c.count = 17;
                c.present = 1
            }),
        ),
        (
            "send_count_7fffffff",
            with(send(s4, Some(&to4), None), &|c| {
                c.count = 0x7fff_ffff;
                c.present = 1
            }),
        ),
        (
            "send_count_fffffff0",
            with(send(s4, Some(&to4), None), &|c| {
                c.count = 0xffff_fff0;
                c.present = 1
            }),
        ),
        (
            "send_1100_buffers",
            with(send(s4, Some(&to4), None), &|c| {
                c.count = 1100;
                c.present = 1100;
                c.buffers = vec![(BUF_PAYLOAD, 0, 1)]
            }),
        ),
        (
            "send_broadcast",
            send(s4, Some(&sockaddr_in(9, [255; 4])), None),
        ),
        (
            "send_unreachable",
            send(s4, Some(&sockaddr_in(9, [192, 0, 2, 1])), None),
        ),
        (
            "sendto_v4",
            with(send(s4, Some(&to4), None), &|c| c.op = SEND_TO | s4 << 2),
        ),
        (
            "sendto_dual_mapped",
            with(send(s46, Some(&to_mapped), None), &|c| {
                c.op = SEND_TO | s46 << 2
            }),
        ),
        (
            "sendto_namelen_short",
            with(send(s4, Some(&to4), None), &|c| {
                c.op = SEND_TO | s4 << 2;
                c.namelen = 15
            }),
        ),
        (
            "sendto_no_name_unconnected",
            with(send(s4, None, None), &|c| c.op = SEND_TO | s4 << 2),
        ),
        (
            "wsasend_connected",
            with(send(s4c, None, None), &|c| c.op = SEND | s4c << 2),
        ),
        (
            "wsasend_overlapped",
            with(send(s6c, None, None), &|c| {
                c.op = SEND | s6c << 2;
                c.opts = OVERLAPPED
            }),
        ),
        ("recv_v4_all_controls", recv(r4, 256, 16)),
        ("recv_v4_control_20", recv(r4, 20, 16)),
        ("recv_v4_control_exact", recv(r4, 24 * 4, 16)),
        (
            "recv_v4_no_control",
            with(recv(r4, 0, 16), &|c| c.control = None),
        ),
        (
            "recv_control_null_with_len",
            with(recv(r4, 64, 16), &|c| c.control = None),
        ),
        ("recv_name_8", recv(r4, 256, 8)),
        ("recv_name_null", with(recv(r4, 256, 0), &|c| c.name = None)),
        ("recv_dual_v4_peer", recv(r6, 256, 28)),
        (
            "recv_dual_v6_peer",
            with(recv(r6, 256, 28), &|c| c.opts = PEER_V6),
        ),
        (
            "recv_dual_name_16",
            with(recv(r6, 256, 16), &|c| c.opts = PEER_V6),
        ),
        (
            "recv_truncated_data",
            with(recv(r4, 256, 16), &|c| {
                c.buffers = vec![(BUF_PAYLOAD, 0, 10)]
            }),
        ),
        (
            "recv_buf_unmapped",
            with(recv(r4, 256, 16), &|c| {
                c.buffers = vec![(BUF_UNMAPPED, 3, 100)]
            }),
        ),
        (
            "recv_len_past_data",
            with(recv(r4, 256, 16), &|c| {
                c.buffers = vec![(BUF_PAYLOAD, 250, 100)]
            }),
        ),
        (
            "recv_overlapped",
            with(recv(r4, 256, 16), &|c| c.opts = OVERLAPPED),
        ),
        (
            "recv_overlapped_truncated",
            with(recv(r4, 256, 16), &|c| {
                c.opts = OVERLAPPED;
                c.buffers = vec![(BUF_PAYLOAD, 0, 10)];
            }),
        ),
        (
            "recv_msg_null",
            with(recv(r4, 256, 16), &|c| c.opts = MSG_NULL),
        ),
        (
            "recv_count_lies",
            with(recv(r4, 256, 16), &|c| {
                c.count = 0x7fff_ffff;
                c.present = 1
            }),
        ),
        (
            "recv_zero_buffers",
            with(recv(r4, 256, 16), &|c| c.count = 0),
        ),
    ];
    cases.sort_by_key(|(name, _)| *name);
    cases
        .into_iter()
        .map(|(name, call)| (name.to_string(), call.encode()))
        .collect()
}
