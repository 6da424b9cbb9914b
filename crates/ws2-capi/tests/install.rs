//! `scripts/install-c.sh` installs headers, libraries and a pkg-config file
//! that a C program builds against with `pkg-config --cflags --libs ws2_32`.

mod common;

use std::path::Path;
use std::process::Command;

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn pkg_config_builds_the_tutorial_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let prefix = std::env::temp_dir().join(format!("ws2-install-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&prefix);
    run(Command::new(root.join("scripts/install-c.sh"))
        .arg(&prefix)
        .arg(common::lib_dir()));
    let pc = prefix.join("lib/pkgconfig");
    let flags = run(Command::new("pkg-config")
        .env("PKG_CONFIG_PATH", &pc)
        .args(["--cflags", "--libs", "ws2_32"]));
    let exe = prefix.join("udp_sender");
    let mut cc = Command::new("cc");
    cc.args(["-std=c11", "-Wall", "-Werror", "-o"])
        .arg(&exe)
        .arg(root.join("examples/c/udp_sender.c"))
        .args(flags.split_whitespace());
    run(&mut cc);
    let rx = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    rx.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let port = rx.local_addr().unwrap().port().to_string();
    run(Command::new(&exe).args(["127.0.0.1", &port]));
    let mut buf = [0u8; 2048];
    let (n, from) = rx
        .recv_from(&mut buf)
        .expect("a datagram from the installed example");
    assert!(n > 0);
    assert!(from.ip().is_loopback());
    let _ = std::fs::remove_dir_all(&prefix);
}
