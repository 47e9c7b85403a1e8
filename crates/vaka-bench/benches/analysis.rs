//! Analysis throughput on the real 2.0x samples, parsed once outside the
//! measurement: (a) classify + apportion every activity into facts for the
//! `nz-japan-2019` framework (`flatten`), in activities/s; (b) group the facts
//! and build the country × area disbursement matrix in USD, in facts/s.
//!
//! `cargo bench -p vaka-bench --bench analysis`

use std::hint::black_box;
use std::io::Cursor;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vaka_analysis::{
    Classify, Dim, Matrix, MatrixMeasure, MatrixRequest, NoNames, PartnerBy, flatten, group_facts,
};
use vaka_domain::{Framework, FxTable};
use vaka_iati::ActivityReader;
use vaka_iati::model::Activity;

fn activities() -> Vec<Activity> {
    let Ok(samples) = vaka_bench::samples() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for s in samples {
        let Ok(mut r) = ActivityReader::from_reader(Cursor::new(s.bytes)) else {
            continue;
        };
        while let Ok(Some(p)) = r.next_activity() {
            out.push(p.activity);
        }
    }
    out
}

fn analysis(c: &mut Criterion) {
    let acts = activities();
    let Some(fw) = Framework::bundled_by_id("nz-japan-2019") else {
        eprintln!("bundled framework nz-japan-2019 missing");
        return;
    };
    if acts.is_empty() {
        eprintln!("no sample activities");
        return;
    }
    let fx = FxTable::bundled();
    let rules = Classify::Rules(&NoNames);

    let mut group = c.benchmark_group("iati_2_0x_samples");
    group.sample_size(20);
    group.throughput(Throughput::Elements(acts.len() as u64));
    group.bench_function("flatten_activities", |b| {
        b.iter(|| {
            for a in &acts {
                black_box(flatten(a, &fw, &rules, &fx));
            }
        })
    });

    let facts: Vec<(&str, vaka_analysis::Fact)> = acts
        .iter()
        .flat_map(|a| {
            flatten(a, &fw, &rules, &fx)
                .facts
                .into_iter()
                .map(|f| (a.identifier.as_str(), f))
        })
        .collect();
    let req = MatrixRequest {
        framework: Some(fw.id.clone()),
        currency: "USD".into(),
        from_year: None,
        to_year: None,
        measure: MatrixMeasure::Disbursements,
        by: vec![Dim::Country, Dim::Area],
        partner_by: PartnerBy::Reporting,
    };
    group.throughput(Throughput::Elements(facts.len() as u64));
    group.bench_function("matrix_from_facts", |b| {
        b.iter(|| {
            let groups = group_facts(facts.iter().map(|(a, f)| (*a, f)), &req);
            black_box(Matrix::build(&req, &groups, &fx, Some(&fw)).ok())
        })
    });
    group.finish();
}

criterion_group!(benches, analysis);
criterion_main!(benches);
