//! What the pages of the framework at work share: the audit-log table of an
//! object, and the 409 notice that tells a person what changed since the
//! version they saw.

use maud::{Markup, html};
use serde_json::Value;
use vaka_store::audit::AuditRecord;

use super::Ctx;

/// The audit log of an object (or of a meeting and its action items), oldest first.
pub fn table(ctx: &Ctx, history: &[AuditRecord]) -> Markup {
    html! {
        h2 { (ctx.t("hist.title")) }
        table.history {
            thead { tr { th { (ctx.t("hist.when")) } th { (ctx.t("hist.who")) } th { (ctx.t("hist.what")) } } }
            tbody {
                @for h in history {
                    tr {
                        td { (h.at) }
                        td { (h.actor) }
                        td {
                            (h.action) " " span.muted { (h.object_type) " " (h.object_id) }
                            (changes(h))
                        }
                    }
                }
            }
        }
    }
}

/// Fields that differ between an entry's before and after documents.
fn changed_fields(h: &AuditRecord) -> Vec<(String, String, String)> {
    let parse = |s: &Option<String>| {
        s.as_deref()
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
    };
    let (Some(Value::Object(before)), Some(Value::Object(after))) =
        (parse(&h.before), parse(&h.after))
    else {
        return Vec::new();
    };
    let show = |v: Option<&Value>| match v {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    };
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !matches!(k.as_str(), "version" | "reviewed_at" | "reviewed_by"))
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| (k.clone(), show(before.get(k)), show(after.get(k))))
        .collect()
}

fn changes(h: &AuditRecord) -> Markup {
    let fields = changed_fields(h);
    html! {
        @if !fields.is_empty() {
            ul.changes {
                @for (k, old, new) in &fields {
                    li { code { (k) } ": " del { (old) } " → " ins { (new) } }
                }
            }
        }
    }
}

/// The version an entry's `before` document was at (`None` for a creation or a
/// document without a version).
fn before_version(h: &AuditRecord) -> Option<i64> {
    let v: Value = serde_json::from_str(h.before.as_deref()?).ok()?;
    v.get("version")?.as_i64()
}

/// Entries written since the person saw version `seen`.
pub fn since(history: &[AuditRecord], seen: i64) -> Vec<AuditRecord> {
    history
        .iter()
        .filter(|h| before_version(h).is_some_and(|v| v >= seen))
        .cloned()
        .collect()
}

/// The notice of a refused stale write: the versions, and each change made
/// since the one the person saw, field by field.
pub fn conflict_notice(ctx: &Ctx, seen: i64, now: i64, changed: &[AuditRecord]) -> Markup {
    let versions = ctx
        .t("conflict.versions")
        .replace("{seen}", &seen.to_string())
        .replace("{now}", &now.to_string());
    html! {
        div.box.error role="alert" id="conflict" {
            p { (ctx.t("conflict.notice")) }
            p { (versions) }
            ul {
                @for h in changed {
                    li { (h.at) " — " (h.actor) ": " (h.action) (changes(h)) }
                }
            }
        }
    }
}
