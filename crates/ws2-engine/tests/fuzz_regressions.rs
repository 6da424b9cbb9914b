//! Regressions found by the fuzz targets in `fuzz/` (each crashing input is
//! also kept in that target's corpus, `fuzz/corpus/<target>/`).

use std::net::Ipv4Addr;

use ws2_engine::ReceivedControls;
use ws2_engine::translate::controls_from_linux;

/// Lays out cmsgs as the kernel's `put_cmsg` does in a buffer of
/// `controllen` bytes: a cmsg that does not fit whole is cut to the room
/// left (`cmsg_len` too) and `MSG_CTRUNC` set. The bytes past what the
/// kernel wrote stay `0x7f`, so reading them shows.
fn kernel_cmsgs(controllen: usize, cmsgs: &[(i32, i32, &[u8])]) -> ([u64; 16], usize) {
    let mut buf = [u64::from_ne_bytes([0x7f; 8]); 16];
    // SAFETY (test): a [u64; 16] is 128 plain bytes.
    let bytes: &mut [u8; 128] = unsafe { &mut *(&raw mut buf).cast() };
    let mut at = 0;
    for &(level, kind, data) in cmsgs {
        let room = controllen - at;
        if room < 16 {
            break;
        }
        let cmsg_len = (16 + data.len()).min(room);
        bytes[at..at + 8].copy_from_slice(&(cmsg_len as u64).to_ne_bytes());
        bytes[at + 8..at + 12].copy_from_slice(&level.to_ne_bytes());
        bytes[at + 12..at + 16].copy_from_slice(&kind.to_ne_bytes());
        bytes[at + 16..at + cmsg_len].copy_from_slice(&data[..cmsg_len - 16]);
        at += (16 + data.len().next_multiple_of(8)).min(room);
    }
    (buf, at)
}

fn decode(buf: &mut [u64; 16], used: usize) -> ReceivedControls {
    // SAFETY (test): msghdr is plain data; all-zero is an empty header.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_control = buf.as_mut_ptr().cast();
    msg.msg_controllen = used;
    // SAFETY (test): the buffer holds `used` bytes of cmsgs as the kernel
    // lays them out.
    unsafe { controls_from_linux(&msg, true, true) }
}

/// fuzz target `recv_control`, corpus `seed-v4_kernel_cut_pktinfo`:
/// `from_linux` read a whole `in_pktinfo` out of an `IP_PKTINFO` cmsg the
/// kernel had cut to 4 payload bytes, past `msg_controllen`, and reported
/// those bytes as the datagram's destination.
#[test]
fn kernel_cut_cmsgs_are_not_read_past_their_length() {
    // S27
    let ttl = 9i32.to_ne_bytes();
    let pktinfo = [1, 0, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1];
    let (mut buf, used) = kernel_cmsgs(
        24 + 20,
        &[
            (libc::SOL_IP, libc::IP_TTL, &ttl),
            (libc::SOL_IP, libc::IP_PKTINFO, &pktinfo),
        ],
    );
    assert_eq!(used, 44, "the kernel cut IP_PKTINFO to cmsg_len 20");
    let got = decode(&mut buf, used);
    assert_eq!(got.ttl, Some(9), "the whole cmsg before it still counts");
    assert_eq!(
        got.destination_v4, None,
        "a cut IP_PKTINFO carries no address"
    );

    // Whole, the same cmsg is read.
    let (mut buf, used) = kernel_cmsgs(128, &[(libc::SOL_IP, libc::IP_PKTINFO, &pktinfo)]);
    assert_eq!(
        decode(&mut buf, used).destination_v4,
        Some((Ipv4Addr::LOCALHOST, 1))
    );
}

#[test]
fn kernel_cut_int_cmsgs_carry_no_value() {
    // S27: IP_TOS cut to its header, IPV6_HOPLIMIT to 2 of its 4 bytes.
    for (level, kind, controllen) in [
        (libc::SOL_IP, libc::IP_TOS, 16),
        (libc::SOL_IPV6, libc::IPV6_HOPLIMIT, 18),
        (libc::SOL_IPV6, libc::IPV6_TCLASS, 19),
        (libc::SOL_IP, libc::IP_TTL, 17),
    ] {
        let (mut buf, used) = kernel_cmsgs(controllen, &[(level, kind, &64i32.to_ne_bytes())]);
        assert_eq!(used, controllen);
        assert_eq!(
            decode(&mut buf, used),
            ReceivedControls::default(),
            "level {level} type {kind} cut to {controllen} bytes"
        );
    }
}
