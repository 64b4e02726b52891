//! The dev server (being written).
use crate::build::BuildOptions;
use crate::error::Error;

/// Options of `stele serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub build: BuildOptions,
    pub bind: String,
    pub port: u16,
    pub open: bool,
    pub poll: bool,
}

/// Serves the site until interrupted.
pub fn serve(_options: ServeOptions) -> Result<(), Error> {
    Err(Error::Env("serve is not available in this build".into()))
}
