//! Tests of the QUIC Initial path: RFC test vectors and corpus captures.

mod corpus;
mod rfc;
