//! SQLite store (embedded default). Placeholder being written.
