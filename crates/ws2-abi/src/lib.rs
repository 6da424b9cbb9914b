//! Winsock's ABI as 64-bit Windows lays it out: `#[repr(C)]` types, constants with
//! their Windows numbers, and the pure rules around them (walking `WSACMSGHDR`
//! entries the way `WSA_CMSG_NXTHDR` does, mapping Linux `errno` and NTSTATUS
//! values to Winsock codes). No I/O happens here.
//!
//! Names are the Windows names on purpose: a reader holding the Windows
//! documentation finds every field where it expects it.
#![allow(non_camel_case_types, non_snake_case, clippy::upper_case_acronyms)]

#[cfg(not(target_os = "linux"))]
compile_error!(
    "ws2-linux-abi supports Linux only: its error mappings are Linux's errno and glibc's EAI_* values"
);

pub mod addrstr;
pub mod cmsg;
pub mod consts;
pub mod errors;
pub mod ifioctl;
#[allow(non_upper_case_globals)]
pub mod iphlpapi;
pub mod memory;
pub mod messages;
pub mod mswsock;
pub mod multicast;
pub mod ntstatus;
pub mod readiness;
pub mod resolve;
pub mod stream;
pub mod types;
pub mod win32;

pub use cmsg::*;
pub use consts::*;
pub use errors::*;
pub use ifioctl::*;
pub use iphlpapi::*;
pub use memory::*;
pub use mswsock::*;
pub use multicast::*;
pub use ntstatus::*;
pub use readiness::*;
pub use resolve::*;
pub use stream::*;
pub use types::*;
pub use win32::*;
