//! JA3 and JA3S (Salesforce): comma-separated decimal fields, values joined
//! by '-', GREASE values left out; the fingerprint is the MD5 of the string.

use md5::{Digest, Md5};

use super::grease::is_grease;
use super::hello::{ClientHello, ServerHello};
use super::hex::hex;

fn join<T: std::fmt::Display>(values: impl Iterator<Item = T>) -> String {
    let v: Vec<String> = values.map(|x| x.to_string()).collect();
    v.join("-")
}

/// The JA3 string: `version,ciphers,extensions,groups,point_formats`.
pub fn ja3_string(ch: &ClientHello) -> String {
    let not_grease = |v: &u16| !is_grease(*v);
    format!(
        "{},{},{},{},{}",
        ch.version(),
        join(ch.ciphers().iter().filter(|v| not_grease(v))),
        join(ch.extension_types().filter(not_grease)),
        join(ch.groups().iter().filter(|v| not_grease(v))),
        join(ch.point_formats().iter()),
    )
}

/// The JA3S string: `version,cipher,extensions`.
pub fn ja3s_string(sh: &ServerHello) -> String {
    format!(
        "{},{},{}",
        sh.version(),
        sh.cipher(),
        join(sh.extension_types().filter(|v| !is_grease(*v))),
    )
}

/// Lower-case hex MD5 of a JA3/JA3S string.
pub fn md5_hex(s: &str) -> String {
    hex(&Md5::digest(s.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::md5_hex;

    /// The example string and hash from the Salesforce ja3 README.
    #[test]
    fn salesforce_readme_example() {
        let s = "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0";
        assert_eq!(md5_hex(s), "ada70206e40642a3e4461f35503241d5");
    }
}
