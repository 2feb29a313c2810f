//! libFuzzer target: `custos_seal::intake::decode` on arbitrary bytes, and the seal extraction on
//! whatever decodes. Every input must give `Ok` or an `Err` — a panic, an abort (for example an
//! allocation beyond the limits) or a hang is a crash that libFuzzer reports.
#![no_main]

use custos_seal::extract::extract;
use custos_seal::intake::{IntakeLimits, decode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The production limits, except a smaller pixel budget so that one input stays fast; the
    // limit checks themselves are the same code.
    let limits = IntakeLimits {
        max_pixels: 4_000_000,
        ..IntakeLimits::default()
    };
    if let Ok(scan) = decode(data, &limits) {
        assert_eq!(
            scan.rgb.len() as u64,
            u64::from(scan.width) * u64::from(scan.height) * 3
        );
        if u64::from(scan.width) * u64::from(scan.height) <= 300_000 {
            let _ = extract(&scan);
        }
    }
});
