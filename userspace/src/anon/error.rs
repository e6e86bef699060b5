//! Errors from loading the anonymization configuration.

/// Why an anonymization file (subnets, usernames or key) could not be used:
/// the features' shared file error.
pub type AnonError = crate::error::FileError;
