//! JA3 and JA3S (Salesforce): comma-separated decimal fields, values joined
//! by '-', GREASE values left out; the fingerprint is the MD5 of the string.

use md5::{Digest, Md5};

use super::grease::is_grease;
use super::hello::{ClientHello, ServerHello};
use super::hex::hex;

/// Appends `values` in decimal, joined by '-'.
fn join(out: &mut String, values: impl Iterator<Item = u16>) {
    let mut digits = itoa::Buffer::new();
    for (i, v) in values.enumerate() {
        if i > 0 {
            out.push('-');
        }
        out.push_str(digits.format(v));
    }
}

/// The JA3 string: `version,ciphers,extensions,groups,point_formats`.
pub fn ja3_string(ch: &ClientHello) -> String {
    let not_grease = |v: &u16| !is_grease(*v);
    let mut s = String::with_capacity(256);
    s.push_str(itoa::Buffer::new().format(ch.version()));
    s.push(',');
    join(&mut s, ch.ciphers().iter().copied().filter(not_grease));
    s.push(',');
    join(&mut s, ch.extension_types().filter(not_grease));
    s.push(',');
    join(&mut s, ch.groups().iter().copied().filter(not_grease));
    s.push(',');
    join(&mut s, ch.point_formats().iter().map(|&p| u16::from(p)));
    s
}

/// The JA3S string: `version,cipher,extensions`.
pub fn ja3s_string(sh: &ServerHello) -> String {
    let mut s = String::with_capacity(64);
    let mut digits = itoa::Buffer::new();
    s.push_str(digits.format(sh.version()));
    s.push(',');
    s.push_str(digits.format(sh.cipher()));
    s.push(',');
    join(&mut s, sh.extension_types().filter(|v| !is_grease(*v)));
    s
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
