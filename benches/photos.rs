//! Generates the photographs of the image benchmark (benches/images.sh):
//! `cargo bench --bench photos -- --out DIR --count 200`.
//!
//! Each is a 4000 × 3000 (12-megapixel) JPEG at quality 90 with smooth
//! gradients and fine texture, so that it compresses like a photograph
//! (2-4 MB) rather than like noise or a flat colour. One in five carries an
//! EXIF orientation (all eight values among them); one in ten an Adobe RGB
//! (1998) ICC profile. Deterministic: the same count gives the same bytes.

use std::path::PathBuf;

#[path = "../tests/common/exif.rs"]
mod exif;

use image::ImageEncoder;
use rayon::prelude::*;

fn main() {
    let mut out = None;
    let mut count = 200usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = args.next().map(PathBuf::from),
            "--count" => count = args.next().and_then(|c| c.parse().ok()).expect("--count N"),
            _ => {} // `cargo bench` adds `--bench`
        }
    }
    let Some(out) = out else {
        eprintln!("usage: cargo bench --bench photos -- --out DIR [--count N]");
        // `cargo test --all-targets` runs this without `--bench`: nothing to make then.
        std::process::exit(if std::env::args().any(|a| a == "--bench") { 2 } else { 0 });
    };
    std::fs::create_dir_all(&out).expect("create the output folder");
    let adobe = moxcms::ColorProfile::new_adobe_rgb().encode().expect("an Adobe RGB profile");
    (0..count).into_par_iter().for_each(|i| {
        let path = out.join(format!("photo-{i:03}.jpg"));
        let orientation = (i % 5 == 1).then_some((i / 5 % 8 + 1) as u16);
        let icc = (i % 10 == 3).then(|| adobe.clone());
        std::fs::write(&path, photo(i, orientation, icc)).expect("write a photograph");
    });
    eprintln!("{count} photographs in {}", out.display());
}

fn photo(seed: usize, orientation: Option<u16>, icc: Option<Vec<u8>>) -> Vec<u8> {
    let (w, h) = (4000u32, 3000u32);
    let s = seed as f32 * 0.37;
    let mut state = seed as u32 ^ 0x9E37_79B9;
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        // xorshift: fine grain, like sensor noise
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let grain = (state % 12) as f32;
        let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
        let wave = ((fx * 7.0 + s).sin() * (fy * 5.0 - s).cos() + 1.0) * 60.0;
        image::Rgb([
            (90.0 + wave + fx * 60.0 + grain) as u8,
            (70.0 + wave * 0.8 + fy * 50.0 + grain) as u8,
            (50.0 + (fx + fy) * 40.0 + grain) as u8,
        ])
    });
    let mut bytes = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90);
    if let Some(icc) = icc {
        encoder.set_icc_profile(icc).expect("JPEG takes ICC profiles");
    }
    encoder.write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8).expect("encode");
    match orientation {
        Some(o) => exif::with_exif_orientation(&bytes, o),
        None => bytes,
    }
}
