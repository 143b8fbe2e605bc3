//! The category taxonomy lives in the `entities` crate, shared with the search indexer.

pub use entities::taxonomy::*;
