//! The image cache: processed variants kept between builds, outside the
//! output, in `.stele-cache/images/` at the site's root (git-ignored).
//!
//! An entry is a folder named by the BLAKE3 hash of the source's bytes and
//! of the processing settings ([`super::process::Settings::fingerprint`]);
//! never by path or modification time, so a fresh checkout, a renamed photo
//! or a photo used by two articles all find their entry, and an edited photo
//! (or new widths or quality) gets a new one. It holds `meta.json` (the size
//! after rotation and the list of variants) and one file per variant
//! (`800.webp`, `800.jpg`). An entry is written into a temporary folder and
//! renamed into place, so a build that is killed never leaves half an entry
//! that a later build would trust.
//!
//! [`prune`] removes the entries no source used: `stele build` calls it after
//! a successful build. `serve` and `check` never remove anything.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use super::process::{Format, Processed};

/// The cache folder, relative to the site's root.
pub const CACHE_DIR: &str = ".stele-cache/images";

/// The key of a source under some settings.
pub fn key(bytes: &[u8], fingerprint: &str) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(fingerprint.as_bytes());
    hasher.update(&[0]);
    hasher.update(bytes);
    hasher.finalize().to_hex()[..32].to_string()
}

/// What an entry records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub width: u32,
    pub height: u32,
    pub variants: Vec<VariantMeta>,
}

/// One variant of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantMeta {
    pub format: Format,
    pub width: u32,
    pub height: u32,
}

impl VariantMeta {
    /// The variant's file name in its entry.
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.width, self.format.extension())
    }
}

/// The cache folder of one site.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

static TEMP_COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Cache {
    pub fn new(dir: PathBuf) -> Self {
        Cache { dir }
    }

    /// The folder of an entry.
    pub fn entry_dir(&self, key: &str) -> PathBuf {
        self.dir.join(key)
    }

    /// The entry for `key`, when it is complete.
    pub fn get(&self, key: &str) -> Option<Meta> {
        let dir = self.entry_dir(key);
        let text = std::fs::read(dir.join("meta.json")).ok()?;
        let meta: Meta = serde_json::from_slice(&text).ok()?;
        meta.variants.iter().all(|v| dir.join(v.file_name()).is_file()).then_some(meta)
    }

    /// Stores a processed image under `key`.
    pub fn put(&self, key: &str, processed: &Processed) -> Result<Meta, String> {
        let meta = Meta {
            width: processed.width,
            height: processed.height,
            variants: processed
                .variants
                .iter()
                .map(|v| VariantMeta { format: v.format, width: v.width, height: v.height })
                .collect(),
        };
        let fail =
            |path: &Path, e: std::io::Error| format!("cannot write the image cache at `{}` ({e})", path.display());
        std::fs::create_dir_all(&self.dir).map_err(|e| fail(&self.dir, e))?;
        let temp = self.dir.join(format!(
            ".tmp-{key}-{}-{}",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir(&temp).map_err(|e| fail(&temp, e))?;
        let write = || -> Result<(), String> {
            for (variant, encoded) in meta.variants.iter().zip(&processed.variants) {
                let path = temp.join(variant.file_name());
                std::fs::write(&path, &encoded.bytes).map_err(|e| fail(&path, e))?;
            }
            let json = serde_json::to_vec(&meta).map_err(|e| format!("cannot record the image's variants ({e})"))?;
            std::fs::write(temp.join("meta.json"), json).map_err(|e| fail(&temp, e))?;
            let target = self.entry_dir(key);
            if target.exists() {
                if self.get(key).is_some() {
                    // Another thread stored the same source meanwhile: its entry is as good.
                    let _ = std::fs::remove_dir_all(&temp);
                    return Ok(());
                }
                // An entry someone damaged (a file deleted by hand): replace it.
                std::fs::remove_dir_all(&target).map_err(|e| fail(&target, e))?;
            }
            std::fs::rename(&temp, &target).map_err(|e| fail(&target, e))
        };
        let result = write();
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&temp);
        }
        result.map(|()| meta)
    }
}

/// Removes every entry of `dir` whose key is not in `used` (and temporary
/// folders left by killed builds). Returns how many entries were removed.
pub fn prune(dir: &Path, used: &std::collections::HashSet<String>) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale_temp = name.strip_prefix(".tmp-").is_some_and(|rest| {
            // `.tmp-<key>-<pid>-<n>`: stale when its process is gone.
            let pid = rest.split('-').nth(1).and_then(|p| p.parse::<u32>().ok());
            pid.is_some_and(|pid| pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists())
        });
        let unused = !name.starts_with('.') && !used.contains(&name);
        if (stale_temp || unused)
            && entry.file_type().is_ok_and(|t| t.is_dir())
            && std::fs::remove_dir_all(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_entry_is_replaced() {
        use super::super::process::Encoded;
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().join("images"));
        let processed = Processed {
            width: 2,
            height: 1,
            variants: vec![Encoded { format: Format::Webp, width: 2, height: 1, bytes: b"w".to_vec() }],
        };
        let meta = cache.put("k", &processed).unwrap();
        assert_eq!(cache.get("k"), Some(meta.clone()));
        std::fs::remove_file(cache.entry_dir("k").join("2.webp")).unwrap();
        assert_eq!(cache.get("k"), None, "an entry missing a file is not trusted");
        cache.put("k", &processed).unwrap();
        assert_eq!(cache.get("k"), Some(meta));
    }

    #[test]
    fn keys_follow_bytes_and_settings_only() {
        assert_eq!(key(b"abc", "s1"), key(b"abc", "s1"));
        assert_ne!(key(b"abc", "s1"), key(b"abd", "s1"));
        assert_ne!(key(b"abc", "s1"), key(b"abc", "s2"));
        assert_eq!(key(b"abc", "s1").len(), 32);
    }
}
