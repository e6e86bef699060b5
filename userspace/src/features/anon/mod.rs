//! Address and username anonymization at export, after Joy's `anon` and
//! `useranon` options: addresses inside configured subnets are replaced by their
//! Crypto-PAn form (prefix-preserving), and listed usernames found in HTTP request
//! URIs are replaced by keyed pseudonyms. See docs/anonymization.md.

pub mod cryptopan;
pub mod error;

pub use cryptopan::CryptoPan;
pub use error::AnonError;
