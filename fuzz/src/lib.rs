//! ws2's fuzz targets, as library functions: each `fuzz_targets/<name>.rs`
//! hands libFuzzer's bytes to `<name>::run`, and `examples/write_seeds.rs`
//! writes each target's seed corpus with the same module's encoder, so a
//! seed says in code which shape it is.
//!
//! One concern per target, each calling the narrowest function of ws2 that
//! covers its class of input:
//! - [`cmsg_walk`] — a Windows control buffer → `WSA_CMSG_*` walk →
//!   validation (S22, S26) → Linux cmsgs;
//! - [`wsamsg_capi`] — `WSASendMsg`/`WSASendTo`/`WSASend`/`WSARecvMsg`
//!   through the C ABI on loopback sockets, every caller buffer ending at a
//!   `PROT_NONE` page;
//! - [`sockaddr`] — Windows `SOCKADDR`s ↔ `SocketAddr` ↔ Linux `sockaddr`s;
//! - [`recv_control`] — Linux cmsgs as `recvmsg` leaves them → Windows
//!   `WSACMSGHDR`s in a caller buffer of any length (S27, `MSG_CTRUNC`).
#![deny(unsafe_op_in_unsafe_fn)]

pub mod cmsg_walk;
pub mod guarded;
pub mod input;
pub mod recv_control;
pub mod sockaddr;
pub mod wsamsg_capi;

/// A target's seed corpus: (shape name, input bytes).
pub type Seeds = Vec<(String, Vec<u8>)>;

/// Makes a target's seed corpus.
pub type SeedWriter = fn() -> Seeds;

/// Every target's name and seed writer (`examples/write_seeds.rs`).
pub const TARGETS: &[(&str, SeedWriter)] = &[
    ("cmsg_walk", cmsg_walk::seeds),
    ("wsamsg_capi", wsamsg_capi::seeds),
    ("sockaddr", sockaddr::seeds),
    ("recv_control", recv_control::seeds),
];
