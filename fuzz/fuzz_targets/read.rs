//! Fuzz target: any bytes given to the capture-file reader end in packets, a clean end or
//! an error — never a panic, a loop or a huge allocation — and the reader stays finished
//! after it.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use sluice::capfile::CaptureFile;

fuzz_target!(|data: &[u8]| {
    let len = data.len() as u64;
    let Ok(mut file) =
        CaptureFile::from_reader("fuzz", Box::new(Cursor::new(data.to_vec())), Some(len))
    else {
        return;
    };
    let _ = file.format();
    loop {
        match file.next_packet() {
            Ok(Some(p)) => {
                assert!(p.data.len() <= p.wire_len as usize);
                assert!(p.offset < len);
            }
            Ok(None) => break,
            Err(e) => {
                assert!(e.offset <= len);
                let _ = e.to_string();
                break;
            }
        }
    }
    assert!(file.bytes_read() <= len);
    assert!(matches!(file.next_packet(), Ok(None)));
});
