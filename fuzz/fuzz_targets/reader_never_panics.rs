//! Property: `ActivityReader` never panics, whatever the bytes. It must end
//! with `Ok(None)` or a `ReadError`, after any number of activities.

#![no_main]

use libfuzzer_sys::fuzz_target;
use vaka_iati::ActivityReader;

fuzz_target!(|data: &[u8]| {
    let Ok(mut reader) = ActivityReader::from_reader(std::io::Cursor::new(data.to_vec())) else {
        return;
    };
    let _ = reader.header();
    // A bound on iterations guards against a reader that would never end.
    for _ in 0..100_000 {
        match reader.next_activity() {
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    let _ = reader.take_file_diagnostics();
    let _ = reader.bytes_consumed();
});
