//! QR codes drawn natively in typst: one filled rectangle per run of dark modules, with the standard
//! four-module quiet zone. The verification URL of a printout is what they carry.

use std::fmt::Write as _;

use qrcode::{Color, EcLevel, QrCode};

/// The dark/light matrix of `data` (row-major, `width × width`), or `None` if it does not fit a QR
/// code.
pub fn matrix(data: &str) -> Option<(usize, Vec<bool>)> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect();
    Some((width, dark))
}

/// A typst expression drawing the QR code of `data` with modules of `module_pt` points.
pub fn typst_qr(data: &str, module_pt: f32) -> String {
    let Some((width, dark)) = matrix(data) else {
        return "text(size: 8pt)[（QR 碼無法產生 / QR code unavailable）]".to_string();
    };
    let quiet = 4.0;
    let side = (width as f32 + 2.0 * quiet) * module_pt;
    let mut s = format!("box(width: {side}pt, height: {side}pt, fill: white, {{ ");
    for y in 0..width {
        let mut x = 0;
        while x < width {
            if dark[y * width + x] {
                let start = x;
                while x < width && dark[y * width + x] {
                    x += 1;
                }
                let _ = write!(
                    s,
                    "place(top + left, dx: {}pt, dy: {}pt, rect(width: {}pt, height: {}pt, fill: black, stroke: none)); ",
                    (start as f32 + quiet) * module_pt,
                    (y as f32 + quiet) * module_pt,
                    (x - start) as f32 * module_pt,
                    module_pt
                );
            } else {
                x += 1;
            }
        }
    }
    s.push_str("})");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verification_url_fits_a_qr_code() {
        let (width, dark) = matrix("https://custos.example/verify/P-1140630-000123").unwrap();
        assert!(width >= 21);
        assert_eq!(dark.len(), width * width);
        // Finder pattern: the top-left module is dark.
        assert!(dark[0]);
    }
}
