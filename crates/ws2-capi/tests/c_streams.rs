//! Stream sockets from C (SPEC P8, part 1): the programs in `tests/c/`
//! named `stream_*`, on loopback and between namespace hosts, and the
//! TCP/UDP echo example. Root, `cc` and namespaces are required: without
//! them the tests fail, they never skip.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::process::Command;
use std::time::Duration;

use common::{assert_success, compile_test, run_c_test, run_with_timeout, show};
use testnet::{Host, Net};

// P8 S9 S37
#[test]
fn stream_calls_answer_as_windows_does() {
    run_c_test("stream_calls", &[]);
}

// P8 S16
#[test]
fn non_blocking_stream_sends_are_taken_whole_or_not_at_all() {
    run_c_test("stream_send", &[]);
}

// P8 S28 S29 S30 S37 S38: overlapped WSASend/WSARecv on streams with
// events, routines and ports; order; close, reset and CancelIoEx complete
// each operation once (test_send, test_completion_port, test_iocp,
// test_simultaneous_async_recv, test_empty_recv, test_WSARecv).
#[test]
fn overlapped_stream_sends_and_receives_complete_as_windows_does() {
    run_c_test("stream_overlapped", &[]);
}

// P8 S29 S36 S37: an overlapped MSG_WAITALL receive completes when its
// buffer is full, at the end or a reset with what arrived, or cancelled
// (Microsoft's WSARecv page), in posting order with other receives.
#[test]
fn overlapped_waitall_receives_complete_when_full() {
    run_c_test("stream_waitall", &[]);
}

// P8 S36 S37: AcceptEx, GetAcceptExSockaddrs, SO_UPDATE_ACCEPT_CONTEXT
// through SIO_GET_EXTENSION_FUNCTION_POINTER; the listener's key, close and
// cancel each once (test_get_extension_func, test_AcceptEx,
// test_completion_port).
#[test]
fn acceptex_accepts_and_completes_as_windows_does() {
    run_c_test("stream_acceptex", &[]);
}

// P8 S36 S37: ConnectEx and SO_UPDATE_CONNECT_CONTEXT through
// SIO_GET_EXTENSION_FUNCTION_POINTER; packets, skip-on-success, refusal,
// close each once (test_connect, test_connect_completion_port).
#[test]
fn connectex_connects_and_completes_as_windows_does() {
    run_c_test("stream_connectex", &[]);
}

// P8 S36: DisconnectEx, a half close with its packets (test_DisconnectEx,
// test_shutdown_completion_port).
#[test]
fn disconnectex_half_closes_as_windows_does() {
    run_c_test("stream_disconnectex", &[]);
}

// P8 S36 S37: DisconnectEx with TF_REUSE_SOCKET: the same handle accepted
// into again by AcceptEx, or connected again by ConnectEx (still bound);
// the refusals of a socket reused wrongly (Microsoft's DisconnectEx,
// ConnectEx and AcceptEx pages; test_AcceptEx, test_connect).
#[test]
fn disconnectex_reuses_the_socket_for_acceptex_and_connectex() {
    run_c_test("stream_reuse", &[]);
}

// P8: TransmitFile and TransmitPackets through their GUIDs: memory sent in
// order, files and TF_REUSE_SOCKET refused (test_TransmitFile).
#[test]
fn transmit_file_and_packets_send_memory() {
    run_c_test("stream_transmit", &[]);
}

// P8 P1: select and WSAPoll on listening, connecting, connected, reset and
// failed stream sockets (test_select, test_errors, test_WSAPoll, test_tcp_reset).
#[test]
fn select_and_wsapoll_answer_for_streams_as_windows_does() {
    run_c_test("stream_select_poll", &[]);
}

// P8 P1: FD_ACCEPT, FD_CONNECT (and its error), FD_READ, FD_WRITE, FD_OOB and
// FD_CLOSE through WSAEventSelect (test_events' stream cases).
#[test]
fn event_select_records_stream_events_as_windows_does() {
    run_c_test("stream_events", &[]);
}

// P8: past WS2_MAX_STREAM_BACKLOG a non-blocking send is WSAENOBUFS, nothing sent.
#[test]
fn a_non_blocking_send_past_the_backlog_bound_is_wsaenobufs() {
    let exe = compile_test("stream_send");
    let mut cmd = Command::new(&exe);
    cmd.arg("limit").env("WS2_MAX_STREAM_BACKLOG", "1048576");
    let out = run_with_timeout(cmd, "stream_send_limit");
    assert_success(&out, "stream_send limit");
}

// P8 S37: unreachable, refused and timing-out connects, each bounded in time.
#[test]
fn unreachable_refused_and_unanswered_connects() {
    let exe = compile_test("stream_netns");
    let net = Net::new().expect("testnet");
    let a = net.host("sua").expect("host a");
    let b = net.host("sub").expect("host b");
    let link = net
        .link(&a, "10.0.0.1/24", &b, "10.0.0.2/24")
        .expect("link");
    a.add_addr(&link.a_ifname, "10.0.0.11/24")
        .expect("10.0.0.11");
    a.route("unreachable 10.9.0.0/16")
        .expect("unreachable route");
    // An unanswered neighbour fails after one 100 ms solicitation.
    let neigh = format!("net.ipv4.neigh.{}", link.a_ifname);
    a.sysctl(&format!("{neigh}.mcast_solicit"), "1")
        .expect("mcast_solicit");
    a.sysctl(&format!("{neigh}.retrans_time_ms"), "100")
        .expect("retrans_time_ms");
    // Host b cannot answer 10.0.0.11: a connect from there stays in progress.
    b.route("blackhole 10.0.0.11/32").expect("blackhole route");
    let exe = exe.to_str().expect("utf-8 path");
    let out = run_with_timeout(a.command(&[exe, "unreachable"]), "stream_netns_unreachable");
    assert_success(&out, "stream_netns unreachable");
}

/// Reads `conn` to its end (30 s at most per read), checking byte `i`
/// against `expected(i)`; the number of bytes read.
fn read_to_end_checking(conn: &mut std::net::TcpStream, expected: impl Fn(usize) -> u8) -> usize {
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0usize;
    loop {
        let n = conn.read(&mut buf).expect("read");
        if n == 0 {
            return total;
        }
        for (k, byte) in buf[..n].iter().enumerate() {
            assert_eq!(*byte, expected(total + k), "byte {}", total + k);
        }
        total += n;
    }
}

/// Byte `i` of what `stream_close_exit` sends.
fn close_exit_pattern(i: usize) -> u8 {
    (i.wrapping_mul(13) + (i >> 16)) as u8
}

// P8 S37: a graceful closesocket, then main returns at once: the bytes the
// close left in the backlog still all arrive, in order, FIN last (Windows'
// kernel sends them after the process is gone: Microsoft's "Graceful
// Shutdown, Linger Options, and Socket Closure"). The reader starts late
// (the kernel's buffers hold far less than 4 MiB), so without the wait at exit the process would end with them unsent.
#[test]
fn bytes_a_closed_stream_holds_are_sent_when_the_process_exits() {
    let exe = compile_test("stream_close_exit");
    let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
    let port = listener.local_addr().unwrap().port().to_string();
    let mut cmd = Command::new(&exe);
    cmd.arg(&port);
    let child = common::start(cmd, "stream_close_exit");
    let (mut conn, _) = listener.accept().expect("accept");
    std::thread::sleep(Duration::from_millis(500));
    let total = read_to_end_checking(&mut conn, close_exit_pattern);
    let out = child.wait(Duration::from_secs(30));
    assert_success(&out, "stream_close_exit");
    assert_eq!(total, 4 << 20, "{}", show(&out));
}

// P8 S37: the wait at exit is bounded: a peer that never reads holds the
// process only until the backlog has stopped moving for a few seconds.
#[test]
fn a_peer_that_never_reads_does_not_hold_the_exit_for_ever() {
    let exe = compile_test("stream_close_exit");
    let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
    let port = listener.local_addr().unwrap().port().to_string();
    let mut cmd = Command::new(&exe);
    cmd.arg(&port);
    let started = std::time::Instant::now();
    let child = common::start(cmd, "stream_close_exit_stalled");
    let (_conn, _) = listener.accept().expect("accept");
    let out = child.wait(Duration::from_secs(30));
    let took = started.elapsed();
    assert_success(&out, "stream_close_exit (peer not reading)");
    assert!(
        took >= Duration::from_secs(4) && took < Duration::from_secs(15),
        "exit took {took:?}\n{}",
        show(&out)
    );
}

/// Byte `i` of each 256 KiB chunk the C program sends.
fn pattern(i: usize) -> u8 {
    (i * 7 + 3 + (i >> 12)) as u8
}

/// Hosts a and b (`label`a, `label`b) joined by a 16 Mbit/s link
/// (10.0.0.1 -> 10.0.0.2), and a TCP listener in b.
fn slow_link(label: &str) -> (Net, Host, TcpListener) {
    let net = Net::new().expect("testnet");
    let a = net.host(&format!("{label}a")).expect("host a");
    let b = net.host(&format!("{label}b")).expect("host b");
    let link = net
        .link(&a, "10.0.0.1/24", &b, "10.0.0.2/24")
        .expect("link");
    a.rate_limit(&link.a_ifname, "16mbit").expect("rate limit");
    let listener = b
        .run(|| TcpListener::bind("10.0.0.2:0"))
        .expect("listener in b");
    (net, a, listener)
}

// P8 S16: a large transfer through a slow link; the reader in host b checks
// every byte and the total.
#[test]
fn large_transfer_through_a_slow_link_arrives_whole_and_in_order() {
    const CHUNK: usize = 256 << 10;
    let exe = compile_test("stream_netns");
    let (_net, a, listener) = slow_link("ss");
    let port = listener.local_addr().unwrap().port().to_string();
    let reader = std::thread::spawn(move || {
        // The first connection: every byte checked; the second (the timed-out
        // send) read to its end.
        let (mut first, _) = listener.accept().expect("accept 1");
        let total = read_to_end_checking(&mut first, |i| pattern(i % CHUNK));
        let (mut second, _) = listener.accept().expect("accept 2");
        second
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut buf = vec![0u8; 1 << 16];
        while matches!(second.read(&mut buf), Ok(n) if n > 0) {}
        total
    });
    let exe = exe.to_str().expect("utf-8 path");
    let out = run_with_timeout(
        a.command(&[exe, "slow", "10.0.0.2", &port]),
        "stream_netns_slow",
    );
    assert_success(&out, "stream_netns slow");
    let total = reader.join().expect("reader");
    assert_eq!(total, 13 * CHUNK, "{}", show(&out));
}

// P8 S29 S30: overlapped stream I/O across a 16 Mbit/s link between namespace
// hosts: ConnectEx with data, eight pending 256 KiB WSASends completing in
// order with all their bytes, a WSARecv posted ahead, DisconnectEx's FIN
// after the queued bytes; the reader in host b checks every byte.
#[test]
fn overlapped_stream_io_across_a_slow_link() {
    const CHUNK: usize = 256 << 10;
    let exe = compile_test("stream_ov_netns");
    let (_net, a, listener) = slow_link("so");
    let port = listener.local_addr().unwrap().port().to_string();
    let reader = std::thread::spawn(move || {
        use std::io::Write;
        let (mut conn, _) = listener.accept().expect("accept");
        let total = read_to_end_checking(&mut conn, |i| pattern(i % CHUNK));
        conn.write_all(&(total as u32).to_le_bytes())
            .expect("answer");
        total
    });
    let exe = exe.to_str().expect("utf-8 path");
    let out = run_with_timeout(a.command(&[exe, "10.0.0.2", &port]), "stream_ov_netns");
    assert_success(&out, "stream_ov_netns");
    assert_eq!(reader.join().expect("reader"), 8 * CHUNK, "{}", show(&out));
}

/// Starts `simple_server` with `args` and returns it with the port it
/// printed (`listening (...) on ADDRESS:PORT`).
fn start_simple_server(args: &[&str], label: &str) -> (common::Running, String) {
    let exe = common::compile_example("simple_server");
    let mut cmd = Command::new(&exe);
    cmd.args(args);
    let running = common::start(cmd, label);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let so_far = running.stdout_so_far();
        if let Some(line) = so_far.lines().find(|l| l.starts_with("listening")) {
            let port = line.rsplit(':').next().unwrap().trim().to_string();
            return (running, port);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{label} did not start listening; stdout so far: {so_far}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn run_simple_client(args: &[&str], label: &str) -> std::process::Output {
    let exe = common::compile_example("simple_client");
    let mut cmd = Command::new(&exe);
    cmd.args(args);
    let out = run_with_timeout(cmd, label);
    assert_success(&out, label);
    out
}

// P8: examples/c/simple_server.c and simple_client.c, TCP over IPv4 (two
// clients, messages larger than the server's 1024-byte reads) and UDP over IPv6.
#[test]
fn example_simple_server_and_client_echo_over_tcp_and_udp() {
    let (server, port) = start_simple_server(
        &["-p", "tcp", "-i", "127.0.0.1", "-e", "0", "-n", "2"],
        "simple_server_tcp",
    );
    for bytes in ["64", "60000"] {
        let out = run_simple_client(
            &[
                "-p",
                "tcp",
                "-n",
                "127.0.0.1",
                "-e",
                &port,
                "-l",
                "5",
                "-b",
                bytes,
            ],
            "simple_client_tcp",
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("echo 5 of 5"), "{text}");
    }
    let out = server.wait(Duration::from_secs(10));
    assert_success(&out, "simple_server tcp");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.matches("accepted connection from 127.0.0.1:").count(),
        2,
        "{text}"
    );

    let (server, port) = start_simple_server(
        &["-p", "udp", "-i", "::1", "-e", "0", "-n", "3"],
        "simple_server_udp",
    );
    let out = run_simple_client(
        &["-p", "udp", "-n", "::1", "-e", &port, "-l", "3"],
        "simple_client_udp",
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("echo 3 of 3"));
    let out = server.wait(Duration::from_secs(10));
    assert_success(&out, "simple_server udp");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .matches("datagram from [::1]:")
            .count(),
        3,
        "{}",
        show(&out)
    );
}

// P8 S29 S36: examples/c/iocp_server.c (AcceptEx with first data, overlapped
// WSARecv/WSASend, worker threads on a completion port) serves eight clients
// connected at once, each echoed in full (small and 200 KB messages).
#[test]
fn example_iocp_server_serves_clients_at_once() {
    use std::io::Write;
    let exe = common::compile_example("iocp_server");
    let mut cmd = Command::new(&exe);
    cmd.args(["-e", "0", "-n", "8", "-t", "3"]);
    let server = common::start(cmd, "iocp_server");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let port: u16 = loop {
        let so_far = server.stdout_so_far();
        if let Some(line) = so_far.lines().find(|l| l.starts_with("listening")) {
            break line.rsplit(':').next().unwrap().trim().parse().unwrap();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "iocp_server did not start: {so_far}"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let clients = 8;
    let all_connected = std::sync::Arc::new(std::sync::Barrier::new(clients));
    let workers: Vec<_> = (0..clients)
        .map(|i| {
            let all_connected = all_connected.clone();
            std::thread::spawn(move || {
                let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
                all_connected.wait(); // every client is connected before any echo
                for len in [1usize, 100, 200_000, 7] {
                    let msg: Vec<u8> = (0..len).map(|j| (j * 31 + i) as u8).collect();
                    s.write_all(&msg).unwrap();
                    let mut back = vec![0u8; len];
                    s.read_exact(&mut back).unwrap();
                    assert_eq!(back, msg, "client {i}: echo of {len} bytes");
                }
                s.shutdown(std::net::Shutdown::Write).unwrap();
                let mut rest = Vec::new();
                s.read_to_end(&mut rest).unwrap();
                assert!(rest.is_empty());
            })
        })
        .collect();
    for w in workers {
        w.join().expect("client");
    }
    let out = server.wait(Duration::from_secs(20));
    assert_success(&out, "iocp_server");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.matches("accepted connection from 127.0.0.1:").count(),
        clients,
        "{text}"
    );
    assert!(text.contains("served 8 clients"), "{text}");
}
