//! `stele new` (being written).
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Writes content/articles/<slug>.md.
pub fn new_article(_root: &Path, _title: &str, _institutions: &[String], _date: Option<&str>) -> Result<PathBuf, Error> {
    Err(Error::Env("new is not available in this build".into()))
}

/// Writes content/institutions/<slug>.md.
pub fn new_institution(_root: &Path, _name: &str, _country: &str) -> Result<PathBuf, Error> {
    Err(Error::Env("new is not available in this build".into()))
}
