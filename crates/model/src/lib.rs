//! Provenant's domain model.
