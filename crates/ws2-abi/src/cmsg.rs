//! The `WSA_CMSG_*` layout rules and a walker over a control buffer that
//! visits exactly the entries `WSA_CMSG_FIRSTHDR`/`WSA_CMSG_NXTHDR` visit,
//! validating each one (S22). It never reads outside the slice it is given.

use crate::types::WSACMSGHDR;

/// `TYPE_ALIGNMENT(WSACMSGHDR)` and `MAX_NATURAL_ALIGNMENT` on 64-bit Windows.
pub const WSA_CMSG_ALIGNMENT: usize = 8;
/// Size of a `WSACMSGHDR`.
pub const WSA_CMSG_HDR_SIZE: usize = core::mem::size_of::<WSACMSGHDR>();

/// `WSA_CMSGHDR_ALIGN(len)`.
pub const fn wsa_cmsghdr_align(len: usize) -> usize {
    (len + WSA_CMSG_ALIGNMENT - 1) & !(WSA_CMSG_ALIGNMENT - 1)
}

/// `WSA_CMSGDATA_ALIGN(len)`.
pub const fn wsa_cmsgdata_align(len: usize) -> usize {
    wsa_cmsghdr_align(len)
}

/// `WSA_CMSG_LEN(len)`: header plus unpadded payload.
pub const fn wsa_cmsg_len(len: usize) -> usize {
    wsa_cmsgdata_align(WSA_CMSG_HDR_SIZE) + len
}

/// `WSA_CMSG_SPACE(len)`: header plus payload padded to the alignment.
pub const fn wsa_cmsg_space(len: usize) -> usize {
    wsa_cmsgdata_align(WSA_CMSG_HDR_SIZE + wsa_cmsghdr_align(len))
}

/// One control message found by [`ControlWalker`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ControlEntry<'a> {
    /// Byte offset of the header inside the control buffer.
    pub offset: usize,
    pub level: i32,
    pub kind: i32,
    /// The payload: `cmsg_len - WSA_CMSG_LEN(0)` bytes after the header.
    pub data: &'a [u8],
}

/// Why an entry of a control buffer is malformed (both are `WSAEINVAL`, S22).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControlError {
    /// `cmsg_len` is smaller than a `WSACMSGHDR`.
    LengthBelowHeader { offset: usize, cmsg_len: usize },
    /// `cmsg_len` runs past the end of `Control.len`.
    LengthPastEnd {
        offset: usize,
        cmsg_len: usize,
        control_len: usize,
    },
}

impl core::fmt::Display for ControlError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            ControlError::LengthBelowHeader { offset, cmsg_len } => write!(
                f,
                "control message at offset {offset}: cmsg_len {cmsg_len} is smaller than a WSACMSGHDR ({WSA_CMSG_HDR_SIZE} bytes)"
            ),
            ControlError::LengthPastEnd {
                offset,
                cmsg_len,
                control_len,
            } => write!(
                f,
                "control message at offset {offset}: cmsg_len {cmsg_len} runs past Control.len {control_len}"
            ),
        }
    }
}

/// Iterates the entries of a Windows control buffer. After the first error it
/// yields nothing more.
#[derive(Clone, Debug)]
pub struct ControlWalker<'a> {
    buf: &'a [u8],
    next: Option<usize>,
}

impl<'a> ControlWalker<'a> {
    /// `WSA_CMSG_FIRSTHDR`: the first header exists when the buffer holds at
    /// least one whole header.
    pub fn new(buf: &'a [u8]) -> Self {
        let next = (buf.len() >= WSA_CMSG_HDR_SIZE).then_some(0);
        ControlWalker { buf, next }
    }
}

fn read_header(bytes: &[u8]) -> WSACMSGHDR {
    // The caller's buffer need not be aligned: read field by field.
    let len = u64::from_ne_bytes(bytes[0..8].try_into().expect("8 bytes"));
    WSACMSGHDR {
        cmsg_len: usize::try_from(len).unwrap_or(usize::MAX),
        cmsg_level: i32::from_ne_bytes(bytes[8..12].try_into().expect("4 bytes")),
        cmsg_type: i32::from_ne_bytes(bytes[12..16].try_into().expect("4 bytes")),
    }
}

impl<'a> Iterator for ControlWalker<'a> {
    type Item = Result<ControlEntry<'a>, ControlError>;

    fn next(&mut self) -> Option<Self::Item> {
        let offset = self.next.take()?;
        let header = read_header(&self.buf[offset..offset + WSA_CMSG_HDR_SIZE]);
        let cmsg_len = header.cmsg_len;
        if cmsg_len < WSA_CMSG_HDR_SIZE {
            return Some(Err(ControlError::LengthBelowHeader { offset, cmsg_len }));
        }
        let remaining = self.buf.len() - offset;
        if cmsg_len > remaining {
            return Some(Err(ControlError::LengthPastEnd {
                offset,
                cmsg_len,
                control_len: self.buf.len(),
            }));
        }
        // WSA_CMSG_NXTHDR: the next header starts at the aligned length and
        // must fit whole; shorter trailing bytes are ignored.
        let next = offset + wsa_cmsghdr_align(cmsg_len);
        if next
            .checked_add(WSA_CMSG_HDR_SIZE)
            .is_some_and(|end| end <= self.buf.len())
        {
            self.next = Some(next);
        }
        Some(Ok(ControlEntry {
            offset,
            level: header.cmsg_level,
            kind: header.cmsg_type,
            data: &self.buf[offset + wsa_cmsgdata_align(WSA_CMSG_HDR_SIZE)..offset + cmsg_len],
        }))
    }
}

/// Appends one Windows-layout control message (header with the unpadded
/// `cmsg_len`, payload, zero padding up to `WSA_CMSG_SPACE`) to `out`.
/// Used by tests and by receive paths that fill a caller's Control buffer.
pub fn push_control(out: &mut Vec<u8>, level: i32, kind: i32, data: &[u8]) {
    let start = out.len();
    out.extend_from_slice(&(wsa_cmsg_len(data.len()) as u64).to_ne_bytes());
    out.extend_from_slice(&level.to_ne_bytes());
    out.extend_from_slice(&kind.to_ne_bytes());
    out.extend_from_slice(data);
    out.resize(start + wsa_cmsg_space(data.len()), 0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn macros_match_windows_values() {
        assert_eq!(wsa_cmsg_len(0), 16);
        assert_eq!(wsa_cmsg_len(8), 24); // IN_PKTINFO
        assert_eq!(wsa_cmsg_space(8), 24);
        assert_eq!(wsa_cmsg_len(20), 36); // IN6_PKTINFO
        assert_eq!(wsa_cmsg_space(20), 40);
        assert_eq!(wsa_cmsg_space(4), 24);
        assert_eq!(wsa_cmsghdr_align(17), 24);
    }

    #[test]
    fn walks_two_entries_with_padding() {
        // S22
        let mut buf = Vec::new();
        push_control(&mut buf, 0, 19, &[1, 2, 3, 4, 5, 6, 7, 8]);
        push_control(&mut buf, 41, 19, &[9; 20]);
        let entries: Vec<_> = ControlWalker::new(&buf).collect::<Result<_, _>>().unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].offset, 0);
        assert_eq!(entries[0].data, &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(entries[1].offset, 24);
        assert_eq!((entries[1].level, entries[1].kind), (41, 19));
        assert_eq!(entries[1].data, &[9; 20]);
    }

    #[test]
    fn len_ending_at_unpadded_entry_is_accepted() {
        // S22: Control.len == offset + cmsg_len of the last entry.
        let mut buf = Vec::new();
        push_control(&mut buf, 41, 19, &[7; 20]);
        buf.truncate(wsa_cmsg_len(20));
        let entries: Vec<_> = ControlWalker::new(&buf).collect::<Result<_, _>>().unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].data.len(), 20);
    }

    #[test]
    fn trailing_bytes_shorter_than_a_header_are_ignored() {
        // S22
        let mut buf = Vec::new();
        push_control(&mut buf, 0, 19, &[0; 8]);
        buf.extend_from_slice(&[0xff; 15]);
        assert_eq!(ControlWalker::new(&buf).count(), 1);
        assert_eq!(ControlWalker::new(&[0u8; 15]).count(), 0);
    }

    #[test]
    fn bad_lengths_are_errors() {
        // S22
        let mut buf = Vec::new();
        push_control(&mut buf, 0, 19, &[0; 8]);
        buf[0..8].copy_from_slice(&15u64.to_ne_bytes());
        assert_eq!(
            ControlWalker::new(&buf).next(),
            Some(Err(ControlError::LengthBelowHeader {
                offset: 0,
                cmsg_len: 15
            }))
        );
        buf[0..8].copy_from_slice(&25u64.to_ne_bytes());
        assert_eq!(
            ControlWalker::new(&buf).next(),
            Some(Err(ControlError::LengthPastEnd {
                offset: 0,
                cmsg_len: 25,
                control_len: 24
            }))
        );
        buf[0..8].copy_from_slice(&u64::MAX.to_ne_bytes());
        assert!(matches!(
            ControlWalker::new(&buf).next(),
            Some(Err(ControlError::LengthPastEnd { .. }))
        ));
    }

    /// A reference walk written the way the C macros read, with u128
    /// arithmetic so nothing can overflow.
    fn reference_walk(buf: &[u8]) -> Vec<Result<(usize, usize), ()>> {
        let mut out = Vec::new();
        if buf.len() < 16 {
            return out;
        }
        let mut off = 0usize;
        loop {
            let len = u64::from_ne_bytes(buf[off..off + 8].try_into().unwrap()) as u128;
            if len < 16 || off as u128 + len > buf.len() as u128 {
                out.push(Err(()));
                return out;
            }
            out.push(Ok((off, len as usize)));
            let next = off as u128 + ((len + 7) & !7);
            if next + 16 > buf.len() as u128 {
                return out;
            }
            off = next as usize;
        }
    }

    proptest! {
        // S22: arbitrary bytes never panic, never read past the slice, and
        // walk exactly as WSA_CMSG_FIRSTHDR/NXTHDR do.
        #[test]
        fn arbitrary_bytes_walk_like_the_macros(buf in proptest::collection::vec(any::<u8>(), 0..200)) {
            let got: Vec<_> = ControlWalker::new(&buf)
                .map(|e| e.map(|e| (e.offset, e.data.len() + 16)).map_err(|_| ()))
                .collect();
            prop_assert_eq!(got, reference_walk(&buf));
        }

        #[test]
        fn well_formed_sequences_round_trip(
            entries in proptest::collection::vec((any::<i32>(), any::<i32>(), proptest::collection::vec(any::<u8>(), 0..40)), 0..6),
            cut_padding in any::<bool>(),
        ) {
            let mut buf = Vec::new();
            for (level, kind, data) in &entries {
                push_control(&mut buf, *level, *kind, data);
            }
            if cut_padding && let Some((_, _, last)) = entries.last() {
                let pad = wsa_cmsg_space(last.len()) - wsa_cmsg_len(last.len());
                buf.truncate(buf.len() - pad);
            }
            let got: Vec<_> = ControlWalker::new(&buf).collect::<Result<_, _>>().unwrap();
            prop_assert_eq!(got.len(), entries.len());
            for (g, (level, kind, data)) in got.iter().zip(&entries) {
                prop_assert_eq!((g.level, g.kind, g.data), (*level, *kind, data.as_slice()));
            }
        }
    }
}
