//! Bounded mutational fuzzing of the intake (and extraction) on stable Rust.
//!
//! Valid PNG, JPEG and TIFF scans are mutated with a seeded ChaCha RNG (bit flips, byte
//! overwrites, truncation, splices, header dimension patches) and fed to `intake::decode` and,
//! when they decode, to `extract`. Every input must give `Ok` or an `Err`, never a panic.
//! Iterations: `SEAL_FUZZ_ITERS` (default 400); `scripts/test` may raise it for a longer run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::io::Cursor;

use custos_seal::extract::extract;
use custos_seal::intake::{IntakeLimits, decode};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

fn seed_images() -> Vec<Vec<u8>> {
    let mut img = image::RgbImage::from_pixel(48, 40, image::Rgb([240, 236, 226]));
    for y in 10..30 {
        for x in 12..36 {
            if !(15..=32).contains(&x) || !(13..=26).contains(&y) || (x + y) % 7 == 0 {
                img.put_pixel(x, y, image::Rgb([200, 40, 50]));
            }
        }
    }
    let mut out = Vec::new();
    for format in [
        image::ImageFormat::Png,
        image::ImageFormat::Jpeg,
        image::ImageFormat::Tiff,
    ] {
        let mut c = Cursor::new(Vec::new());
        img.write_to(&mut c, format).unwrap();
        out.push(c.into_inner());
    }
    out
}

fn mutate(rng: &mut ChaCha8Rng, base: &[u8]) -> Vec<u8> {
    let mut b = base.to_vec();
    let rounds = 1 + rng.next_u64() % 4;
    for _ in 0..rounds {
        if b.is_empty() {
            break;
        }
        let len = b.len() as u64;
        let at = (rng.next_u64() % len) as usize;
        match rng.next_u64() % 6 {
            0 => b[at] ^= 1 << (rng.next_u64() % 8),
            1 => b[at] = rng.next_u64() as u8,
            2 => b.truncate(at),
            3 => {
                let n = (rng.next_u64() % 64) as usize;
                let chunk: Vec<u8> = b[at..(at + n).min(b.len())].to_vec();
                let to = (rng.next_u64() % len) as usize;
                b.splice(to..to, chunk);
            }
            4 => {
                // Patch a 32-bit big- or little-endian word with a huge value (dimension fields).
                if at + 4 <= b.len() {
                    let v = [0xFF, 0xFF, 0x7F, 0x00][(rng.next_u64() % 4) as usize];
                    b[at..at + 4].copy_from_slice(&[v, v, v, v]);
                }
            }
            _ => {
                let n = (rng.next_u64() % 16) as usize;
                b.extend((0..n).map(|_| rng.next_u64() as u8));
            }
        }
    }
    b
}

#[test]
fn mutated_png_jpeg_and_tiff_scans_never_panic_the_intake() {
    let iters: u64 = std::env::var("SEAL_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let seeds = seed_images();
    let limits = IntakeLimits {
        max_pixels: 4_000_000,
        ..IntakeLimits::default()
    };
    let mut rng = ChaCha8Rng::seed_from_u64(0x5EA1);
    let (mut ok, mut err) = (0u64, 0u64);
    for i in 0..iters {
        let base = &seeds[(i % seeds.len() as u64) as usize];
        let input = mutate(&mut rng, base);
        match decode(&input, &limits) {
            Ok(scan) => {
                ok += 1;
                let _ = extract(&scan);
            }
            Err(e) => {
                err += 1;
                assert!(
                    e.to_string().contains("/ "),
                    "bilingual error expected: {e}"
                );
            }
        }
    }
    assert_eq!(ok + err, iters);
}

#[test]
fn random_bytes_and_wrong_formats_are_clear_errors() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let limits = IntakeLimits::default();
    for n in [1usize, 3, 8, 100, 5000] {
        let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
        assert!(decode(&bytes, &limits).is_err());
    }
    for bad in [
        &b"GIF89a"[..],
        b"BM\x00\x00",
        b"%PDF-1.4",
        b"<svg xmlns=",
        b"RIFF\x00\x00\x00\x00WEBP",
    ] {
        let e = decode(bad, &limits).unwrap_err();
        assert!(e.to_string().contains("PNG, JPEG or TIFF only"), "{e}");
    }
}

/// The seed corpus of the libFuzzer target (`crates/seal/fuzz/seeds/`): the same tiny PNG, JPEG
/// and TIFF scans. Checks that the committed seeds decode; with `SEAL_FUZZ_WRITE_SEEDS=1` it
/// rewrites them.
#[test]
fn committed_fuzz_seeds_are_valid_scans() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let names = ["scan.png", "scan.jpg", "scan.tif"];
    if std::env::var_os("SEAL_FUZZ_WRITE_SEEDS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in names.iter().zip(seed_images()) {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
    for name in names {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let scan = decode(&bytes, &IntakeLimits::default()).unwrap();
        assert_eq!((scan.width, scan.height), (48, 40), "{name}");
    }
}
