//! `stele check` (being written).
use crate::build::BuildOptions;
use crate::error::Error;

/// Checks the whole site; Err lists every problem.
pub fn check(_options: &BuildOptions) -> Result<String, Error> {
    Err(Error::Env("check is not available in this build".into()))
}
