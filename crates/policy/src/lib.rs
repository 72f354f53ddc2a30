//! placeholder
mod glob;
pub mod keys;
pub mod policy;
