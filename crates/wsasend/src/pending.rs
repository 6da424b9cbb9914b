pub fn run(_a: &crate::BenchArgs) -> crate::AppResult<std::process::ExitCode> {
    Err("todo".into())
}
