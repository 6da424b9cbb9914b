//! `UDP_SEND_MSG_SIZE` (S26): one call, several datagrams: UDP GSO in the
//! kernel, or one `sendmsg` per segment where the kernel refuses it.

use std::time::Instant;

use crate::error::{Error, Result};
use crate::ops::SendPlan;
use crate::socket::SocketCore;
use crate::translate::CmsgBuf;

use crate::socket::SendFailure;

use super::attempt::{send_one_waiting, wait_queue_empty};

/// Room a `UDP_SEGMENT` control message (a `u16`) takes in a `CmsgBuf`.
pub(super) const SEGMENT_CMSG_SPACE: usize = std::mem::size_of::<libc::cmsghdr>() + 8;

/// Most segments the kernel takes in one UDP GSO send.
const GSO_MAX_SEGMENTS: usize = 128;

/// `UDP_SEND_MSG_SIZE` (S26): the gathered buffer split into datagrams of
/// `segment` bytes. UDP GSO does it in the kernel, in several sends past
/// 128 segments. When the kernel refuses the GSO send (`EIO`, `EINVAL`) the
/// call goes on in user space (one `sendmsg` per segment); only if a plain
/// segment then goes out was it GSO that failed, and the socket segments in
/// user space for good. A segment that fails too (a non-local `IN6_PKTINFO`
/// source is `EINVAL` either way) fails the call with its own error and
/// leaves GSO alone. The caller sees one call and the total byte count.
pub(super) fn send_segmented(
    core: &SocketCore,
    plan: &SendPlan<'_>,
    deadline: Option<Instant>,
) -> Result<usize> {
    let segment = plan.segment.expect("a segmented plan") as usize;
    // Several kernel sends cannot be one queued operation: keep call order
    // (S34) by waiting until the sends queued before this one have left.
    wait_queue_empty(core, deadline)?;
    // SAFETY: the plan's iov describes iovlen iovecs valid for this call.
    let iov = unsafe { std::slice::from_raw_parts(plan.iov, plan.iovlen) };
    let total: usize = iov.iter().map(|v| v.iov_len).sum();
    if core.sends_to_port_zero(&plan.msghdr()) {
        // Windows takes the datagrams and drops them; Linux would refuse
        // GSO and each segment alike (EINVAL).
        return Ok(total);
    }
    let mut gso_failed = false;
    if !core.gso_refused() {
        match send_gso_chunks(core, plan, iov, total, segment, deadline) {
            Ok(n) => return Ok(n),
            Err(GsoFailure::Refused) => gso_failed = true,
            Err(GsoFailure::Other(e)) => return Err(e),
        }
    }
    send_segments_in_user_space(core, plan, iov, total, segment, deadline, || {
        if gso_failed {
            core.note_gso_refused();
        }
    })
}

enum GsoFailure {
    Refused,
    Other(Error),
}

fn send_gso_chunks(
    core: &SocketCore,
    plan: &SendPlan<'_>,
    iov: &[libc::iovec],
    total: usize,
    segment: usize,
    deadline: Option<Instant>,
) -> std::result::Result<usize, GsoFailure> {
    let chunk = segment * GSO_MAX_SEGMENTS;
    let mut cmsg = CmsgBuf::default();
    cmsg.copy_from(plan.cmsg);
    cmsg.push_segment_size(segment as u16);
    let mut sent = 0;
    let mut pieces = Vec::new();
    while sent < total {
        let len = chunk.min(total - sent);
        pieces.clear();
        slice_iov(iov, sent, len, &mut pieces);
        let mut msg = plan.msghdr();
        msg.msg_iov = pieces.as_mut_ptr();
        msg.msg_iovlen = pieces.len();
        msg.msg_control = cmsg.as_ptr() as *mut libc::c_void;
        msg.msg_controllen = cmsg.len();
        match core.try_sendmsg(&msg, plan.flags) {
            Ok(n) => sent += n,
            Err(SendFailure::Errno(libc::EIO | libc::EINVAL)) if sent == 0 => {
                return Err(GsoFailure::Refused);
            }
            Err(SendFailure::Errno(e)) => {
                return Err(GsoFailure::Other(core.send_error(e, plan.cmsg)));
            }
            Err(SendFailure::WouldBlock) => match send_one_waiting(core, &msg, plan, deadline) {
                Ok(Some(n)) => sent += n,
                Ok(None) => wait_queue_empty(core, deadline).map_err(GsoFailure::Other)?,
                Err(e) => return Err(GsoFailure::Other(e)),
            },
        }
    }
    Ok(sent)
}

fn send_segments_in_user_space(
    core: &SocketCore,
    plan: &SendPlan<'_>,
    iov: &[libc::iovec],
    total: usize,
    segment: usize,
    deadline: Option<Instant>,
    first_sent: impl FnOnce(),
) -> Result<usize> {
    let mut sent = 0;
    let mut pieces = Vec::new();
    let mut first_sent = Some(first_sent);
    while sent < total {
        let len = segment.min(total - sent);
        pieces.clear();
        slice_iov(iov, sent, len, &mut pieces);
        let mut msg = plan.msghdr();
        msg.msg_iov = pieces.as_mut_ptr();
        msg.msg_iovlen = pieces.len();
        match send_one_waiting(core, &msg, plan, deadline)? {
            Some(n) => {
                sent += n;
                if let Some(f) = first_sent.take() {
                    f();
                }
            }
            None => wait_queue_empty(core, deadline)?,
        }
    }
    Ok(sent)
}

/// The iovecs covering bytes `start..start + len` of `iov`.
fn slice_iov(iov: &[libc::iovec], start: usize, len: usize, out: &mut Vec<libc::iovec>) {
    let (mut skip, mut want) = (start, len);
    for v in iov {
        if want == 0 {
            break;
        }
        if skip >= v.iov_len {
            skip -= v.iov_len;
            continue;
        }
        let take = (v.iov_len - skip).min(want);
        out.push(libc::iovec {
            // SAFETY: skip < iov_len: the pointer stays inside this buffer.
            iov_base: unsafe { v.iov_base.cast::<u8>().add(skip) }.cast(),
            iov_len: take,
        });
        want -= take;
        skip = 0;
    }
}

#[cfg(test)]
mod tests {
    use std::io::IoSlice;
    use std::net::{Ipv6Addr, SocketAddr, UdpSocket};
    use std::sync::Arc;

    use ws2_abi as abi;

    use crate::socket::{Message, SendFlags, SocketCore, SocketKind};
    use crate::translate::{ControlMessage, Family};

    #[test]
    fn a_datagram_refused_for_its_own_sake_leaves_gso_alone() {
        // S23 S26: Linux refuses a non-local IN6_PKTINFO source with EINVAL,
        // the error it also gives for a GSO send it cannot do. The send is
        // WSAEINVAL (S23) and later segmented sends still go through GSO.
        let rx = UdpSocket::bind("[::1]:0").unwrap();
        let to: SocketAddr = rx.local_addr().unwrap();
        let core = Arc::new(SocketCore::new(Family::V6, SocketKind::Datagram, 0, true).unwrap());
        let data = [7u8; 3000];
        let bufs = [IoSlice::new(&data)];
        let foreign = [
            ControlMessage::SegmentSize(1000),
            ControlMessage::SourceV6 {
                addr: "2001:db8::1".parse::<Ipv6Addr>().unwrap(),
                ifindex: 0,
            },
        ];
        let err = core
            .send_message(
                &Message::new(&bufs).to(to).control(&foreign),
                SendFlags::NONE,
            )
            .unwrap_err();
        assert_eq!(err.code(), abi::WSAEINVAL, "{err}");
        assert!(!core.gso_refused());
        let segmented = [ControlMessage::SegmentSize(1000)];
        let msg = Message::new(&bufs).to(to).control(&segmented);
        assert_eq!(core.send_message(&msg, SendFlags::NONE).unwrap(), 3000);
        assert!(!core.gso_refused());
        let mut buf = [0u8; 2000];
        for _ in 0..3 {
            assert_eq!(rx.recv(&mut buf).unwrap(), 1000);
        }
    }
}
