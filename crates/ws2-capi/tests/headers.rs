//! The headers compile unchanged in every mode a Windows program is built
//! in: C11 and GNU11, C++17, both include orders against the C standard
//! headers, `-Wall -Wextra -Werror`; their layouts are `_Static_assert`ed
//! (tests/c/headers_layout.c). A missing compiler fails the test.

use std::process::Command;

#[test]
fn headers_compile_in_every_mode_and_layouts_match() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/c/check-headers.sh");
    let out = Command::new("sh")
        .arg(script)
        .output()
        .expect("running check-headers.sh (needs sh, gcc, g++)");
    assert!(
        out.status.success(),
        "check-headers.sh failed: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
