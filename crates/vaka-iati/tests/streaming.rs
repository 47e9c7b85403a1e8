//! The reader streams: it pulls input as activities are asked for, never the
//! whole file, so memory is bounded by the largest activity.

// Test helpers may unwrap: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;

use vaka_iati::ActivityReader;

/// A virtual file of `n` activities, generated as it is read.
struct Generated {
    n: usize,
    next: usize,
    pending: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.pending.len() {
            self.pending.clear();
            self.pos = 0;
            if self.next == 0 {
                self.pending
                    .extend_from_slice(b"<iati-activities version=\"2.03\">\n");
            }
            if self.next < self.n {
                let i = self.next;
                self.pending.extend_from_slice(
                    format!(
                        "<iati-activity><iati-identifier>XM-DAC-41114-{i}</iati-identifier>\
                         <reporting-org ref=\"XM-DAC-41114\" type=\"40\"><narrative>UNDP</narrative></reporting-org>\
                         <title><narrative>{}</narrative></title></iati-activity>\n",
                        "x".repeat(200)
                    )
                    .as_bytes(),
                );
                self.next += 1;
            } else if !self.done {
                self.pending.extend_from_slice(b"</iati-activities>\n");
                self.done = true;
            }
        }
        let n = (self.pending.len() - self.pos).min(buf.len());
        buf[..n].copy_from_slice(&self.pending[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn reads_activities_as_they_arrive() {
    let n = 40_000; // about 16 MB of XML
    let mut r = ActivityReader::from_reader(Generated {
        n,
        next: 0,
        pending: Vec::new(),
        pos: 0,
        done: false,
    })
    .unwrap();
    let first = r.next_activity().unwrap().unwrap();
    assert_eq!(first.activity.identifier, "XM-DAC-41114-0");
    assert!(
        r.bytes_consumed() < 1 << 20,
        "read {} bytes for one activity",
        r.bytes_consumed()
    );
    let mut count = 1;
    let mut last = String::new();
    while let Some(p) = r.next_activity().unwrap() {
        count += 1;
        last = p.activity.identifier;
    }
    assert_eq!(count, n);
    assert_eq!(last, format!("XM-DAC-41114-{}", n - 1));
    assert!(r.bytes_consumed() > 14_000_000);
}
