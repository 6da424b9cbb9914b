//! Gives `libws2_32.so` its SONAME, `libws2_32.so.<major>`: programs linked
//! against it record that name (DT_NEEDED), so the loader picks a library of
//! the same ABI and `scripts/install-c.sh` can install the usual
//! `libws2_32.so -> libws2_32.so.0 -> libws2_32.so.0.1.0` chain. The ABI
//! number is the crate's major version, also for 0.x (README, "SONAME").
//! Only the cdylib gets the flag; the staticlib and rlib have no SONAME.

fn main() {
    let major =
        std::env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets CARGO_PKG_VERSION_MAJOR");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libws2_32.so.{major}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
