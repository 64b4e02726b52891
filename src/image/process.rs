//! Turning one photograph's bytes into its variants: decode, apply the EXIF
//! orientation, convert its colour profile to sRGB, resize to each width of
//! the ladder (fast_image_resize, SIMD) and encode each width twice: WebP
//! (lossy, libwebp) and the original format (JPEG or PNG).
//!
//! Pure: bytes and settings in, encoded variants out; no file system, no
//! clock. It must never panic or abort on bad input: the size is read from
//! the header and checked against the memory budget *before* any pixel is
//! decoded, decoding runs under `image`'s allocation limit, and every error
//! is returned as a sentence for the caller to attach to the file.

use std::io::Cursor;

use fast_image_resize as fr;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader};

/// How images are processed (from site.toml `[images]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The ladder of widths, ascending, deduplicated.
    pub widths: Vec<u32>,
    /// JPEG and WebP quality, 1 to 100.
    pub quality: u8,
    /// How many bytes of decoded pixels may be held at once, over all threads.
    pub memory_budget: u64,
}

impl Settings {
    /// What changes the bytes of the variants: part of every cache key.
    pub fn fingerprint(&self) -> String {
        format!("stele-images-v1 widths={:?} quality={}", self.widths, self.quality)
    }
}

/// The formats a variant is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Webp,
    Jpeg,
    Png,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Webp => "webp",
            Format::Jpeg => "jpg",
            Format::Png => "png",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Webp => "image/webp",
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
        }
    }
}

/// One encoded variant.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub format: Format,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

/// A processed image: its size after rotation, and its variants.
#[derive(Debug, Clone)]
pub struct Processed {
    pub width: u32,
    pub height: u32,
    pub variants: Vec<Encoded>,
}

/// Whether a file name is one of the raster formats stele processes.
pub fn is_processable(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".jpg") || lower.ends_with(".jpeg") || lower.ends_with(".png")
}

/// The bytes of decoded pixels processing an image of this size holds at its
/// peak: the decoded image, its rotated copy, and the largest resized one.
pub fn memory_needed(width: u32, height: u32) -> u64 {
    u64::from(width) * u64::from(height) * 4 * 2 + 16 * 1024 * 1024
}

/// Reads the width and height from the header, without decoding.
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), String> {
    let reader = reader(bytes)?;
    reader.into_dimensions().map_err(|e| format!("cannot decode the image ({e}), expected a JPEG or PNG file"))
}

fn reader(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, String> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("cannot read the image ({e})"))?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png) => Ok(reader),
        Some(other) => Err(format!("the file is {other:?} data, expected a JPEG or PNG file")),
        None => Err("the file is not an image stele can read, expected a JPEG or PNG file".into()),
    }
}

/// The widths an image of `width` pixels is published at: the ladder's
/// widths up to its own, and its own width when it is narrower than the
/// ladder's widest (so the largest variant is never smaller than needed).
pub fn ladder(width: u32, widths: &[u32]) -> Vec<u32> {
    let mut out: Vec<u32> = widths.iter().copied().filter(|&w| w <= width).collect();
    if widths.last().is_some_and(|&widest| width < widest) && !out.contains(&width) {
        out.push(width);
    }
    if out.is_empty() {
        out.push(width);
    }
    out
}

/// Processes one image. `budget` is the memory budget (see [`Settings`]).
pub fn process(bytes: &[u8], settings: &Settings) -> Result<Processed, String> {
    let reader = reader(bytes)?;
    let is_png = reader.format() == Some(ImageFormat::Png);
    let mut decoder = reader.into_decoder().map_err(|e| format!("cannot decode the image ({e})"))?;
    let (width, height) = decoder.dimensions();
    let needed = memory_needed(width, height);
    if needed > settings.memory_budget {
        return Err(format!(
            "the image is {width} × {height} pixels and would need {} MB to process, more than the memory budget of {} MB, expected a smaller image (or a larger `memory_mb` under [images] in site.toml)",
            needed / 1_000_000,
            settings.memory_budget / 1_000_000
        ));
    }
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(settings.memory_budget);
    decoder.set_limits(limits).map_err(|e| format!("cannot decode the image ({e})"))?;
    let icc = decoder.icc_profile().ok().flatten();
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let decoded = DynamicImage::from_decoder(decoder).map_err(|e| format!("cannot decode the image ({e})"))?;

    let alpha = decoded.color().has_alpha();
    let mut pixels = if alpha {
        DynamicImage::ImageRgba8(decoded.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(decoded.into_rgb8())
    };
    if let Some(icc) = icc {
        to_srgb(&mut pixels, &icc)?;
    }
    pixels.apply_orientation(orientation);
    let (width, height) = (pixels.width(), pixels.height());
    let channels: usize = if alpha { 4 } else { 3 };
    let pixel_type = if alpha { fr::PixelType::U8x4 } else { fr::PixelType::U8x3 };
    let original = if is_png { Format::Png } else { Format::Jpeg };

    let mut variants = Vec::new();
    let mut resizer = fr::Resizer::new();
    let options = fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
    // Widest first, each resized from the one before it: less work than
    // resizing every width from the full image, and as sharp.
    let mut current = fr::images::Image::from_vec_u8(width, height, pixels.into_bytes(), pixel_type)
        .map_err(|e| format!("cannot resize the image ({e})"))?;
    for &w in ladder(width, &settings.widths).iter().rev() {
        let h = ((u64::from(height) * u64::from(w) + u64::from(width) / 2) / u64::from(width)).max(1) as u32;
        if (w, h) != (current.width(), current.height()) {
            let mut next = fr::images::Image::new(w, h, pixel_type);
            resizer.resize(&current, &mut next, &options).map_err(|e| format!("cannot resize the image ({e})"))?;
            current = next;
        }
        let buffer = current.buffer();
        debug_assert_eq!(buffer.len(), w as usize * h as usize * channels);
        variants.push(Encoded {
            format: Format::Webp,
            width: w,
            height: h,
            bytes: webp(buffer, w, h, alpha, settings.quality),
        });
        variants.push(Encoded {
            format: original,
            width: w,
            height: h,
            bytes: encode(original, buffer, w, h, alpha, settings.quality)?,
        });
    }
    variants.sort_by_key(|v| (v.format, v.width));
    Ok(Processed { width, height, variants })
}

/// Converts pixels described by an ICC profile to sRGB. A profile that is
/// already sRGB, or that describes another colour space than the pixels'
/// (a CMYK profile on pixels the decoder already turned into RGB), is left
/// alone; a profile that cannot be read is an error rather than a silent
/// colour shift.
fn to_srgb(pixels: &mut DynamicImage, icc: &[u8]) -> Result<(), String> {
    use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};
    let source = ColorProfile::new_from_slice(icc)
        .map_err(|e| format!("cannot read the image's colour profile ({e:?}), expected a valid ICC profile"))?;
    if source.color_space != DataColorSpace::Rgb {
        return Ok(());
    }
    let srgb = ColorProfile::new_srgb();
    if is_srgb(&source, &srgb) {
        return Ok(());
    }
    let layout = if pixels.color().has_alpha() { Layout::Rgba } else { Layout::Rgb };
    let transform = source
        .create_transform_8bit(layout, &srgb, layout, TransformOptions::default())
        .map_err(|e| format!("cannot convert the image's colour profile to sRGB ({e:?})"))?;
    let bytes: &mut [u8] = match pixels {
        DynamicImage::ImageRgb8(img) => img,
        DynamicImage::ImageRgba8(img) => img,
        _ => return Ok(()),
    };
    let src = bytes.to_vec();
    transform.transform(&src, bytes).map_err(|e| format!("cannot convert the image's colour profile to sRGB ({e:?})"))
}

/// Whether a profile has sRGB's primaries (then converting would change nothing worth the time).
fn is_srgb(profile: &moxcms::ColorProfile, srgb: &moxcms::ColorProfile) -> bool {
    let close = |a: moxcms::Xyzd, b: moxcms::Xyzd| {
        (a.x - b.x).abs() < 0.002 && (a.y - b.y).abs() < 0.002 && (a.z - b.z).abs() < 0.002
    };
    close(profile.red_colorant, srgb.red_colorant)
        && close(profile.green_colorant, srgb.green_colorant)
        && close(profile.blue_colorant, srgb.blue_colorant)
        && profile.red_trc == srgb.red_trc
}

fn webp(pixels: &[u8], width: u32, height: u32, alpha: bool, quality: u8) -> Vec<u8> {
    let encoder = if alpha {
        webp::Encoder::from_rgba(pixels, width, height)
    } else {
        webp::Encoder::from_rgb(pixels, width, height)
    };
    encoder.encode(f32::from(quality)).to_vec()
}

fn encode(format: Format, pixels: &[u8], width: u32, height: u32, alpha: bool, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let color = if alpha { image::ExtendedColorType::Rgba8 } else { image::ExtendedColorType::Rgb8 };
    let result = match format {
        Format::Png => image::codecs::png::PngEncoder::new_with_quality(
            &mut out,
            image::codecs::png::CompressionType::Fast,
            image::codecs::png::FilterType::Adaptive,
        )
        .write_image(pixels, width, height, color),
        _ => image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
            .write_image(pixels, width, height, color),
    };
    result.map_err(|e| format!("cannot encode the image ({e})"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladder_never_exceeds_the_original() {
        let widths = [480, 800, 1200, 1600];
        assert_eq!(ladder(4000, &widths), [480, 800, 1200, 1600]);
        assert_eq!(ladder(1000, &widths), [480, 800, 1000]);
        assert_eq!(ladder(800, &widths), [480, 800]);
        assert_eq!(ladder(100, &widths), [100]);
    }
}
