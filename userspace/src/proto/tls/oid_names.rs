//! OpenSSL's long names (`OBJ_nid2ln`) for the object identifiers Joy prints:
//! name attributes, signature and public-key algorithms, X.509v3 extensions.
//! An OID missing here prints in dotted form, as OpenSSL does for unknown NIDs.

/// The OpenSSL long name of a dotted OID, if this table knows it.
pub fn long_name(dotted: &str) -> Option<&'static str> {
    Some(match dotted {
        // X.520 / PKCS#9 name attributes.
        "2.5.4.3" => "commonName",
        "2.5.4.4" => "surname",
        "2.5.4.5" => "serialNumber",
        "2.5.4.6" => "countryName",
        "2.5.4.7" => "localityName",
        "2.5.4.8" => "stateOrProvinceName",
        "2.5.4.9" => "streetAddress",
        "2.5.4.10" => "organizationName",
        "2.5.4.11" => "organizationalUnitName",
        "2.5.4.12" => "title",
        "2.5.4.15" => "businessCategory",
        "2.5.4.17" => "postalCode",
        "2.5.4.42" => "givenName",
        "2.5.4.97" => "organizationIdentifier",
        "1.2.840.113549.1.9.1" => "emailAddress",
        "0.9.2342.19200300.100.1.25" => "domainComponent",
        "1.3.6.1.4.1.311.60.2.1.1" => "jurisdictionLocalityName",
        "1.3.6.1.4.1.311.60.2.1.2" => "jurisdictionStateOrProvinceName",
        "1.3.6.1.4.1.311.60.2.1.3" => "jurisdictionCountryName",
        // Signature algorithms.
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.14" => "sha224WithRSAEncryption",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "ED25519",
        "1.3.101.113" => "ED448",
        // Public-key algorithms.
        "1.2.840.113549.1.1.1" => "rsaEncryption",
        "1.2.840.10045.2.1" => "id-ecPublicKey",
        "1.2.840.10040.4.1" => "dsaEncryption",
        "1.3.101.110" => "X25519",
        // X.509v3 extensions.
        "2.5.29.14" => "X509v3 Subject Key Identifier",
        "2.5.29.15" => "X509v3 Key Usage",
        "2.5.29.17" => "X509v3 Subject Alternative Name",
        "2.5.29.18" => "X509v3 Issuer Alternative Name",
        "2.5.29.19" => "X509v3 Basic Constraints",
        "2.5.29.30" => "X509v3 Name Constraints",
        "2.5.29.31" => "X509v3 CRL Distribution Points",
        "2.5.29.32" => "X509v3 Certificate Policies",
        "2.5.29.35" => "X509v3 Authority Key Identifier",
        "2.5.29.37" => "X509v3 Extended Key Usage",
        "1.3.6.1.5.5.7.1.1" => "Authority Information Access",
        "1.3.6.1.4.1.11129.2.4.2" => "CT Precertificate SCTs",
        "2.16.840.1.113730.1.1" => "Netscape Cert Type",
        "2.16.840.1.113730.1.13" => "Netscape Comment",
        _ => return None,
    })
}

/// Key size in bits OpenSSL reports for a named curve (the group order's bit length).
pub fn curve_bits(dotted: &str) -> Option<u32> {
    Some(match dotted {
        "1.2.840.10045.3.1.7" => 256, // prime256v1
        "1.3.132.0.34" => 384,        // secp384r1
        "1.3.132.0.35" => 521,        // secp521r1
        "1.3.132.0.10" => 256,        // secp256k1
        "1.2.840.10045.3.1.1" => 192, // prime192v1
        "1.3.132.0.33" => 224,        // secp224r1
        _ => return None,
    })
}

/// Joy copies names into a 32-byte buffer: at most 31 characters survive.
pub fn joy_truncate(name: &str) -> &str {
    match name.char_indices().nth(31) {
        Some((i, _)) => name.get(..i).unwrap_or(name),
        None => name,
    }
}
