//! placeholder
pub mod decide;
mod glob;
pub mod keys;
pub mod policy;
pub mod token;
