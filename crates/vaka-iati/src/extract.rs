//! What the elements mean: one function per IATI element, each called right
//! after its start tag and returning once its end tag has been read.
//!
//! The extractor reads 2.0x elements and their 1.0x and pre-1.0 variants with
//! one set of rules: text written directly inside an element (1.0x) becomes a
//! single [`Narrative`]; dates written as text (1.0x) are used when the
//! `iso-date` attribute is absent; 1.0x codes arrive already normalised by the
//! cursor. A value that fails its check is left out (`None`, or the item is
//! dropped when the failing value is what identifies it, e.g. a sector's
//! code) and a [`crate::Diagnostic`] says why. Nothing is guessed.
//!
//! This module must not touch bytes, encodings or well-formedness: that is
//! the cursor's job.

use rust_decimal::Decimal;

use crate::cursor::Cursor;
use crate::lexical;
use crate::model::Tag as Tag_;
use crate::model::*;
use crate::reader::ReadError;
use crate::tags::Tag;
use crate::{DiagnosticKind as K, Severity as S};

type R<T> = Result<T, ReadError>;

/// Facts about the activity that the model does not keep but checks need.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub(crate) identifier_line: Option<u64>,
    pub(crate) title: bool,
    pub(crate) title_line: u64,
    pub(crate) status: bool,
}

/// Read one `<iati-activity>` (the cursor is on its start tag).
pub(crate) fn activity(c: &mut Cursor) -> R<(Activity, Seen)> {
    let mut a = Activity {
        line: c.line(),
        ..Activity::default()
    };
    let mut seen = Seen::default();
    a.default_currency = code(c, "default-currency");
    a.lang = c.lang().map(str::to_owned);
    a.hierarchy = attr(c, "hierarchy").and_then(|h| match lexical::parse_int(&h) {
        Ok(n) => i32::try_from(n).ok(),
        Err(_) => {
            c.diag(
                S::Error,
                K::InvalidDecimal,
                "@hierarchy",
                format!("`{h}` is not an integer"),
            );
            None
        }
    });
    a.humanitarian = bool_attr(c, "humanitarian");
    a.last_updated_datetime = datetime_attr(c, "last-updated-datetime");
    a.budget_not_provided = code(c, "budget-not-provided");
    a.linked_data_uri = attr(c, "linked-data-uri");

    while let Some(tag) = c.next_child()? {
        match tag {
            Tag::IatiIdentifier => {
                let line = c.line();
                let id = c.text_to_end()?;
                if seen.identifier_line.is_some() {
                    cardinality(c, "iati-identifier");
                } else {
                    seen.identifier_line = Some(line);
                    a.identifier = id;
                }
            }
            Tag::ReportingOrg => {
                let mut org = OrgRef {
                    ref_: attr(c, "ref"),
                    type_: code(c, "type"),
                    secondary_reporter: bool_attr(c, "secondary-reporter"),
                    ..OrgRef::default()
                };
                if org.ref_.as_deref().is_none_or(str::is_empty) {
                    missing_attr(
                        c,
                        "ref",
                        "the reporting organisation's identifier (e.g. `XM-DAC-41114`)",
                    );
                }
                org.ref_ = org.ref_.filter(|r| !r.is_empty());
                org.name = narratives(c)?;
                if a.reporting_org.is_some() {
                    cardinality(c, "reporting-org");
                } else {
                    a.reporting_org = Some(org);
                }
            }
            Tag::ParticipatingOrg => {
                let role = code(c, "role");
                if attr(c, "role").is_none() {
                    missing_attr(
                        c,
                        "role",
                        "the organisation's role (1 funding, 2 accountable, 3 extending, 4 implementing)",
                    );
                }
                let mut p = ParticipatingOrg {
                    role,
                    ref_: attr(c, "ref").filter(|r| !r.is_empty()),
                    type_: code(c, "type"),
                    activity_id: attr(c, "activity-id").filter(|r| !r.is_empty()),
                    crs_channel_code: code(c, "crs-channel-code"),
                    ..ParticipatingOrg::default()
                };
                p.name = narratives(c)?;
                a.participating_orgs.push(p);
            }
            Tag::Title => {
                if !seen.title {
                    seen.title_line = c.line();
                }
                seen.title = true;
                let n = narratives(c)?;
                a.title.extend(n);
            }
            Tag::Description => {
                let type_ = code(c, "type");
                let narratives = narratives(c)?;
                a.descriptions.push(Description { type_, narratives });
            }
            Tag::ActivityStatus => {
                seen.status = true;
                let status = required_code(c, "code");
                c.skip()?;
                set_once(c, &mut a.status, status, "activity-status");
            }
            Tag::ActivityDate => {
                if let Some(d) = activity_date(c)? {
                    a.dates.push(d);
                }
            }
            Tag::ContactInfo => a.contacts.push(contact(c)?),
            Tag::ActivityScope => {
                let scope = required_code(c, "code");
                c.skip()?;
                set_once(c, &mut a.scope, scope, "activity-scope");
            }
            Tag::RecipientCountry => {
                if let Some(rc) = recipient_country(c)? {
                    a.recipient_countries.push(rc);
                }
            }
            Tag::RecipientRegion => {
                if let Some(rr) = recipient_region(c)? {
                    a.recipient_regions.push(rr);
                }
            }
            Tag::Location => a.locations.push(location(c)?),
            Tag::Sector => {
                if let Some(s) = sector(c)? {
                    a.sectors.push(s);
                }
            }
            Tag::Keyword => {
                if let Some(t) = tag_element(c)? {
                    a.tags.push(t);
                }
            }
            Tag::PolicyMarker => {
                if let Some(p) = policy_marker(c)? {
                    a.policy_markers.push(p);
                }
            }
            Tag::CollaborationType => {
                simple_code(c, &mut a.collaboration_type, "collaboration-type")?
            }
            Tag::DefaultFlowType => simple_code(c, &mut a.default_flow_type, "default-flow-type")?,
            Tag::DefaultFinanceType => {
                simple_code(c, &mut a.default_finance_type, "default-finance-type")?
            }
            Tag::DefaultTiedStatus => {
                simple_code(c, &mut a.default_tied_status, "default-tied-status")?
            }
            Tag::DefaultAidType => {
                if let Some(t) = aid_type(c)? {
                    a.default_aid_types.push(t);
                }
            }
            Tag::CountryBudgetItems => {
                let items = country_budget_items(c)?;
                if a.country_budget_items.is_some() {
                    cardinality(c, "country-budget-items");
                } else {
                    a.country_budget_items = Some(items);
                }
            }
            Tag::HumanitarianScope => {
                if let Some(h) = humanitarian_scope(c)? {
                    a.humanitarian_scopes.push(h);
                }
            }
            Tag::Budget => {
                if let Some(b) = budget(c)? {
                    a.budgets.push(b);
                }
            }
            Tag::PlannedDisbursement => a.planned_disbursements.push(planned_disbursement(c)?),
            Tag::Transaction => a.transactions.push(transaction(c)?),
            Tag::DocumentLink => {
                if let Some(d) = document_link(c)? {
                    a.document_links.push(d);
                }
            }
            Tag::RelatedActivity => {
                if let Some(r) = related_activity(c)? {
                    a.related_activities.push(r);
                }
            }
            Tag::Conditions => {
                let conds = conditions(c)?;
                if a.conditions.is_some() {
                    cardinality(c, "conditions");
                } else {
                    a.conditions = Some(conds);
                }
            }
            Tag::Result => a.results.push(result(c)?),
            _ => c.skip()?,
        }
    }
    Ok((a, seen))
}

// ----- attribute helpers ----------------------------------------------------------

/// A non-empty attribute, trimmed.
fn attr(c: &Cursor, name: &str) -> Option<String> {
    c.attr(name).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// A coded attribute that passed its codelist check.
fn code(c: &Cursor, name: &str) -> Option<String> {
    c.code(name).map(str::to_owned)
}

/// A required coded attribute: reports it when absent or empty.
fn required_code(c: &mut Cursor, name: &str) -> Option<String> {
    if c.attr(name).is_none_or(str::is_empty) {
        missing_attr(c, name, "a code");
    }
    code(c, name)
}

fn missing_attr(c: &mut Cursor, name: &str, what: &str) {
    let el = c.name().to_owned();
    let message = if c.attr(name).is_some() {
        format!("`{el}` has an empty `{name}` attribute; it must hold {what}")
    } else {
        format!("`{el}` has no `{name}` attribute, which is required ({what})")
    };
    let kind = K::MissingAttribute;
    c.diag(S::Error, kind, &format!("@{name}"), message);
}

// Empty optional attributes count as absent here; in 2.0x files the schema
// walk still reports an empty value where a date, decimal or boolean is due.

fn bool_attr(c: &mut Cursor, name: &str) -> Option<bool> {
    let raw = c.attr(name).filter(|v| !v.is_empty())?.to_owned();
    match lexical::parse_bool(&raw) {
        Ok(b) => Some(b),
        Err(why) => {
            c.diag(
                S::Error,
                K::InvalidBoolean,
                &format!("@{name}"),
                format!("`{raw}` is not {why}"),
            );
            None
        }
    }
}

fn date_attr(c: &mut Cursor, name: &str) -> Option<String> {
    let raw = c.attr(name).filter(|v| !v.is_empty())?.to_owned();
    match lexical::parse_date(&raw) {
        Ok(d) => Some(d),
        Err(why) => {
            c.diag(
                S::Error,
                K::InvalidDate,
                &format!("@{name}"),
                format!("`{raw}` is not {why}"),
            );
            None
        }
    }
}

fn datetime_attr(c: &mut Cursor, name: &str) -> Option<String> {
    let raw = c.attr(name).filter(|v| !v.is_empty())?.to_owned();
    match lexical::check_datetime(&raw) {
        Ok(d) => Some(d.to_owned()),
        Err(why) => {
            c.diag(
                S::Error,
                K::InvalidDate,
                &format!("@{name}"),
                format!("`{raw}` is not {why}"),
            );
            None
        }
    }
}

fn percentage(c: &mut Cursor) -> Option<Decimal> {
    let raw = c.attr("percentage").filter(|v| !v.is_empty())?.to_owned();
    let why = match lexical::parse_decimal(&raw) {
        Ok(p) if (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&p) => return Some(p),
        Ok(_) => "a percentage between 0 and 100",
        Err(why) => why,
    };
    c.diag(
        S::Error,
        K::InvalidPercentage,
        "@percentage",
        format!("`{raw}` is not {why}"),
    );
    None
}

/// The vocabulary of a code, defaulting to `1` when absent. `None` (item to
/// be dropped) when it is present but not a valid code.
fn vocabulary(c: &Cursor) -> Option<String> {
    match c.attr("vocabulary") {
        None | Some("") => Some("1".to_owned()),
        Some(_) => code(c, "vocabulary"),
    }
}

fn cardinality(c: &mut Cursor, name: &str) {
    c.diag_closed(
        S::Error,
        K::Cardinality,
        "",
        format!("a second `{name}`; only one is allowed and the first is kept"),
    );
}

fn set_once(c: &mut Cursor, slot: &mut Option<String>, value: Option<String>, name: &str) {
    if slot.is_some() {
        cardinality(c, name);
    } else {
        *slot = value;
    }
}

/// Elements that are just a `@code` (collaboration-type, default-flow-type, …).
fn simple_code(c: &mut Cursor, slot: &mut Option<String>, name: &str) -> R<()> {
    let v = required_code(c, "code");
    c.skip()?;
    set_once(c, slot, v, name);
    Ok(())
}

// ----- text -----------------------------------------------------------------------

/// The narratives of the current element; 1.0x direct text becomes one
/// narrative in the element's own `xml:lang`. Empty narratives are dropped.
fn narratives(c: &mut Cursor) -> R<Narratives> {
    let own_lang = c.lang().map(str::to_owned);
    let mut out = Vec::new();
    while let Some(tag) = c.next_child()? {
        if tag == Tag::Narrative {
            let lang = c.lang().map(str::to_owned);
            let text = c.text_to_end()?;
            if !text.is_empty() {
                out.push(Narrative { lang, text });
            }
        } else {
            c.skip()?;
        }
    }
    if out.is_empty() && !c.closed_text().is_empty() {
        out.push(Narrative {
            lang: own_lang,
            text: c.closed_text().to_owned(),
        });
    }
    Ok(out)
}

/// A date element (`period-start`, `transaction-date`, …): `@iso-date`, or in
/// 1.0x files the text when the attribute is absent.
fn date_element(c: &mut Cursor) -> R<Option<String>> {
    let has_attr = c.attr("iso-date").is_some();
    let date = date_attr(c, "iso-date");
    let v1 = c.version().is_v1();
    c.skip()?;
    if has_attr {
        return Ok(date);
    }
    let text = c.closed_text().to_owned();
    if v1 && !text.is_empty() {
        return Ok(match lexical::parse_date(&text) {
            Ok(d) => Some(d),
            Err(why) => {
                c.diag_closed(
                    S::Error,
                    K::InvalidDate,
                    "",
                    format!("`{text}` is not {why}"),
                );
                None
            }
        });
    }
    c.diag_closed(
        S::Error,
        K::MissingAttribute,
        "@iso-date",
        "the date has no `iso-date` attribute, which is required".to_owned(),
    );
    Ok(None)
}

/// A `<value>`: amount as text, `@currency`, `@value-date`.
fn value(c: &mut Cursor) -> R<Option<Value>> {
    let currency = code(c, "currency");
    let value_date = date_attr(c, "value-date");
    if c.attr("value-date").is_none() && !c.version().is_v1() {
        missing_attr(c, "value-date", "the date used for currency conversion");
    }
    c.skip()?;
    let text = c.closed_text().to_owned();
    match lexical::parse_decimal(&text) {
        Ok(amount) => Ok(Some(Value {
            amount,
            currency,
            value_date,
        })),
        Err(why) => {
            c.diag_closed(
                S::Error,
                K::InvalidDecimal,
                "",
                format!("`{text}` is not {why}; the value is left out"),
            );
            Ok(None)
        }
    }
}

fn org_ref(c: &mut Cursor, activity_id_attr: &str) -> R<OrgRef> {
    let mut o = OrgRef {
        ref_: attr(c, "ref"),
        type_: code(c, "type"),
        activity_id: attr(c, activity_id_attr),
        ..OrgRef::default()
    };
    o.name = narratives(c)?;
    Ok(o)
}

// ----- elements --------------------------------------------------------------------

fn activity_date(c: &mut Cursor) -> R<Option<ActivityDate>> {
    let type_ = required_code(c, "type");
    let has_attr = c.attr("iso-date").is_some();
    let mut iso_date = date_attr(c, "iso-date");
    let v1 = c.version().is_v1();
    let mut narratives = narratives(c)?;
    if !has_attr {
        // 1.0x often wrote the date as the element's text.
        let as_date = match narratives.as_slice() {
            [only] if v1 => lexical::parse_date(&only.text).ok(),
            _ => None,
        };
        if as_date.is_some() {
            iso_date = as_date;
            narratives.clear();
        } else {
            c.diag_closed(
                S::Error,
                K::MissingAttribute,
                "@iso-date",
                "`activity-date` has no `iso-date` attribute, which is required".to_owned(),
            );
        }
    }
    Ok(type_.map(|type_| ActivityDate {
        type_,
        iso_date,
        narratives,
    }))
}

fn contact(c: &mut Cursor) -> R<ContactInfo> {
    let mut ci = ContactInfo {
        type_: code(c, "type"),
        ..ContactInfo::default()
    };
    while let Some(tag) = c.next_child()? {
        match tag {
            Tag::Organisation => ci.organisation.extend(narratives(c)?),
            Tag::Department => ci.department.extend(narratives(c)?),
            Tag::PersonName => ci.person_name.extend(narratives(c)?),
            Tag::JobTitle => ci.job_title.extend(narratives(c)?),
            Tag::MailingAddress => ci.mailing_address.extend(narratives(c)?),
            Tag::Telephone => first_text(c, &mut ci.telephone)?,
            Tag::Email => first_text(c, &mut ci.email)?,
            Tag::Website => first_text(c, &mut ci.website)?,
            _ => c.skip()?,
        }
    }
    Ok(ci)
}

/// Text of a repeatable element the model keeps once: the first non-empty one.
fn first_text(c: &mut Cursor, slot: &mut Option<String>) -> R<()> {
    let t = c.text_to_end()?;
    if slot.is_none() && !t.is_empty() {
        *slot = Some(t);
    }
    Ok(())
}

fn recipient_country(c: &mut Cursor) -> R<Option<RecipientCountry>> {
    let code_ = required_code(c, "code");
    let pct = percentage(c);
    let narratives = narratives(c)?;
    Ok(code_.map(|code| RecipientCountry {
        code,
        percentage: pct,
        narratives,
    }))
}

fn recipient_region(c: &mut Cursor) -> R<Option<RecipientRegion>> {
    let code_ = required_code(c, "code");
    let vocab = vocabulary(c);
    let vocabulary_uri = attr(c, "vocabulary-uri");
    let pct = percentage(c);
    let narratives = narratives(c)?;
    Ok(match (code_, vocab) {
        (Some(code), Some(vocabulary)) => Some(RecipientRegion {
            code,
            vocabulary,
            vocabulary_uri,
            percentage: pct,
            narratives,
        }),
        _ => None,
    })
}

fn location(c: &mut Cursor) -> R<Location> {
    let mut l = Location {
        ref_: attr(c, "ref"),
        ..Location::default()
    };
    while let Some(tag) = c.next_child()? {
        match tag {
            Tag::LocationReach => {
                l.reach = code(c, "code");
                c.skip()?;
            }
            Tag::LocationId => {
                let vocab = required_code(c, "vocabulary");
                let id = attr(c, "code");
                if id.is_none() {
                    missing_attr(c, "code", "the identifier in the gazetteer");
                }
                c.skip()?;
                if let (Some(v), Some(id)) = (vocab, id) {
                    l.location_ids.push((v, id));
                }
            }
            Tag::Name => l.name.extend(narratives(c)?),
            Tag::Description => l.description.extend(narratives(c)?),
            Tag::ActivityDescription => l.activity_description.extend(narratives(c)?),
            Tag::Administrative => {
                let vocab = required_code(c, "vocabulary");
                let level = attr(c, "level");
                let id = attr(c, "code");
                if id.is_none() {
                    missing_attr(c, "code", "the administrative area's code");
                }
                c.skip()?;
                if let (Some(v), Some(id)) = (vocab, id) {
                    l.administrative.push((v, level, id));
                }
            }
            Tag::Point => {
                while let Some(t) = c.next_child()? {
                    if t == Tag::Pos {
                        let text = c.text_to_end()?;
                        match parse_pos(&text) {
                            Some(p) => l.point = l.point.or(Some(p)),
                            None => c.diag_closed(
                                S::Error,
                                K::InvalidDecimal,
                                "",
                                format!("`{text}` is not `latitude longitude` in decimal degrees (e.g. `-21.1393 -175.2018`)"),
                            ),
                        }
                    } else {
                        c.skip()?;
                    }
                }
            }
            Tag::Coordinates => {
                // 1.0x: <coordinates latitude=".." longitude=".."/>
                let lat = c.attr("latitude").map(str::to_owned);
                let lon = c.attr("longitude").map(str::to_owned);
                c.skip()?;
                if let (Some(lat), Some(lon)) = (lat, lon) {
                    match parse_pos(&format!("{lat} {lon}")) {
                        Some(p) => l.point = l.point.or(Some(p)),
                        None => c.diag_closed(
                            S::Error,
                            K::InvalidDecimal,
                            "",
                            format!("`{lat}`, `{lon}` is not a latitude and longitude in decimal degrees"),
                        ),
                    }
                }
            }
            Tag::Exactness => {
                l.exactness = code(c, "code");
                c.skip()?;
            }
            Tag::LocationClass => {
                l.location_class = code(c, "code");
                c.skip()?;
            }
            Tag::FeatureDesignation => {
                l.feature_designation = code(c, "code");
                c.skip()?;
            }
            _ => c.skip()?,
        }
    }
    Ok(l)
}

/// `lat lon` as two decimals in range.
fn parse_pos(text: &str) -> Option<Point> {
    let mut parts = text.split_ascii_whitespace();
    let (lat, lon) = (parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    // Decimal lexical check first: Rust's f64 parser accepts `inf`, `1e3`, ….
    lexical::parse_decimal(lat).ok()?;
    lexical::parse_decimal(lon).ok()?;
    let (lat, lon): (f64, f64) = (lat.parse().ok()?, lon.parse().ok()?);
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some(Point { lat, lon })
}

fn sector(c: &mut Cursor) -> R<Option<Sector>> {
    let vocab = vocabulary(c);
    let code_ = required_code(c, "code");
    let vocabulary_uri = attr(c, "vocabulary-uri");
    let pct = percentage(c);
    let narratives = narratives(c)?;
    Ok(match (vocab, code_) {
        (Some(vocabulary), Some(code)) => Some(Sector {
            vocabulary,
            vocabulary_uri,
            code,
            percentage: pct,
            narratives,
        }),
        _ => None,
    })
}

fn tag_element(c: &mut Cursor) -> R<Option<Tag_>> {
    let vocab = required_code(c, "vocabulary");
    // The code is checked against a list only for the SDG vocabularies.
    let code_ = required_code(c, "code");
    let vocabulary_uri = attr(c, "vocabulary-uri");
    let narratives = narratives(c)?;
    Ok(match (vocab, code_) {
        (Some(vocabulary), Some(code)) => Some(Tag_ {
            vocabulary,
            vocabulary_uri,
            code,
            narratives,
        }),
        _ => None,
    })
}

fn policy_marker(c: &mut Cursor) -> R<Option<PolicyMarker>> {
    let vocab = vocabulary(c);
    let code_ = required_code(c, "code");
    let significance = code(c, "significance");
    let vocabulary_uri = attr(c, "vocabulary-uri");
    let narratives = narratives(c)?;
    Ok(match (vocab, code_) {
        (Some(vocabulary), Some(code)) => Some(PolicyMarker {
            vocabulary,
            vocabulary_uri,
            code,
            significance,
            narratives,
        }),
        _ => None,
    })
}

fn aid_type(c: &mut Cursor) -> R<Option<AidType>> {
    let vocab = vocabulary(c);
    let code_ = required_code(c, "code");
    c.skip()?;
    Ok(match (vocab, code_) {
        (Some(vocabulary), Some(code)) => Some(AidType { code, vocabulary }),
        _ => None,
    })
}

fn country_budget_items(c: &mut Cursor) -> R<CountryBudgetItems> {
    let mut cbi = CountryBudgetItems {
        vocabulary: required_code(c, "vocabulary"),
        items: Vec::new(),
    };
    while let Some(tag) = c.next_child()? {
        if tag == Tag::BudgetItem {
            let code_ = attr(c, "code");
            if code_.is_none() {
                missing_attr(c, "code", "the budget identifier");
            }
            let pct = percentage(c);
            let mut description = Vec::new();
            while let Some(t) = c.next_child()? {
                if t == Tag::Description {
                    description.extend(narratives(c)?);
                } else {
                    c.skip()?;
                }
            }
            if let Some(code) = code_ {
                cbi.items.push(BudgetItem {
                    code,
                    percentage: pct,
                    description,
                });
            }
        } else {
            c.skip()?;
        }
    }
    Ok(cbi)
}

fn humanitarian_scope(c: &mut Cursor) -> R<Option<HumanitarianScope>> {
    let type_ = required_code(c, "type");
    let vocab = required_code(c, "vocabulary");
    let code_ = attr(c, "code");
    if code_.is_none() {
        missing_attr(c, "code", "the emergency or appeal code");
    }
    let vocabulary_uri = attr(c, "vocabulary-uri");
    let narratives = narratives(c)?;
    Ok(match (type_, vocab, code_) {
        (Some(type_), Some(vocabulary), Some(code)) => Some(HumanitarianScope {
            type_,
            vocabulary,
            vocabulary_uri,
            code,
            narratives,
        }),
        _ => None,
    })
}

/// Period, value and the date-order check shared by budgets and planned disbursements.
#[derive(Default)]
struct Period {
    start: Option<String>,
    end: Option<String>,
    value: Option<Value>,
    seen_start: bool,
    seen_end: bool,
    seen_value: bool,
}

impl Period {
    /// Handle a child if it is one of ours; `false` if not.
    fn child(&mut self, c: &mut Cursor, tag: Tag) -> R<bool> {
        match tag {
            Tag::PeriodStart => {
                let d = date_element(c)?;
                if self.seen_start {
                    cardinality(c, "period-start");
                } else {
                    self.start = d;
                }
                self.seen_start = true;
            }
            Tag::PeriodEnd => {
                let d = date_element(c)?;
                if self.seen_end {
                    cardinality(c, "period-end");
                } else {
                    self.end = d;
                }
                self.seen_end = true;
            }
            Tag::Value => {
                let v = value(c)?;
                if self.seen_value {
                    cardinality(c, "value");
                } else {
                    self.value = v;
                }
                self.seen_value = true;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// After the element closed: required children and date order.
    fn finish(&self, c: &mut Cursor, what: &str, require_end: bool) {
        for (seen, child) in [
            (self.seen_start, "period-start"),
            (self.seen_end || !require_end, "period-end"),
            (self.seen_value, "value"),
        ] {
            if !seen {
                c.diag_closed(
                    S::Error,
                    K::MissingElement,
                    child,
                    format!("the {what} has no `{child}` element, which is required"),
                );
            }
        }
        if let (Some(s), Some(e)) = (&self.start, &self.end)
            && e < s
        {
            c.diag_closed(
                S::Warning,
                K::DateOrder,
                "",
                format!("the {what} ends ({e}) before it starts ({s})"),
            );
        }
    }
}

fn budget(c: &mut Cursor) -> R<Option<Budget>> {
    // Absent type/status mean the defaults; present but invalid ones drop the budget
    // (an unknown type cannot be told apart from its revisions).
    let type_ = if c.attr("type").is_none_or(str::is_empty) {
        Some("1".to_owned())
    } else {
        code(c, "type")
    };
    let status = if c.attr("status").is_none_or(str::is_empty) {
        Some("1".to_owned())
    } else {
        code(c, "status")
    };
    let mut p = Period::default();
    while let Some(tag) = c.next_child()? {
        if !p.child(c, tag)? {
            c.skip()?;
        }
    }
    p.finish(c, "budget", true);
    Ok(match (type_, status) {
        (Some(type_), Some(status)) => Some(Budget {
            type_,
            status,
            period_start: p.start,
            period_end: p.end,
            value: p.value,
        }),
        _ => None,
    })
}

fn planned_disbursement(c: &mut Cursor) -> R<PlannedDisbursement> {
    let mut pd = PlannedDisbursement {
        type_: code(c, "type"),
        ..PlannedDisbursement::default()
    };
    let mut p = Period::default();
    while let Some(tag) = c.next_child()? {
        match tag {
            Tag::ProviderOrg => {
                let o = org_ref(c, "provider-activity-id")?;
                if pd.provider_org.is_some() {
                    cardinality(c, "provider-org");
                } else {
                    pd.provider_org = Some(o);
                }
            }
            Tag::ReceiverOrg => {
                let o = org_ref(c, "receiver-activity-id")?;
                if pd.receiver_org.is_some() {
                    cardinality(c, "receiver-org");
                } else {
                    pd.receiver_org = Some(o);
                }
            }
            _ => {
                if !p.child(c, tag)? {
                    c.skip()?;
                }
            }
        }
    }
    // period-end is optional for planned disbursements.
    p.finish(c, "planned disbursement", false);
    pd.period_start = p.start;
    pd.period_end = p.end;
    pd.value = p.value;
    Ok(pd)
}

fn transaction(c: &mut Cursor) -> R<Transaction> {
    let mut t = Transaction {
        line: c.line(),
        ref_: attr(c, "ref"),
        humanitarian: bool_attr(c, "humanitarian"),
        ..Transaction::default()
    };
    let (mut seen_type, mut seen_date, mut seen_value) = (false, false, false);
    while let Some(tag) = c.next_child()? {
        match tag {
            Tag::TransactionType => {
                let v = required_code(c, "code");
                c.skip()?;
                if seen_type {
                    cardinality(c, "transaction-type");
                } else {
                    t.type_ = v;
                }
                seen_type = true;
            }
            Tag::TransactionDate => {
                let d = date_element(c)?;
                if seen_date {
                    cardinality(c, "transaction-date");
                } else {
                    t.date = d;
                }
                seen_date = true;
            }
            Tag::Value => {
                let v = value(c)?;
                if seen_value {
                    cardinality(c, "value");
                } else {
                    t.value = v;
                }
                seen_value = true;
            }
            Tag::Description => {
                let n = narratives(c)?;
                if t.description.is_empty() {
                    t.description = n;
                } else {
                    cardinality(c, "description");
                }
            }
            Tag::ProviderOrg => {
                let o = org_ref(c, "provider-activity-id")?;
                if t.provider_org.is_some() {
                    cardinality(c, "provider-org");
                } else {
                    t.provider_org = Some(o);
                }
            }
            Tag::ReceiverOrg => {
                let o = org_ref(c, "receiver-activity-id")?;
                if t.receiver_org.is_some() {
                    cardinality(c, "receiver-org");
                } else {
                    t.receiver_org = Some(o);
                }
            }
            Tag::DisbursementChannel => {
                simple_code(c, &mut t.disbursement_channel, "disbursement-channel")?
            }
            Tag::Sector => {
                if let Some(s) = sector(c)? {
                    t.sectors.push(s);
                }
            }
            Tag::RecipientCountry => {
                if let Some(rc) = recipient_country(c)? {
                    t.recipient_countries.push(rc);
                }
            }
            Tag::RecipientRegion => {
                if let Some(rr) = recipient_region(c)? {
                    t.recipient_regions.push(rr);
                }
            }
            Tag::FlowType => simple_code(c, &mut t.flow_type, "flow-type")?,
            Tag::FinanceType => simple_code(c, &mut t.finance_type, "finance-type")?,
            Tag::TiedStatus => simple_code(c, &mut t.tied_status, "tied-status")?,
            Tag::AidType => {
                if let Some(a) = aid_type(c)? {
                    t.aid_types.push(a);
                }
            }
            _ => c.skip()?,
        }
    }
    for (seen, child) in [
        (seen_type, "transaction-type"),
        (seen_date, "transaction-date"),
        (seen_value, "value"),
    ] {
        if !seen {
            c.diag_closed(
                S::Error,
                K::MissingElement,
                child,
                format!("the transaction has no `{child}` element, which is required"),
            );
        }
    }
    Ok(t)
}

fn document_link(c: &mut Cursor) -> R<Option<DocumentLink>> {
    let url = attr(c, "url");
    if url.is_none() {
        missing_attr(c, "url", "the document's web address");
    }
    let mut d = DocumentLink {
        format: code(c, "format"),
        ..DocumentLink::default()
    };
    while let Some(tag) = c.next_child()? {
        match tag {
            Tag::Title => d.title.extend(narratives(c)?),
            Tag::Description => d.description.extend(narratives(c)?),
            Tag::Category => {
                if let Some(cat) = required_code(c, "code") {
                    d.categories.push(cat);
                }
                c.skip()?;
            }
            Tag::Language => {
                if let Some(l) = required_code(c, "code") {
                    d.languages.push(l);
                }
                c.skip()?;
            }
            Tag::DocumentDate => {
                let date = date_element(c)?;
                d.document_date = d.document_date.or(date);
            }
            _ => c.skip()?,
        }
    }
    Ok(url.map(|url| DocumentLink { url, ..d }))
}

fn related_activity(c: &mut Cursor) -> R<Option<RelatedActivity>> {
    let type_ = required_code(c, "type");
    let ref_ = attr(c, "ref");
    if ref_.is_none() {
        missing_attr(c, "ref", "the related activity's iati-identifier");
    }
    c.skip()?;
    Ok(match (type_, ref_) {
        (Some(type_), Some(ref_)) => Some(RelatedActivity { type_, ref_ }),
        _ => None,
    })
}

fn conditions(c: &mut Cursor) -> R<Conditions> {
    let mut out = Conditions {
        attached: bool_attr(c, "attached"),
        conditions: Vec::new(),
    };
    if c.attr("attached").is_none() {
        missing_attr(
            c,
            "attached",
            "1 if the activity has conditions attached, else 0",
        );
    }
    while let Some(tag) = c.next_child()? {
        if tag == Tag::Condition {
            let type_ = required_code(c, "type");
            let narratives = narratives(c)?;
            out.conditions.push(Condition { type_, narratives });
        } else {
            c.skip()?;
        }
    }
    Ok(out)
}

fn result(c: &mut Cursor) -> R<ResultItem> {
    let mut r = ResultItem {
        type_: required_code(c, "type"),
        aggregation_status: bool_attr(c, "aggregation-status"),
        ..ResultItem::default()
    };
    while let Some(tag) = c.next_child()? {
        match tag {
            Tag::Title => r.title.extend(narratives(c)?),
            Tag::Description => r.description.extend(narratives(c)?),
            Tag::Indicator => r.indicators.push(indicator(c)?),
            _ => c.skip()?,
        }
    }
    Ok(r)
}

fn indicator(c: &mut Cursor) -> R<Indicator> {
    let mut i = Indicator {
        measure: required_code(c, "measure"),
        ascending: bool_attr(c, "ascending"),
        ..Indicator::default()
    };
    while let Some(tag) = c.next_child()? {
        match tag {
            Tag::Title => i.title.extend(narratives(c)?),
            Tag::Description => i.description.extend(narratives(c)?),
            Tag::Baseline => {
                let b = indicator_value(c)?;
                i.baseline = i.baseline.or(Some(b));
            }
            Tag::Period => i.periods.push(indicator_period(c)?),
            _ => c.skip()?,
        }
    }
    Ok(i)
}

fn indicator_value(c: &mut Cursor) -> R<IndicatorValue> {
    let year = attr(c, "year").filter(|y| lexical::parse_int(y).is_ok_and(|n| n > 0));
    if let Some(raw) = attr(c, "year")
        && year.is_none()
    {
        c.diag(
            S::Error,
            K::InvalidDecimal,
            "@year",
            format!("`{raw}` is not a year (a positive integer such as 2015)"),
        );
    }
    let mut v = IndicatorValue {
        year,
        iso_date: date_attr(c, "iso-date"),
        value: attr(c, "value"),
        ..IndicatorValue::default()
    };
    while let Some(tag) = c.next_child()? {
        if tag == Tag::Comment {
            v.comment.extend(narratives(c)?);
        } else {
            c.skip()?;
        }
    }
    Ok(v)
}

fn indicator_period(c: &mut Cursor) -> R<IndicatorPeriod> {
    let mut p = IndicatorPeriod::default();
    let (mut seen_start, mut seen_end) = (false, false);
    while let Some(tag) = c.next_child()? {
        match tag {
            Tag::PeriodStart => {
                let d = date_element(c)?;
                if seen_start {
                    cardinality(c, "period-start");
                } else {
                    p.period_start = d;
                }
                seen_start = true;
            }
            Tag::PeriodEnd => {
                let d = date_element(c)?;
                if seen_end {
                    cardinality(c, "period-end");
                } else {
                    p.period_end = d;
                }
                seen_end = true;
            }
            Tag::Target => p.targets.push(indicator_value(c)?),
            Tag::Actual => p.actuals.push(indicator_value(c)?),
            _ => c.skip()?,
        }
    }
    for (seen, child) in [(seen_start, "period-start"), (seen_end, "period-end")] {
        if !seen {
            c.diag_closed(
                S::Error,
                K::MissingElement,
                child,
                format!("the result period has no `{child}` element, which is required"),
            );
        }
    }
    Ok(p)
}
