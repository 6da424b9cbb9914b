//! Draws the README's scale plot from `bench scale --json` output: left,
//! datagrams/s of raw `sendmsg` and ws2 against the number of sockets;
//! right, CPU time per overlapped send against the number pending (when
//! the JSON has the pending part, from `examples/bench_scale.rs`).
//!
//! ```sh
//! cargo run --release -p wsasend --example bench_scale -- --json > scale.json
//! cargo run -p wsasend --example plot_scale -- scale.json docs/bench-scale.png
//! ```
//!
//! No font or image library: the PNG is written here (palette colours,
//! deflated with fixed Huffman codes and runs), and its labels are drawn
//! with the 5x7 bitmap font below.

use std::process::ExitCode;

use serde_json::Value;

const W: usize = 960;
const H: usize = 420;
const WHITE: [u8; 3] = [255, 255, 255];
const BLACK: [u8; 3] = [0, 0, 0];
const GRID: [u8; 3] = [225, 225, 225];
const RAW: [u8; 3] = [90, 90, 90];
const WS2: [u8; 3] = [220, 110, 20];

struct Canvas {
    px: Vec<u8>,
}

impl Canvas {
    fn new() -> Canvas {
        Canvas {
            px: WHITE.repeat(W * H),
        }
    }

    fn set(&mut self, x: i64, y: i64, c: [u8; 3]) {
        if (0..W as i64).contains(&x) && (0..H as i64).contains(&y) {
            let i = (y as usize * W + x as usize) * 3;
            self.px[i..i + 3].copy_from_slice(&c);
        }
    }

    fn rect(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, c: [u8; 3]) {
        for y in y0.min(y1)..=y0.max(y1) {
            for x in x0.min(x1)..=x0.max(x1) {
                self.set(x, y, c);
            }
        }
    }

    /// A line `width` pixels wide (Bresenham, stamped).
    fn line(&mut self, (x0, y0): (i64, i64), (x1, y1): (i64, i64), width: i64, c: [u8; 3]) {
        let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
        let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
        let (mut x, mut y, mut err) = (x0, y0, dx + dy);
        loop {
            self.rect(x, y, x + width - 1, y + width - 1, c);
            if x == x1 && y == y1 {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }

    /// Text in the 5x7 font, `scale` pixels per dot; lower case is drawn
    /// as upper case.
    fn text(&mut self, x: i64, y: i64, s: &str, scale: i64, c: [u8; 3]) {
        for (i, ch) in s.chars().enumerate() {
            let rows = glyph(ch.to_ascii_uppercase());
            for (r, bits) in rows.iter().enumerate() {
                for col in 0..5 {
                    if bits & (0x10 >> col) != 0 {
                        let (px, py) = (x + (i as i64 * 6 + col) * scale, y + r as i64 * scale);
                        self.rect(px, py, px + scale - 1, py + scale - 1, c);
                    }
                }
            }
        }
    }

    /// The image as a PNG: palette colours (every colour drawn is one of
    /// the few consts), rows deflated with fixed Huffman codes and runs of
    /// a repeated byte (LZ77 distance 1), which is what a chart is made of.
    fn png(&self) -> Vec<u8> {
        let palette = [WHITE, BLACK, GRID, RAW, WS2];
        let mut raw = Vec::with_capacity((W + 1) * H);
        for row in self.px.chunks(W * 3) {
            raw.push(0); // filter: none
            for p in row.chunks(3) {
                let index = palette.iter().position(|c| c[..] == *p).unwrap_or(0);
                raw.push(index as u8);
            }
        }
        let mut z = vec![0x78, 0x01];
        z.extend_from_slice(&deflate_runs(&raw));
        z.extend_from_slice(&adler32(&raw).to_be_bytes());
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&(W as u32).to_be_bytes());
        ihdr.extend_from_slice(&(H as u32).to_be_bytes());
        ihdr.extend_from_slice(&[8, 3, 0, 0, 0]); // 8-bit palette indices
        chunk(&mut out, b"IHDR", &ihdr);
        chunk(&mut out, b"PLTE", &palette.concat());
        chunk(&mut out, b"IDAT", &z);
        chunk(&mut out, b"IEND", &[]);
        out
    }
}

/// Bits written least significant first, as deflate packs them.
struct Bits {
    out: Vec<u8>,
    acc: u32,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= value << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code: sent most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        let reversed = code.reverse_bits() >> (32 - len);
        self.put(reversed, len);
    }

    /// A literal/length symbol of the fixed code (RFC 1951, 3.2.6).
    fn symbol(&mut self, sym: u32) {
        match sym {
            0..=143 => self.code(0x30 + sym, 8),
            144..=255 => self.code(0x190 + sym - 144, 9),
            256..=279 => self.code(sym - 256, 7),
            _ => self.code(0xC0 + sym - 280, 8),
        }
    }
}

/// One deflate block with the fixed codes: literals, and runs of the
/// previous byte as (length, distance 1) pairs.
fn deflate_runs(data: &[u8]) -> Vec<u8> {
    // (first length, extra bits) of length codes 257..=284; 285 is 258.
    const BASES: [(u32, u32); 28] = [
        (3, 0),
        (4, 0),
        (5, 0),
        (6, 0),
        (7, 0),
        (8, 0),
        (9, 0),
        (10, 0),
        (11, 1),
        (13, 1),
        (15, 1),
        (17, 1),
        (19, 2),
        (23, 2),
        (27, 2),
        (31, 2),
        (35, 3),
        (43, 3),
        (51, 3),
        (59, 3),
        (67, 4),
        (83, 4),
        (99, 4),
        (115, 4),
        (131, 5),
        (163, 5),
        (195, 5),
        (227, 5),
    ];
    let mut b = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    b.put(1, 1); // final block
    b.put(1, 2); // fixed Huffman codes
    let mut i = 0;
    while i < data.len() {
        let mut run = 0;
        if i > 0 {
            while i + run < data.len() && run < 258 && data[i + run] == data[i - 1] {
                run += 1;
            }
        }
        if run < 3 {
            b.symbol(u32::from(data[i]));
            i += 1;
            continue;
        }
        let len = run as u32;
        if len == 258 {
            b.symbol(285);
        } else {
            let k = BASES
                .iter()
                .rposition(|&(base, _)| base <= len)
                .unwrap_or(0);
            let (base, extra) = BASES[k];
            b.symbol(257 + k as u32);
            b.put(len - base, extra);
        }
        b.code(0, 5); // distance code 0: distance 1
        i += run;
    }
    b.symbol(256); // end of block
    if b.n > 0 {
        b.out.push(b.acc as u8);
    }
    b.out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

/// The 5x7 font: seven rows, five bits each (bit 4 leftmost).
fn glyph(c: char) -> [u8; 7] {
    match c {
        '0' => [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        '1' => [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        '2' => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        '3' => [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        '4' => [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        '5' => [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        '6' => [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        '7' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        '9' => [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        'A' => [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'B' => [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        'C' => [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
        'D' => [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        'E' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        'F' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        'G' => [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        'H' => [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'I' => [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        'J' => [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        'K' => [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        'L' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        'M' => [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11],
        'N' => [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        'O' => [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'P' => [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        'Q' => [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D],
        'R' => [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        'S' => [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        'T' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'U' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'V' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        'W' => [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A],
        'X' => [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        'Y' => [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04],
        'Z' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        '.' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C],
        ',' => [0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08],
        ':' => [0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00],
        '-' => [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00],
        '/' => [0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00],
        '(' => [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02],
        ')' => [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
        '=' => [0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00],
        '_' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F],
        _ => [0; 7],
    }
}

/// A named line: its colour and its (x, y) points.
type Series<'a> = (&'a str, [u8; 3], Vec<(f64, f64)>);

/// One panel: a log-x, linear-y chart of named series.
struct Panel<'a> {
    left: i64,
    title: &'a str,
    x_label: &'a str,
    x_max_decades: u32,
    series: Vec<Series<'a>>,
}

const TOP: i64 = 60;
const PLOT_W: i64 = 360;
const PLOT_H: i64 = 260;

fn draw(c: &mut Canvas, p: &Panel<'_>) {
    let y_max = p
        .series
        .iter()
        .flat_map(|s| s.2.iter().map(|v| v.1))
        .fold(0.0f64, f64::max)
        * 1.15;
    let y_max = if y_max > 0.0 { y_max } else { 1.0 };
    let (x0, y0) = (p.left, TOP + PLOT_H);
    let at = |x: f64, y: f64| -> (i64, i64) {
        let fx = x.max(1.0).log10() / f64::from(p.x_max_decades);
        (
            x0 + (fx * PLOT_W as f64) as i64,
            y0 - (y / y_max * PLOT_H as f64) as i64,
        )
    };
    c.text(p.left, TOP - 40, p.title, 2, BLACK);
    for tick in 0..=4 {
        let v = y_max / 4.0 * f64::from(tick);
        let (_, y) = at(1.0, v);
        c.line((x0, y), (x0 + PLOT_W, y), 1, GRID);
        let label = if y_max >= 10_000.0 {
            format!("{:.0}K", v / 1000.0)
        } else {
            format!("{v:.0}")
        };
        c.text(x0 - 8 - 6 * label.len() as i64, y - 3, &label, 1, BLACK);
    }
    for d in 0..=p.x_max_decades {
        let (x, _) = at(10f64.powi(d as i32), 0.0);
        c.line((x, TOP), (x, y0), 1, GRID);
        let label = 10u64.pow(d).to_string();
        c.text(x - 3 * label.len() as i64, y0 + 8, &label, 1, BLACK);
    }
    c.line((x0, TOP), (x0, y0), 1, BLACK);
    c.line((x0, y0), (x0 + PLOT_W, y0), 1, BLACK);
    c.text(
        x0 + PLOT_W / 2 - 3 * p.x_label.len() as i64,
        y0 + 24,
        p.x_label,
        1,
        BLACK,
    );
    for (i, (name, colour, points)) in p.series.iter().enumerate() {
        for w in points.windows(2) {
            c.line(at(w[0].0, w[0].1), at(w[1].0, w[1].1), 2, *colour);
        }
        for &(x, y) in points {
            let (px, py) = at(x, y);
            c.rect(px - 3, py - 3, px + 3, py + 3, *colour);
        }
        let ly = TOP + 10 + 14 * i as i64;
        c.rect(x0 + PLOT_W - 150, ly, x0 + PLOT_W - 140, ly + 6, *colour);
        c.text(x0 + PLOT_W - 134, ly, name, 1, BLACK);
    }
}

fn points(v: &Value, list: &str, x: &str, y: impl Fn(&Value) -> Option<f64>) -> Vec<(f64, f64)> {
    v[list]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|r| Some((r[x].as_f64()?, y(r)?)))
                .collect()
        })
        .unwrap_or_default()
}

fn run(input: &str, output: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(input).map_err(|e| format!("{input}: {e}"))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{input}: {e}"))?;
    if v["bench"] != "scale" {
        return Err(format!("{input} is not bench scale --json output"));
    }
    let mut c = Canvas::new();
    let rate = |k: &'static str| move |r: &Value| r[k].as_f64().map(|d| d / 1000.0);
    draw(
        &mut c,
        &Panel {
            left: 90,
            title: "datagrams/s (1000s), round-robin",
            x_label: "sockets",
            x_max_decades: 4,
            series: vec![
                (
                    "raw sendmsg",
                    RAW,
                    points(&v, "sockets", "sockets", rate("raw_dgram_per_s")),
                ),
                (
                    "ws2 send",
                    WS2,
                    points(&v, "sockets", "sockets", rate("ws2_dgram_per_s")),
                ),
            ],
        },
    );
    let pending = points(&v, "pending", "pending", |r| r["cpu_ns_per_op"].as_f64());
    if !pending.is_empty() {
        draw(
            &mut c,
            &Panel {
                left: 560,
                title: "CPU ns per overlapped send",
                x_label: "sends pending",
                x_max_decades: 5,
                series: vec![("ws2 send_to_port", WS2, pending)],
            },
        );
    }
    std::fs::write(output, c.png()).map_err(|e| format!("{output}: {e}"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: plot_scale SCALE.json OUT.png");
        return ExitCode::from(2);
    };
    match run(input, output) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("plot_scale: {e}");
            ExitCode::FAILURE
        }
    }
}
