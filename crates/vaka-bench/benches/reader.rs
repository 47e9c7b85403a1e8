//! Reader throughput on the real 2.0x samples (Pacific + v2.0x files, held in
//! memory): (a) a bare quick-xml event pass, the ceiling; (b) the full
//! `ActivityReader`. Criterion reports both in MB/s.
//!
//! `cargo bench -p vaka-bench --bench reader`

use std::hint::black_box;
use std::io::Cursor;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn reader(c: &mut Criterion) {
    let samples: Vec<Arc<[u8]>> = match vaka_bench::samples() {
        Ok(s) => s.into_iter().map(|s| Arc::from(s.bytes)).collect(),
        Err(e) => {
            eprintln!("no samples: {e}");
            return;
        }
    };
    let total: u64 = samples.iter().map(|s| s.len() as u64).sum();
    // Parse the codelists and schema once, outside the measurement.
    let _ = vaka_bench::reader_pass(Cursor::new(samples[0].clone()));

    let mut group = c.benchmark_group("iati_2_0x_samples");
    group.throughput(Throughput::Bytes(total));
    group.sample_size(20);
    group.bench_function("bare_quick_xml_pass", |b| {
        b.iter(|| {
            for s in &samples {
                black_box(vaka_bench::bare_pass(&s[..]).ok());
            }
        })
    });
    group.bench_function("activity_reader", |b| {
        b.iter(|| {
            for s in &samples {
                black_box(vaka_bench::reader_pass(Cursor::new(s.clone())).ok());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, reader);
criterion_main!(benches);
