//! The `wsasend` command (its code is the library of this package).

fn main() -> std::process::ExitCode {
    wsasend::main()
}
