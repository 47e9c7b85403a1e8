//! The rows of one activity: the tables the importer writes, in the order
//! parents before children, and how an activity becomes their rows.
//!
//! Rows are built on the parser thread (see [`prepare`]) so that the writer
//! only binds values; both writers (SQLite and PostgreSQL) take the same rows.

use vaka_iati::model::{Activity, Narrative};
use vaka_iati::{Diagnostic, ParsedActivity};

use crate::analysis::{AREA_TAG, AnalysisRows, Analyzer, FACT, cube};
use crate::batch::{TableDef, Ty, Val};

/// A table the importer writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Table {
    Activity,
    ParticipatingOrg,
    RecipientCountry,
    RecipientRegion,
    Sector,
    Budget,
    Txn,
    Location,
    AreaTag,
    Fact,
    Diagnostic,
}

impl Table {
    /// Every table, parents before children (the order rows may be written in).
    pub const ALL: [Table; 11] = [
        Table::Activity,
        Table::ParticipatingOrg,
        Table::RecipientCountry,
        Table::RecipientRegion,
        Table::Sector,
        Table::Budget,
        Table::Txn,
        Table::Location,
        Table::AreaTag,
        Table::Fact,
        Table::Diagnostic,
    ];

    pub fn def(self) -> &'static TableDef {
        match self {
            Table::Activity => &ACTIVITY,
            Table::ParticipatingOrg => &PARTICIPATING_ORG,
            Table::RecipientCountry => &RECIPIENT_COUNTRY,
            Table::RecipientRegion => &RECIPIENT_REGION,
            Table::Sector => &SECTOR,
            Table::Budget => &BUDGET,
            Table::Txn => &TXN,
            Table::Location => &LOCATION,
            Table::AreaTag => &AREA_TAG,
            Table::Fact => &FACT,
            Table::Diagnostic => &DIAGNOSTIC,
        }
    }

    /// Position in [`Table::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// How the writer stores the activity document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DocForm {
    /// JSON text (PostgreSQL, which compresses large values itself).
    Text,
    /// LZ4-compressed JSON in a blob (SQLite; see `crate::doc`).
    Packed,
}

/// The columns the writer fills for every activity row, before the prepared ones.
pub(super) const ACTIVITY_PREFIX: usize = 3;

/// An activity with its rows built, waiting only for its id. Child rows lack
/// their first column, the activity id; the activity row lacks its first
/// [`ACTIVITY_PREFIX`] columns (id, dataset, import run).
pub(super) struct Prepared {
    pub identifier: String,
    pub line: u64,
    pub transactions: u64,
    pub activity: Vec<Val>,
    pub children: Vec<(Table, Vec<Val>)>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A diagnostic's row, with the ids the writer knows.
pub(super) fn diagnostic_row(
    dataset_id: i64,
    activity_id: Option<i64>,
    d: &Diagnostic,
    run_id: i64,
) -> Vec<Val> {
    vec![
        dataset_id.into(),
        activity_id.into(),
        d.activity.clone().into(),
        d.severity.as_str().into(),
        d.kind.as_str().into(),
        (d.line as i64).into(),
        d.path.clone().into(),
        d.message.clone().into(),
        run_id.into(),
    ]
}

static ACTIVITY: TableDef = TableDef {
    name: "activity",
    cols: &[
        ("id", Ty::I64),
        ("dataset_id", Ty::I64),
        ("import_run_id", Ty::I64),
        ("line", Ty::I64),
        ("iati_identifier", Ty::Text),
        ("reporting_org", Ty::Text),
        ("reporting_org_type", Ty::Text),
        ("reporting_org_name", Ty::Text),
        ("title", Ty::Text),
        ("description", Ty::Text),
        ("lang", Ty::Text),
        ("default_currency", Ty::Text),
        ("hierarchy", Ty::I64),
        ("status", Ty::Text),
        ("scope", Ty::Text),
        ("humanitarian", Ty::Bool),
        ("last_updated", Ty::Text),
        ("start_date", Ty::Text),
        ("end_date", Ty::Text),
        ("collaboration_type", Ty::Text),
        ("default_flow_type", Ty::Text),
        ("default_finance_type", Ty::Text),
        ("default_aid_type", Ty::Text),
        ("default_tied_status", Ty::Text),
        ("search_text", Ty::Text),
        ("doc", Ty::Text),
    ],
};

static PARTICIPATING_ORG: TableDef = TableDef {
    name: "participating_org",
    cols: &[
        ("activity_id", Ty::I64),
        ("seq", Ty::I64),
        ("role", Ty::Text),
        ("ref", Ty::Text),
        ("type", Ty::Text),
        ("org_activity_id", Ty::Text),
        ("name", Ty::Text),
    ],
};

static RECIPIENT_COUNTRY: TableDef = TableDef {
    name: "recipient_country",
    cols: &[
        ("activity_id", Ty::I64),
        ("seq", Ty::I64),
        ("code", Ty::Text),
        ("percentage", Ty::Text),
    ],
};

static RECIPIENT_REGION: TableDef = TableDef {
    name: "recipient_region",
    cols: &[
        ("activity_id", Ty::I64),
        ("seq", Ty::I64),
        ("code", Ty::Text),
        ("vocabulary", Ty::Text),
        ("percentage", Ty::Text),
    ],
};

static SECTOR: TableDef = TableDef {
    name: "sector",
    cols: &[
        ("activity_id", Ty::I64),
        ("seq", Ty::I64),
        ("vocabulary", Ty::Text),
        ("code", Ty::Text),
        ("percentage", Ty::Text),
    ],
};

static BUDGET: TableDef = TableDef {
    name: "budget",
    cols: &[
        ("activity_id", Ty::I64),
        ("seq", Ty::I64),
        ("type", Ty::Text),
        ("status", Ty::Text),
        ("period_start", Ty::Text),
        ("period_end", Ty::Text),
        ("value", Ty::Text),
        ("currency", Ty::Text),
        ("value_date", Ty::Text),
    ],
};

static TXN: TableDef = TableDef {
    name: "txn",
    cols: &[
        ("activity_id", Ty::I64),
        ("seq", Ty::I64),
        ("line", Ty::I64),
        ("type", Ty::Text),
        ("date", Ty::Text),
        ("value", Ty::Text),
        ("currency", Ty::Text),
        ("value_date", Ty::Text),
        ("provider_ref", Ty::Text),
        ("provider_activity_id", Ty::Text),
        ("provider_name", Ty::Text),
        ("receiver_ref", Ty::Text),
        ("receiver_activity_id", Ty::Text),
        ("receiver_name", Ty::Text),
        ("flow_type", Ty::Text),
        ("finance_type", Ty::Text),
        ("aid_type", Ty::Text),
        ("tied_status", Ty::Text),
        ("disbursement_channel", Ty::Text),
        ("humanitarian", Ty::Bool),
    ],
};

static LOCATION: TableDef = TableDef {
    name: "location",
    cols: &[
        ("activity_id", Ty::I64),
        ("seq", Ty::I64),
        ("name", Ty::Text),
        ("lat", Ty::F64),
        ("lon", Ty::F64),
        ("exactness", Ty::Text),
        ("location_class", Ty::Text),
    ],
};

static DIAGNOSTIC: TableDef = TableDef {
    name: "diagnostic",
    cols: &[
        ("dataset_id", Ty::I64),
        ("activity_id", Ty::I64),
        ("iati_identifier", Ty::Text),
        ("severity", Ty::Text),
        ("kind", Ty::Text),
        ("line", Ty::I64),
        ("path", Ty::Text),
        ("message", Ty::Text),
        ("import_run_id", Ty::I64),
    ],
};

fn first_text(n: &[Narrative], default_lang: Option<&str>) -> Option<String> {
    vaka_iati::model::pick_narrative(n, default_lang.unwrap_or("en"), default_lang)
        .map(str::to_string)
}

fn date_of(a: &Activity, types: &[&str]) -> Option<String> {
    types.iter().find_map(|t| {
        a.dates
            .iter()
            .find(|d| d.type_ == *t)
            .and_then(|d| d.iso_date.clone())
    })
}

/// All title and description narratives, in every language, one per line.
fn search_text(a: &Activity) -> String {
    let mut out = String::new();
    for n in a
        .title
        .iter()
        .chain(a.descriptions.iter().flat_map(|d| d.narratives.iter()))
    {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(n.text.trim());
    }
    out
}

thread_local! {
    /// The JSON document of the activity being prepared: one buffer per
    /// parser thread, reused, instead of a string grown anew for each one.
    static JSON: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Build the rows of one activity (without the ids the writer assigns).
/// `doc` says how the activity's JSON document is stored (see `crate::doc`);
/// the activity's facts are added to the file's `sums` for the cube.
pub(super) fn prepare(
    parsed: ParsedActivity,
    analyzer: &Analyzer,
    doc: DocForm,
    sums: &mut cube::Sums,
) -> Prepared {
    let ParsedActivity {
        activity: a,
        mut diagnostics,
    } = parsed;
    let analysis = if a.identifier.is_empty() {
        AnalysisRows::default()
    } else {
        analyzer.analyse(&a, Some(sums))
    };
    diagnostics.extend(analysis.diagnostics);
    let lang = a.lang.as_deref();
    let reporting = a.reporting_org.as_ref();
    let description = a
        .descriptions
        .iter()
        .find(|d| d.type_.as_deref().is_none_or(|t| t == "1"))
        .or(a.descriptions.first())
        .and_then(|d| first_text(&d.narratives, lang));
    let doc = JSON.with_borrow_mut(|json| {
        json.clear();
        if serde_json::to_writer(&mut *json, &a).is_err() {
            json.clear();
            json.extend_from_slice(b"{}");
        }
        match doc {
            DocForm::Text => Val::from(String::from_utf8_lossy(json).into_owned()),
            DocForm::Packed => Val::Blob(crate::doc::pack(json)),
        }
    });
    let activity = vec![
        Val::from(a.line as i64),
        Val::from(a.identifier.clone()),
        Val::from(a.reporting_org_ref().to_string()),
        Val::from(reporting.and_then(|r| r.type_.clone())),
        Val::from(reporting.and_then(|r| first_text(&r.name, lang))),
        Val::from(first_text(&a.title, lang)),
        Val::from(description),
        Val::from(a.lang.clone()),
        Val::from(a.default_currency.clone()),
        Val::from(a.hierarchy.map(i64::from)),
        Val::from(a.status.clone()),
        Val::from(a.scope.clone()),
        Val::from(a.humanitarian),
        Val::from(a.last_updated_datetime.clone()),
        Val::from(date_of(&a, &["2", "1"])),
        Val::from(date_of(&a, &["4", "3"])),
        Val::from(a.collaboration_type.clone()),
        Val::from(a.default_flow_type.clone()),
        Val::from(a.default_finance_type.clone()),
        Val::from(a.default_aid_types.first().map(|t| t.code.clone())),
        Val::from(a.default_tied_status.clone()),
        Val::from(search_text(&a)),
        doc,
    ];
    let mut children = Vec::new();
    for (i, p) in a.participating_orgs.iter().enumerate() {
        children.push((
            Table::ParticipatingOrg,
            vec![
                Val::from(i as i64),
                Val::from(p.role.clone()),
                Val::from(p.ref_.clone()),
                Val::from(p.type_.clone()),
                Val::from(p.activity_id.clone()),
                Val::from(first_text(&p.name, lang)),
            ],
        ));
    }
    for (i, c) in a.recipient_countries.iter().enumerate() {
        children.push((
            Table::RecipientCountry,
            vec![
                Val::from(i as i64),
                Val::from(c.code.clone()),
                Val::from(c.percentage.map(|p| p.to_string())),
            ],
        ));
    }
    for (i, r) in a.recipient_regions.iter().enumerate() {
        children.push((
            Table::RecipientRegion,
            vec![
                Val::from(i as i64),
                Val::from(r.code.clone()),
                Val::from(r.vocabulary.clone()),
                Val::from(r.percentage.map(|p| p.to_string())),
            ],
        ));
    }
    for (i, s) in a.sectors.iter().enumerate() {
        children.push((
            Table::Sector,
            vec![
                Val::from(i as i64),
                Val::from(s.vocabulary.clone()),
                Val::from(s.code.clone()),
                Val::from(s.percentage.map(|p| p.to_string())),
            ],
        ));
    }
    for (i, b) in a.budgets.iter().enumerate() {
        let currency = b
            .value
            .as_ref()
            .map(|v| a.currency_of(v).to_string())
            .unwrap_or_default();
        children.push((
            Table::Budget,
            vec![
                Val::from(i as i64),
                Val::from(b.type_.clone()),
                Val::from(b.status.clone()),
                Val::from(b.period_start.clone()),
                Val::from(b.period_end.clone()),
                Val::from(b.value.as_ref().map(|v| v.amount.to_string())),
                Val::from(currency),
                Val::from(b.value.as_ref().and_then(|v| v.value_date.clone())),
            ],
        ));
    }
    for (i, t) in a.transactions.iter().enumerate() {
        let currency = t
            .value
            .as_ref()
            .map(|v| a.currency_of(v).to_string())
            .unwrap_or_else(|| a.default_currency.clone().unwrap_or_default());
        let prov = t.provider_org.as_ref();
        let recv = t.receiver_org.as_ref();
        children.push((
            Table::Txn,
            vec![
                Val::from(i as i64),
                Val::from(t.line as i64),
                Val::from(t.type_.clone()),
                Val::from(t.date.clone()),
                Val::from(t.value.as_ref().map(|v| v.amount.to_string())),
                Val::from(currency),
                Val::from(t.value.as_ref().and_then(|v| v.value_date.clone())),
                Val::from(prov.and_then(|o| o.ref_.clone())),
                Val::from(prov.and_then(|o| o.activity_id.clone())),
                Val::from(prov.and_then(|o| first_text(&o.name, lang))),
                Val::from(recv.and_then(|o| o.ref_.clone())),
                Val::from(recv.and_then(|o| o.activity_id.clone())),
                Val::from(recv.and_then(|o| first_text(&o.name, lang))),
                Val::from(t.flow_type.clone()),
                Val::from(t.finance_type.clone()),
                Val::from(t.aid_types.first().map(|x| x.code.clone())),
                Val::from(t.tied_status.clone()),
                Val::from(t.disbursement_channel.clone()),
                Val::from(t.humanitarian),
            ],
        ));
    }
    for (i, l) in a.locations.iter().enumerate() {
        children.push((
            Table::Location,
            vec![
                Val::from(i as i64),
                Val::from(first_text(&l.name, lang)),
                Val::from(l.point.map(|p| p.lat)),
                Val::from(l.point.map(|p| p.lon)),
                Val::from(l.exactness.clone()),
                Val::from(l.location_class.clone()),
            ],
        ));
    }
    children.extend(analysis.tags.into_iter().map(|r| (Table::AreaTag, r)));
    children.extend(analysis.facts.into_iter().map(|r| (Table::Fact, r)));
    Prepared {
        identifier: a.identifier.clone(),
        line: a.line,
        transactions: a.transactions.len() as u64,
        activity,
        children,
        diagnostics,
    }
}
