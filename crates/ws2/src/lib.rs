//! Winsock's `WSASendMsg` and the machinery around it, on Linux, with
//! Windows-exact behaviour: the safe Rust API over `ws2-engine`.
#![deny(unsafe_op_in_unsafe_fn)]

pub use ws2_engine::*;
