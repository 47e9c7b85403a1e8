//! Which codelist checks which attribute, from IATI's `mapping.xml`.
//!
//! The mapping is turned into a small trie over element names rooted at
//! `iati-activity`, so the reader can follow it one element at a time while
//! it streams (no path strings are built per element). Each node holds the
//! rules for the attributes of that element, with their vocabulary conditions
//! (`@vocabulary = '2'`, `@vocabulary = '1' or not(@vocabulary)`).
//!
//! This module only answers "which list applies here"; it must not decide
//! severities or touch the activity model.

use std::sync::OnceLock;

use quick_xml::events::Event;

use crate::codelists::Codelist;
use crate::fxhash::FxMap;
use crate::tags::Tag;

const MAPPING_XML: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/iati/codelists/mapping.xml"
));

/// Index of a node in [`Mapping::nodes`]. The root (`iati-activity`) is 0.
pub(crate) type NodeId = u32;

/// One test of a condition: `@attr = 'value'` or `not(@attr)`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Equals(String, String),
    Absent(String),
}

/// Terms joined by `or`; empty means "always".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Condition(Vec<Term>);

impl Condition {
    /// Evaluate against the element's (already normalised) attributes.
    pub(crate) fn holds<'a>(&self, attr: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.0.is_empty()
            || self.0.iter().any(|t| match t {
                Term::Equals(name, value) => attr(name).is_some_and(|v| v.trim() == value),
                Term::Absent(name) => attr(name).is_none_or(|v| v.trim().is_empty()),
            })
    }

    fn parse(text: &str) -> Option<Self> {
        let mut terms = Vec::new();
        for part in text.split(" or ") {
            let part = part.trim();
            if let Some(inner) = part.strip_prefix("not(@").and_then(|p| p.strip_suffix(')')) {
                terms.push(Term::Absent(inner.trim().to_owned()));
            } else if let Some((lhs, rhs)) = part.split_once('=') {
                let name = lhs.trim().strip_prefix('@')?;
                let value = rhs.trim().trim_matches(|c| c == '\'' || c == '"');
                terms.push(Term::Equals(name.to_owned(), value.to_owned()));
            } else {
                return None;
            }
        }
        Some(Self(terms))
    }
}

/// "This attribute (or the text when `attr` is `None`) uses `list` when `condition` holds."
#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) attr: Option<Box<str>>,
    pub(crate) list: Box<str>,
    pub(crate) condition: Condition,
    /// The parsed list, looked up once.
    resolved: OnceLock<Option<&'static Codelist>>,
}

impl Rule {
    pub(crate) fn codelist(&self) -> Option<&'static Codelist> {
        *self
            .resolved
            .get_or_init(|| crate::codelists::codelist(&self.list))
    }
}

#[derive(Debug, Default)]
pub(crate) struct Node {
    children: FxMap<Box<str>, NodeId>,
    /// Child node + 1 by [`Tag`] (0: none), so known names need no hashing.
    by_tag: Vec<NodeId>,
    pub(crate) rules: Vec<Rule>,
}

#[derive(Debug, Default)]
pub(crate) struct Mapping {
    nodes: Vec<Node>,
    /// Rules that apply to every element (`//@xml:lang`).
    pub(crate) global: Vec<Rule>,
    /// `//iati-activities/@version`.
    pub(crate) version_list: Option<Box<str>>,
}

impl Mapping {
    pub(crate) fn get() -> &'static Mapping {
        static MAPPING: OnceLock<Mapping> = OnceLock::new();
        MAPPING.get_or_init(|| match parse(MAPPING_XML) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(error = %e, "embedded mapping.xml does not parse; codes will not be checked");
                Mapping::default()
            }
        })
    }

    pub(crate) const ROOT: NodeId = 0;

    pub(crate) fn child(&self, node: NodeId, name: &str) -> Option<NodeId> {
        self.nodes.get(node as usize)?.children.get(name).copied()
    }

    /// As [`Mapping::child`], by tag when the name has one.
    pub(crate) fn child_by(&self, node: NodeId, name: &str, tag: Tag) -> Option<NodeId> {
        if tag != Tag::Other {
            let n = self.nodes.get(node as usize)?;
            return n
                .by_tag
                .get(tag as usize)
                .copied()
                .filter(|&c| c > 0)
                .map(|c| c - 1);
        }
        self.child(node, name)
    }

    fn index_tags(&mut self) {
        for n in &mut self.nodes {
            n.by_tag = vec![0; Tag::COUNT];
            for (name, &id) in &n.children {
                let tag = Tag::of(name);
                if tag != Tag::Other {
                    n.by_tag[tag as usize] = id + 1;
                }
            }
        }
    }

    pub(crate) fn rules(&self, node: NodeId) -> &[Rule] {
        self.nodes
            .get(node as usize)
            .map_or(&[], |n| n.rules.as_slice())
    }

    fn child_or_insert(&mut self, node: NodeId, name: &str) -> NodeId {
        if let Some(id) = self.child(node, name) {
            return id;
        }
        let id = self.nodes.len() as NodeId;
        self.nodes.push(Node::default());
        self.nodes[node as usize].children.insert(name.into(), id);
        id
    }

    fn add(&mut self, path: &str, list: &str, condition: Condition) {
        let Some(rest) = path.strip_prefix("//") else {
            return;
        };
        let mut steps: Vec<&str> = rest.split('/').collect();
        let Some(last) = steps.pop() else { return };
        let attr: Option<Box<str>> = if let Some(a) = last.strip_prefix('@') {
            Some(a.into())
        } else if last == "text()" {
            None
        } else {
            return;
        };
        let rule = Rule {
            attr,
            list: list.into(),
            condition,
            resolved: OnceLock::new(),
        };
        match steps.as_slice() {
            [] => self.global.push(rule),
            ["iati-activities"] if rule.attr.as_deref() == Some("version") => {
                self.version_list = Some(rule.list);
            }
            ["iati-activity", inner @ ..] => {
                let mut node = Self::ROOT;
                for step in inner {
                    node = self.child_or_insert(node, step);
                }
                self.nodes[node as usize].rules.push(rule);
            }
            // Organisation-file paths do not concern activity files.
            _ => {}
        }
    }
}

fn parse(xml: &str) -> Result<Mapping, quick_xml::Error> {
    let mut m = Mapping {
        nodes: vec![Node::default()],
        ..Mapping::default()
    };
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut path, mut list, mut condition) = (String::new(), String::new(), None::<String>);
    let mut text = String::new();
    loop {
        match reader.read_event()? {
            Event::Start(e) if e.name().0 == "mapping" => {
                path.clear();
                list.clear();
                condition = None;
            }
            Event::Start(_) => text.clear(),
            Event::Empty(e) if e.name().0 == "codelist" => {
                if let Some(r) = e.attributes().flatten().find(|a| a.key.0 == "ref") {
                    list = r.value.to_string();
                }
            }
            Event::Text(t) => text.push_str(&t),
            Event::GeneralRef(r) => {
                if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    text.push_str(s);
                }
            }
            Event::End(e) => match e.name().0 {
                "path" => path = text.trim().to_owned(),
                "condition" => condition = Some(text.trim().to_owned()),
                "mapping" => {
                    let cond = match condition.as_deref() {
                        None => Some(Condition::default()),
                        Some(c) => Condition::parse(c),
                    };
                    match cond {
                        Some(cond) if !list.is_empty() => m.add(&path, &list, cond),
                        _ => tracing::warn!(%path, "mapping.xml rule not understood; not checked"),
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    m.index_tags();
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_at(path: &[&str]) -> Vec<&'static Rule> {
        let m = Mapping::get();
        let mut node = Mapping::ROOT;
        for p in path {
            node = m.child(node, p).unwrap();
        }
        m.rules(node).iter().collect()
    }

    #[test]
    fn sector_code_depends_on_vocabulary() {
        let rules: Vec<_> = rules_at(&["sector"])
            .into_iter()
            .filter(|r| r.attr.as_deref() == Some("code"))
            .collect();
        let pick = |vocab: Option<&str>| {
            rules
                .iter()
                .find(|r| {
                    r.condition
                        .holds(|a| if a == "vocabulary" { vocab } else { None })
                })
                .map(|r| &*r.list)
        };
        assert_eq!(pick(None), Some("Sector"));
        assert_eq!(pick(Some("1")), Some("Sector"));
        assert_eq!(pick(Some("2")), Some("SectorCategory"));
        assert_eq!(pick(Some("7")), Some("UNSDG-Goals"));
        assert_eq!(pick(Some("99")), None);
    }

    #[test]
    fn nested_text_global_and_version_rules() {
        let m = Mapping::get();
        assert!(
            rules_at(&["transaction", "transaction-type"])
                .iter()
                .any(|r| &*r.list == "TransactionType")
        );
        assert!(
            rules_at(&["crs-add", "channel-code"])
                .iter()
                .any(|r| r.attr.is_none())
        );
        assert!(
            m.global
                .iter()
                .any(|r| r.attr.as_deref() == Some("xml:lang") && &*r.list == "Language")
        );
        assert_eq!(m.version_list.as_deref(), Some("Version"));
        assert!(m.child(Mapping::ROOT, "no-such-element").is_none());
    }
}
