//! Overlay image for a person: the registered imprint in red, the application imprint in blue,
//! their overlap in dark violet, differences highlighted in yellow-green, unknown (occluded)
//! pixels in grey, and the dissimilar blocks outlined.

use std::io::Cursor;

use crate::error::SealError;
use crate::score::{Aligned, BLOCKS, SCORE_N};

/// Blocks at or above this dissimilarity are outlined.
const OUTLINE_AT: f32 = 0.25;

/// Renders the overlay as RGB pixels (`SCORE_N × SCORE_N`, upscaled ×2).
pub fn render(al: &Aligned, block_map: &[Option<f32>]) -> image::RgbImage {
    let n = SCORE_N;
    let up = 2u32;
    let mut img =
        image::RgbImage::from_pixel(n as u32 * up, n as u32 * up, image::Rgb([255, 255, 255]));
    for i in 0..n * n {
        let colour = if al.extra[i] || al.missing[i] {
            if al.extra[i] {
                [255, 200, 0]
            } else {
                [0, 200, 80]
            }
        } else if al.unknown[i] {
            [200, 200, 200]
        } else {
            match (al.reference[i], al.candidate[i]) {
                (true, true) => [110, 30, 120],
                (true, false) => [230, 40, 40],
                (false, true) => [40, 80, 230],
                (false, false) => [255, 255, 255],
            }
        };
        let (x, y) = ((i % n) as u32 * up, (i / n) as u32 * up);
        for dy in 0..up {
            for dx in 0..up {
                img.put_pixel(x + dx, y + dy, image::Rgb(colour));
            }
        }
    }
    let (gx, gy, side) = al.grid;
    for (k, d) in block_map.iter().enumerate() {
        let Some(d) = d else { continue };
        if *d < OUTLINE_AT {
            continue;
        }
        let (bx, by) = ((k % BLOCKS) as f32, (k / BLOCKS) as f32);
        let x0 = ((gx + bx * side) * up as f32).max(0.0) as u32;
        let y0 = ((gy + by * side) * up as f32).max(0.0) as u32;
        let x1 = (((gx + (bx + 1.0) * side) * up as f32) as u32).min(img.width() - 1);
        let y1 = (((gy + (by + 1.0) * side) * up as f32) as u32).min(img.height() - 1);
        for x in x0..=x1 {
            for y in [y0.min(y1), y1] {
                img.put_pixel(x, y, image::Rgb([250, 120, 0]));
            }
        }
        for y in y0..=y1 {
            for x in [x0.min(x1), x1] {
                img.put_pixel(x, y, image::Rgb([250, 120, 0]));
            }
        }
    }
    img
}

/// Renders the overlay and encodes it as PNG.
pub fn render_png(al: &Aligned, block_map: &[Option<f32>]) -> Result<Vec<u8>, SealError> {
    let img = render(al, block_map);
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| SealError::Encode(e.to_string()))?;
    Ok(out.into_inner())
}
