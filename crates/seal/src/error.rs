//! Errors of the seal-imprint comparison engine, as data.
//!
//! Every message is bilingual: zh-TW first, English second. Decoding errors never carry the
//! input bytes, only what went wrong.

/// What can go wrong while reading or comparing seal imprints.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum SealError {
    /// The input was empty.
    #[error("影像為空 / the image is empty")]
    Empty,
    /// The input is larger than the byte limit.
    #[error(
        "影像檔過大（{size} 位元組，上限 {limit}）/ image file too large ({size} bytes, limit {limit})"
    )]
    TooManyBytes {
        /// Size of the input in bytes.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The image has more pixels than allowed (e.g. a decompression bomb).
    #[error(
        "影像像素過多（{width}×{height}，上限 {limit} 像素）/ image has too many pixels ({width}×{height}, limit {limit})"
    )]
    TooManyPixels {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// The configured pixel limit.
        limit: u64,
    },
    /// The decoder hit its memory limit (e.g. a decompression bomb).
    #[error("影像解碼超過記憶體上限 / image decoding exceeded the memory limit")]
    DecoderLimit,
    /// The image is too small to hold a seal imprint.
    #[error("影像過小（{width}×{height}）/ image too small ({width}×{height})")]
    TooSmall {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The bytes are not a PNG, JPEG or TIFF image.
    #[error(
        "影像格式不支援（僅接受 PNG、JPEG、TIFF）/ unsupported image format (PNG, JPEG or TIFF only)"
    )]
    UnsupportedFormat,
    /// The bytes look like a supported format but cannot be decoded.
    #[error("影像檔損毀或不完整：{detail} / malformed or truncated image: {detail}")]
    Malformed {
        /// Decoder's description (English).
        detail: String,
    },
    /// No red seal ink was found in the image.
    #[error("影像中找不到朱色印文 / no red seal imprint found in the image")]
    NoSealFound,
    /// A dataset or evaluation input is invalid.
    #[error("資料集格式錯誤：{0} / invalid dataset: {0}")]
    Dataset(String),
    /// A font could not be parsed.
    #[error("字型檔無法讀取：{0} / cannot read font: {0}")]
    Font(String),
    /// Encoding an output image failed.
    #[error("輸出影像編碼失敗：{0} / cannot encode output image: {0}")]
    Encode(String),
}
