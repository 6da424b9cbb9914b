//! The system message table: the text `FormatMessage(FORMAT_MESSAGE_FROM_SYSTEM)`
//! and `gai_strerror` give for every Winsock, Win32 and HRESULT code ws2 can
//! produce or a Windows header of ours defines. The wording is ws2's own
//! (SPEC P6: never copied from elsewhere); like Windows' messages, each is
//! one sentence or two, and `FormatMessage` ends it with "\r\n".

/// `(message id, text without the closing line break)`, sorted by id.
static MESSAGES: &[(u32, &str)] = &[
    // ---- Win32 (winerror.h) ----
    (0, "The operation finished without error."),
    (1, "This function cannot be used on this object."),
    (2, "No file by that name exists."),
    (3, "No directory along that path exists."),
    (4, "The process has opened as many files as it may."),
    (5, "Permission for this operation was refused."),
    (6, "The handle given is not an open handle of this process."),
    (
        8,
        "There is not enough free memory to carry out this request.",
    ),
    (12, "The access requested is not valid for this object."),
    (13, "The data supplied is not valid."),
    (14, "The system ran out of memory for this operation."),
    (21, "The device is not ready for this operation yet."),
    (24, "The length given is wrong for this request."),
    (31, "A device attached to the system stopped working."),
    (
        32,
        "The file is in use by another process, which does not allow this access.",
    ),
    (38, "The end of the data was reached."),
    (50, "This request is not supported."),
    (51, "Nobody is listening at the remote end."),
    (52, "The name is already registered on the network."),
    (53, "The network path could not be reached."),
    (54, "The network is too busy to accept this request."),
    (
        58,
        "The remote end sent an answer that could not be understood.",
    ),
    (59, "The network failed in an unexpected way."),
    (64, "The connection to the remote end was closed or reset."),
    (68, "The limit on names or addresses has been reached."),
    (71, "The remote end accepts no more requests now."),
    (80, "A file by that name already exists."),
    (87, "One of the parameters is not valid."),
    (109, "The other end of the pipe was closed."),
    (
        111,
        "The buffer is too small for the whole result; the size needed has been returned.",
    ),
    (120, "This function is not available on this system."),
    (121, "The operation timed out."),
    (122, "The buffer passed is too small for the data."),
    (123, "The name has a syntax that is not valid."),
    (126, "The module requested could not be found."),
    (127, "The module has no procedure by that name."),
    (157, "The memory block has been discarded."),
    (158, "The memory block is not locked."),
    (183, "An object with that name already exists."),
    (193, "The handle does not refer to a loaded module."),
    (203, "The environment has no variable by that name."),
    (232, "There is no data to return."),
    (233, "The other end of the pipe has gone away."),
    (234, "More data is waiting than fitted in the buffer."),
    (
        235,
        "Nothing was produced: the result would have been empty.",
    ),
    (258, "The wait ended because its time ran out."),
    (259, "There are no more items to return."),
    (288, "The caller does not own this object."),
    (
        298,
        "The semaphore cannot be released past its maximum count.",
    ),
    (
        317,
        "The system has no message text for this message number.",
    ),
    (433, "The device named does not exist."),
    (
        487,
        "The address is not a valid address for this operation.",
    ),
    (
        735,
        "The wait ended because the object was closed while waiting.",
    ),
    (
        995,
        "The operation was cancelled, by a close, a cancel request or the exit of the thread that started it.",
    ),
    (996, "The overlapped operation has not finished yet."),
    (
        997,
        "The overlapped operation has started and will complete later.",
    ),
    (998, "A memory address given cannot be accessed."),
    (1003, "The function could not finish its work."),
    (1004, "The flags given are not valid."),
    (
        1113,
        "The text has a character with no mapping in the target code page.",
    ),
    (1168, "No matching element was found."),
    (1214, "The network name has a format that is not valid."),
    (1223, "The operation was cancelled by the user."),
    (1225, "The remote end refused the connection."),
    (1226, "The connection was closed gracefully."),
    (1227, "An address is already associated with this endpoint."),
    (
        1228,
        "No address has been associated with this endpoint yet.",
    ),
    (1229, "The operation needs a connection and there is none."),
    (
        1230,
        "This operation is not allowed while a connection is active.",
    ),
    (1231, "No route leads to the remote network."),
    (1232, "No route leads to the remote host."),
    (1233, "The remote host does not run the protocol requested."),
    (1234, "Nothing is listening on the remote port."),
    (1235, "The request was aborted."),
    (1236, "The local system aborted the connection."),
    (1237, "The operation could not finish; try it again."),
    (
        1238,
        "The limit on connections to this server has been reached.",
    ),
    (1256, "The remote host is down."),
    (
        1314,
        "The process does not hold a privilege this request needs.",
    ),
    (
        1450,
        "The system lacks the resources to finish this request.",
    ),
    (
        1453,
        "The process' working-set quota is too low for this request.",
    ),
    (1454, "The page-file quota is too low for this request."),
    (1455, "The system's commit limit has been reached."),
    (1460, "The time allowed for the operation ran out."),
    (1784, "The buffer supplied is not valid for this request."),
    (1800, "The priority given is not valid."),
    (
        1812,
        "The module has no resource data of the kind requested.",
    ),
    (1813, "The module has no resources of the type requested."),
    (
        1815,
        "The message is not available in the language requested.",
    ),
    (1816, "The quota is too low to finish this request."),
    // ---- Winsock (winsock2.h, ws2tcpip.h) ----
    (
        10004,
        "A blocking call was interrupted: its socket was closed.",
    ),
    (10009, "The descriptor given is not valid."),
    (
        10013,
        "The socket may not be used this way: permission was refused (sending to a broadcast address needs SO_BROADCAST).",
    ),
    (
        10014,
        "A pointer argument points outside the caller's memory, or a length argument is too small.",
    ),
    (
        10022,
        "An argument is not valid for this call or for this socket's state.",
    ),
    (
        10024,
        "The process has no more sockets or descriptors to give.",
    ),
    (
        10035,
        "The non-blocking operation cannot finish now; try again later.",
    ),
    (
        10036,
        "A blocking call is already under way on this thread.",
    ),
    (
        10037,
        "An operation of this kind is already under way on this socket.",
    ),
    (10038, "The handle given is not a socket."),
    (
        10039,
        "The operation needs a destination address and none was given.",
    ),
    (
        10040,
        "The datagram is larger than the buffer given or the transport's limit.",
    ),
    (10041, "The protocol does not suit this type of socket."),
    (
        10042,
        "The option or level is unknown or not supported by this protocol.",
    ),
    (10043, "The protocol requested is not supported."),
    (
        10044,
        "This socket type is not supported in this address family.",
    ),
    (
        10045,
        "This operation is not supported on this kind of socket.",
    ),
    (10046, "The protocol family is not supported."),
    (
        10047,
        "The address does not belong to an address family this protocol supports.",
    ),
    (
        10048,
        "The address and port are already in use by another socket.",
    ),
    (
        10049,
        "The address requested is not available on this machine.",
    ),
    (10050, "The network subsystem is down."),
    (10051, "No route leads to the network of the destination."),
    (
        10052,
        "The connection broke while the operation was under way, or a datagram's time to live ran out.",
    ),
    (10053, "The local system aborted the connection."),
    (
        10054,
        "The remote end reset the connection, or an earlier datagram reached a port where nothing listens.",
    ),
    (
        10055,
        "The system has no buffer space left for this socket operation.",
    ),
    (10056, "The socket is already connected."),
    (
        10057,
        "The socket is not connected and no destination was given.",
    ),
    (10058, "Sending or receiving was shut down on this socket."),
    (10059, "Too many references to a kernel object."),
    (
        10060,
        "The operation timed out: the peer did not answer or the socket's time-out expired.",
    ),
    (10061, "The remote end actively refused the connection."),
    (10062, "The name cannot be translated: it refers to itself."),
    (10063, "The name is too long."),
    (10064, "The remote host is down."),
    (10065, "No route leads to the remote host."),
    (10066, "The directory is not empty."),
    (10067, "Too many processes are using Winsock at once."),
    (10068, "The user quota has been used up."),
    (10069, "The disk quota has been used up."),
    (
        10070,
        "The file handle no longer refers to an available file.",
    ),
    (10071, "The item is not available locally."),
    (10091, "The network subsystem is not ready for use."),
    (10092, "This Winsock version is not supported."),
    (
        10093,
        "WSAStartup has not been called successfully, or WSACleanup already undid it.",
    ),
    (
        10101,
        "The remote end is shutting the connection down gracefully.",
    ),
    (10102, "The lookup has no more results."),
    (10103, "The lookup was cancelled."),
    (10104, "The table of procedure calls is not valid."),
    (10105, "The service provider requested is not valid."),
    (10106, "The service provider could not be initialised."),
    (10107, "A system call failed unexpectedly."),
    (10108, "No such service is known in the name space given."),
    (10109, "The class or service type requested was not found."),
    (10110, "The lookup has no more results."),
    (10111, "The lookup was cancelled."),
    (10112, "The database query was refused."),
    (11001, "The host name is not known."),
    (
        11002,
        "The name could not be resolved now; the server did not answer in time, so try again later.",
    ),
    (
        11003,
        "Name resolution failed with an error it cannot recover from.",
    ),
    (
        11004,
        "The name is known, but has no data of the type requested.",
    ),
    (11032, "The host name could not be resolved securely."),
    (11033, "An IPsec policy rule blocked the name resolution."),
    // ---- HRESULTs (winerror.h) that are not FACILITY_WIN32 codes ----
    (0x8000_4001, "This function is not implemented."),
    (0x8000_4002, "The interface requested is not supported."),
    (0x8000_4003, "A pointer argument is not valid."),
    (0x8000_4004, "The operation was aborted."),
    (
        0x8000_4005,
        "The operation failed for an unspecified reason.",
    ),
    (0x8000_FFFF, "The operation failed unexpectedly."),
];

/// The system message for a message id (without its closing "\r\n"): a
/// Win32 or Winsock code, an HRESULT of `FACILITY_WIN32` (its code's text),
/// or one of the generic HRESULTs. `None` when there is none
/// (`FormatMessage` then fails with `ERROR_MR_MID_NOT_FOUND`).
pub fn system_message(id: u32) -> Option<&'static str> {
    let id = crate::win32::win32_of_hresult(id).unwrap_or(id);
    MESSAGES
        .binary_search_by_key(&id, |&(code, _)| code)
        .ok()
        .map(|i| MESSAGES[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_each_text_is_one_clean_sentence() {
        // P6
        for w in MESSAGES.windows(2) {
            assert!(w[0].0 < w[1].0, "{} is not sorted or repeated", w[1].0);
        }
        for &(id, text) in MESSAGES {
            assert!(text.ends_with('.'), "{id}: {text}");
            assert!(!text.contains(['\r', '\n', '%']), "{id}: {text}");
            assert!(text.len() < 200, "{id}: too long for a system message");
        }
    }

    /// Every `pub const` of ws2-abi whose name says it is a Winsock or
    /// Win32 error code (or an HRESULT), with its value.
    fn error_constants() -> Vec<(String, u32)> {
        // Names with an error prefix that are not error codes.
        const NOT_CODES: &[&str] = &[
            "WSABASEERR",
            "WSA_CMSG_HDR_SIZE",
            "WSADESCRIPTION_LEN",
            "WSASYS_STATUS_LEN",
            "WSA_FLAG_OVERLAPPED",
            "WSA_INFINITE",
            "WSA_MAXIMUM_WAIT_EVENTS",
            "WSA_WAIT_EVENT_0",
            "WSA_WAIT_FAILED",
            "WSA_WAIT_IO_COMPLETION",
            "WSA_WAIT_TIMEOUT",
            "WSAID_WSASENDMSG",
            "WSAID_WSARECVMSG",
        ];
        let sources = [
            include_str!("consts.rs"),
            include_str!("errors.rs"),
            include_str!("ifioctl.rs"),
            include_str!("iphlpapi.rs"),
            include_str!("resolve.rs"),
            include_str!("types.rs"),
            include_str!("win32.rs"),
            include_str!("cmsg.rs"),
            include_str!("addrstr.rs"),
            include_str!("memory.rs"),
        ];
        let mut out = Vec::new();
        for line in sources.iter().flat_map(|s| s.lines()) {
            let Some(rest) = line.trim().strip_prefix("pub const ") else {
                continue;
            };
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let is_code = name.starts_with("WSA")
                || name.starts_with("ERROR_")
                || name.starts_with("E_")
                || name.starts_with("S_");
            if !is_code || NOT_CODES.contains(&name.as_str()) || rest.contains("fn ") {
                continue;
            }
            let value = rest
                .split('=')
                .nth(1)
                .unwrap_or_else(|| panic!("{name}: no value on its line"))
                .trim()
                .trim_end_matches(';');
            let literal = value.split(" as ").next().unwrap().replace('_', "");
            let number = if let Some(hex) = literal.strip_prefix("0x") {
                u32::from_str_radix(hex.trim_end_matches("u32"), 16).ok()
            } else {
                literal.parse::<u32>().ok()
            };
            let number = number.unwrap_or_else(|| {
                panic!("{name} = {value}: not a literal; list it in NOT_CODES if it is no code")
            });
            out.push((name, number));
        }
        out
    }

    #[test]
    fn every_error_constant_has_a_message() {
        // P6: FormatMessage(FROM_SYSTEM) knows every code ws2 can return.
        let codes = error_constants();
        assert!(codes.len() > 100, "only {} codes found", codes.len());
        for (name, code) in codes {
            assert!(
                system_message(code).is_some(),
                "{name} ({code}) has no message"
            );
        }
    }

    #[test]
    fn hresults_of_facility_win32_read_their_code() {
        // P6: format_msg.c test_message_from_hmodule formats 0x80070005.
        assert_eq!(system_message(0x8007_0005), system_message(5));
        assert!(system_message(0x8000_4005).is_some());
        assert_eq!(system_message(3044), None);
        assert_eq!(system_message(0x8007_0BE4), None);
    }
}
