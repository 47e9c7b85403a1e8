//! The JSON shape the store and the API keep for a release.
//!
//! The top-level keys are a contract (`id`, `title`, `date`, `url`,
//! `ministers`, `countries`, `areas`, `frameworks`, `amounts`, `people`,
//! `commitments`); everything else (evidence, regions, dates, qualifiers,
//! commitment links) goes under `details`. This module must not compute
//! anything that [`crate::extract`] did not find.

use serde_json::{Value, json};

use crate::extract::{Extraction, Finding};
use crate::release::Release;

fn ids(list: &[Finding]) -> Vec<&str> {
    list.iter().map(|f| f.id.as_str()).collect()
}

fn evidence(list: &[Finding]) -> Vec<Value> {
    list.iter()
        .map(|f| json!({"id": f.id, "evidence": f.evidence, "mentions": f.mentions}))
        .collect()
}

/// The release and its extraction as the agreed JSON object, stored under `id`.
pub fn to_json(id: i64, release: &Release, ex: &Extraction) -> Value {
    json!({
        "id": id,
        "title": release.title,
        "date": release.date.to_string(),
        "url": release.url,
        "ministers": release
            .ministers
            .iter()
            .map(|m| json!({"name": m.name, "portfolios": m.portfolios}))
            .collect::<Vec<_>>(),
        "countries": ids(&ex.countries),
        "areas": ids(&ex.areas),
        "frameworks": ids(&ex.frameworks),
        "amounts": ex
            .amounts
            .iter()
            .map(|a| json!({"value": a.value.to_string(), "currency": a.currency, "evidence": a.evidence}))
            .collect::<Vec<_>>(),
        "people": ex
            .people
            .iter()
            .map(|p| json!({"name": p.name, "role": p.role}))
            .collect::<Vec<_>>(),
        "commitments": ex
            .commitments
            .iter()
            .map(|c| json!({"text": c.text, "status": c.status}))
            .collect::<Vec<_>>(),
        "details": {
            "issuing_country": ex.issuing_country,
            "ministers": release.ministers,
            "countries": evidence(&ex.countries),
            "regions": evidence(&ex.regions),
            "areas": evidence(&ex.areas),
            "frameworks": evidence(&ex.frameworks),
            "amounts": ex.amounts,
            "unresolved_amounts": ex.unresolved_amounts,
            "people": ex.people,
            "dates": ex.dates,
            "commitments": ex.commitments,
            "extra": release.extra,
        },
    })
}
