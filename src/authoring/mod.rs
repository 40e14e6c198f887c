//! Tools for rule authors: pack tests, shadow comparison, live swap.

pub(crate) mod casebook;
pub(crate) mod live;
pub(crate) mod shadow;
