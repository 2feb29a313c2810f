//! cargo-fuzz target: the seal intake and extraction must never panic on any bytes.
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run intake -s none -- -max_total_time=30` (from the repo root).
#![no_main]

use custos_seal::extract::extract;
use custos_seal::intake::{IntakeLimits, decode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = IntakeLimits { max_pixels: 4_000_000, ..IntakeLimits::default() };
    if let Ok(scan) = decode(data, &limits) {
        let _ = extract(&scan);
    }
});
