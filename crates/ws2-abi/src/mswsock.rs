//! The Microsoft extension functions of `mswsock.h` for stream sockets
//! (SPEC P8, part 2): their GUIDs (`WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)`),
//! the options that finish an `AcceptEx`/`ConnectEx` socket, and the
//! `TransmitFile`/`DisconnectEx` flags (research-streams.md 0.2, 0.4).

use std::ffi::c_void;

use crate::types::GUID;

/// `WSAID_ACCEPTEX` = `b5367df1-cbac-11cf-95ca-00805f48a192`.
pub const WSAID_ACCEPTEX: GUID = GUID {
    Data1: 0xb5367df1,
    Data2: 0xcbac,
    Data3: 0x11cf,
    Data4: [0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92],
};
/// `WSAID_GETACCEPTEXSOCKADDRS` = `b5367df2-cbac-11cf-95ca-00805f48a192`.
pub const WSAID_GETACCEPTEXSOCKADDRS: GUID = GUID {
    Data1: 0xb5367df2,
    ..WSAID_ACCEPTEX
};
/// `WSAID_TRANSMITFILE` = `b5367df0-cbac-11cf-95ca-00805f48a192`.
pub const WSAID_TRANSMITFILE: GUID = GUID {
    Data1: 0xb5367df0,
    ..WSAID_ACCEPTEX
};
/// `WSAID_CONNECTEX` = `25a207b9-ddf3-4660-8ee9-76e58c74063e`.
pub const WSAID_CONNECTEX: GUID = GUID {
    Data1: 0x25a207b9,
    Data2: 0xddf3,
    Data3: 0x4660,
    Data4: [0x8e, 0xe9, 0x76, 0xe5, 0x8c, 0x74, 0x06, 0x3e],
};
/// `WSAID_DISCONNECTEX` = `7fda2e11-8630-436f-a031-f536a6eec157`.
pub const WSAID_DISCONNECTEX: GUID = GUID {
    Data1: 0x7fda2e11,
    Data2: 0x8630,
    Data3: 0x436f,
    Data4: [0xa0, 0x31, 0xf5, 0x36, 0xa6, 0xee, 0xc1, 0x57],
};
/// `WSAID_TRANSMITPACKETS` = `d9689da0-1f90-11d3-9971-00c04f68c876`.
pub const WSAID_TRANSMITPACKETS: GUID = GUID {
    Data1: 0xd9689da0,
    Data2: 0x1f90,
    Data3: 0x11d3,
    Data4: [0x99, 0x71, 0x00, 0xc0, 0x4f, 0x68, 0xc8, 0x76],
};

/// `SO_UPDATE_ACCEPT_CONTEXT`: optval is the listening `SOCKET`.
pub const SO_UPDATE_ACCEPT_CONTEXT: i32 = 0x700B;
/// `SO_UPDATE_CONNECT_CONTEXT`: optval NULL, optlen 0.
pub const SO_UPDATE_CONNECT_CONTEXT: i32 = 0x7010;

/// `TransmitFile`/`TransmitPackets`/`DisconnectEx` flags.
pub const TF_DISCONNECT: u32 = 0x01;
pub const TF_REUSE_SOCKET: u32 = 0x02;
pub const TF_WRITE_BEHIND: u32 = 0x04;

/// `TransmitPackets` element flags.
pub const TP_ELEMENT_MEMORY: u32 = 1;
pub const TP_ELEMENT_FILE: u32 = 2;
pub const TP_ELEMENT_EOP: u32 = 4;

/// The most bytes one `TransmitFile`/`TransmitPackets` call sends
/// (Microsoft's pages: 2,147,483,646).
pub const TRANSMIT_MAX: u64 = 2_147_483_646;

/// `TRANSMIT_FILE_BUFFERS`: data sent before and after the file.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TRANSMIT_FILE_BUFFERS {
    pub Head: *mut c_void,
    pub HeadLength: u32,
    pub Tail: *mut c_void,
    pub TailLength: u32,
}

/// `TRANSMIT_PACKETS_ELEMENT`: a memory buffer (`pBuffer`, in the union's
/// first 8 bytes) or a part of a file (`nFileOffset`, `hFile`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TRANSMIT_PACKETS_ELEMENT {
    pub dwElFlags: u32,
    pub cLength: u32,
    /// `nFileOffset` for a file element, `pBuffer` for a memory one.
    pub nFileOffset_or_pBuffer: u64,
    pub hFile: *mut c_void,
}

/// How many bytes an `AcceptEx` address slot holds beyond the address
/// (Microsoft's `AcceptEx` page: "at least 16 bytes more than the maximum
/// address length for the transport protocol").
pub const ACCEPTEX_SLOT_EXTRA: u32 = 16;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transmit_layouts_are_windows_x64() {
        // P8: research-streams.md 0.3 (x86-64 offsets and sizes).
        use std::mem::{align_of, offset_of, size_of};
        assert_eq!(size_of::<TRANSMIT_FILE_BUFFERS>(), 32);
        assert_eq!(offset_of!(TRANSMIT_FILE_BUFFERS, HeadLength), 8);
        assert_eq!(offset_of!(TRANSMIT_FILE_BUFFERS, Tail), 16);
        assert_eq!(offset_of!(TRANSMIT_FILE_BUFFERS, TailLength), 24);
        assert_eq!(size_of::<TRANSMIT_PACKETS_ELEMENT>(), 24);
        assert_eq!(align_of::<TRANSMIT_PACKETS_ELEMENT>(), 8);
        assert_eq!(offset_of!(TRANSMIT_PACKETS_ELEMENT, cLength), 4);
        assert_eq!(
            offset_of!(TRANSMIT_PACKETS_ELEMENT, nFileOffset_or_pBuffer),
            8
        );
        assert_eq!(offset_of!(TRANSMIT_PACKETS_ELEMENT, hFile), 16);
    }

    #[test]
    fn guids_are_the_documented_ones() {
        // P8: research-streams.md 0.4 (the SDK's mswsock.h); WSAID_ACCEPTEX in memory.
        let g = WSAID_ACCEPTEX;
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&g.Data1.to_le_bytes());
        bytes.extend_from_slice(&g.Data2.to_le_bytes());
        bytes.extend_from_slice(&g.Data3.to_le_bytes());
        bytes.extend_from_slice(&g.Data4);
        assert_eq!(
            bytes,
            [
                0xF1, 0x7D, 0x36, 0xB5, 0xAC, 0xCB, 0xCF, 0x11, 0x95, 0xCA, 0x00, 0x80, 0x5F, 0x48,
                0xA1, 0x92
            ]
        );
        assert_eq!(WSAID_GETACCEPTEXSOCKADDRS.Data1, 0xb5367df2);
        assert_eq!(WSAID_GETACCEPTEXSOCKADDRS.Data4, WSAID_ACCEPTEX.Data4);
        assert_eq!(WSAID_TRANSMITFILE.Data2, 0xcbac);
        assert_eq!(WSAID_CONNECTEX.Data4[7], 0x3e);
        assert_eq!(WSAID_DISCONNECTEX.Data3, 0x436f);
        assert_eq!(WSAID_TRANSMITPACKETS.Data1, 0xd9689da0);
    }
}
