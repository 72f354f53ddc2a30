//! placeholder
mod glob;
pub mod keys;
