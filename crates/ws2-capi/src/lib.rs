//! C surface
