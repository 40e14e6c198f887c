//! Shadow evaluation: what a candidate pack changes, and what it would have done to known outcomes.
