//! Certificate times in OpenSSL's `ASN1_TIME_print` format, which Joy prints:
//! "Mar 31 18:28:35 2017 GMT" (day padded with a space to two characters).

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// (year, month 1..=12, day 1..=31) of a day count since 1970-01-01, by the
/// proleptic Gregorian calendar (era arithmetic over 400-year cycles).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Formats seconds since the epoch as `ASN1_TIME_print` does.
pub fn openssl_time(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    let month = MONTHS.get((m as usize).saturating_sub(1)).unwrap_or(&"???");
    format!(
        "{month} {d:>2} {:02}:{:02}:{:02} {y} GMT",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::openssl_time;

    #[test]
    fn known_dates() {
        // Joy's unit test certificate: notBefore Mar 31 18:28:35 2017 GMT = 1490984915
        // (date -u -d @1490984915).
        assert_eq!(openssl_time(1_490_984_915), "Mar 31 18:28:35 2017 GMT");
        assert_eq!(openssl_time(0), "Jan  1 00:00:00 1970 GMT");
        // 2000-02-29 12:00:00 UTC, a leap day in a century leap year.
        assert_eq!(openssl_time(951_825_600), "Feb 29 12:00:00 2000 GMT");
        assert_eq!(openssl_time(-1), "Dec 31 23:59:59 1969 GMT");
    }
}
