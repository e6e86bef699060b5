//! Address and username anonymization at export, after Joy's `anon` and
//! `useranon` options: addresses inside configured subnets are replaced by their
//! Crypto-PAn form (prefix-preserving), and listed usernames found in HTTP request
//! URIs are replaced by keyed pseudonyms. See docs/anonymization.md.

mod anonymizer;
pub mod cryptopan;
pub mod error;
pub mod key;
pub mod subnets;
pub mod usernames;

pub use anonymizer::Anonymizer;
pub use cryptopan::CryptoPan;
pub use error::AnonError;
pub use key::AnonKey;
pub use subnets::SubnetSet;
pub use usernames::UsernameSet;
