//! Session and socket ids from the runtime's random source.

use super::runtime::Runtime;
use crate::{IdGenerator, RandomIds, Str};
use std::sync::Arc;

/// 20-character base64url ids like the reference's, from the runtime's randomness.
pub(crate) struct RuntimeIds(Arc<dyn Runtime>);

impl RuntimeIds {
    pub(crate) fn new(runtime: Arc<dyn Runtime>) -> Self {
        RuntimeIds(runtime)
    }
}

impl IdGenerator for RuntimeIds {
    fn sid(&mut self) -> Str {
        let runtime = &self.0;
        RandomIds::new(|buf: &mut [u8; 15]| runtime.fill_random(buf)).sid()
    }
}
