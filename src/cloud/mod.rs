//! cloud (being written).
