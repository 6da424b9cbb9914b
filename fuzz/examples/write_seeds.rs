//! Writes each target's seed corpus, `fuzz/corpus/<target>/seed-<shape>`,
//! from the encoders in `ws2_fuzz` (the files libFuzzer adds beside them are
//! left alone):
//! `cargo +nightly run --manifest-path fuzz/Cargo.toml --example write_seeds`
use std::path::Path;

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for &(target, seeds) in ws2_fuzz::TARGETS {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir)?;
        let seeds = seeds();
        for (name, bytes) in &seeds {
            std::fs::write(dir.join(format!("seed-{name}")), bytes)?;
        }
        println!("{target}: {} seeds", seeds.len());
    }
    Ok(())
}
