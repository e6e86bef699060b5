//! The IANA information-element registry (placeholder until generated).
