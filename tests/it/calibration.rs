//! Calibration: decisions held against outcomes, with exact expected numbers.
