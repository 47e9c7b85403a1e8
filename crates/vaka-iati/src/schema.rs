//! The structure of an `<iati-activity>` per the IATI 2.03 XML Schema.
//!
//! The two schema files (`schema/2.03/*.xsd`, copied unchanged from
//! IATI/IATI-Schemas) are embedded and interpreted once, lazily, into a table
//! of element types: which children each element may have and how often,
//! which attributes with which datatype, and whether it holds text. The
//! reader walks this table alongside the stream to report unknown elements and
//! attributes, cardinality, missing required children and attributes, text
//! where none is allowed, and badly typed values.
//!
//! Only the XSD subset the IATI schema uses is understood: global and local
//! `element`s (by `name`, `ref` or `type`), named and inline `complexType`s
//! with a `sequence`, `simpleContent` and `complexContent` `extension`s,
//! `attribute`s (by `name` or `ref`) and `any`/`anyAttribute` for other
//! namespaces. Element *order* within a sequence is deliberately not checked:
//! it carries no meaning for Vaka and publishers get it wrong often.
//!
//! This module must not produce diagnostics itself; it only answers questions.

use std::collections::HashMap;
use std::sync::OnceLock;

use quick_xml::events::Event;

use crate::fxhash::FxMap;
use crate::tags::Tag;

const ACTIVITIES_XSD: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/schema/2.03/iati-activities-schema.xsd"
));
const COMMON_XSD: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/schema/2.03/iati-common.xsd"
));

/// The XSD datatypes the IATI schema uses for attributes and text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SimpleType {
    String,
    Decimal,
    Date,
    DateTime,
    Boolean,
    Int,
    PositiveInteger,
    NonNegativeInteger,
    /// `xsd:anyURI`, `xsd:NMTOKEN` and anything else that is not checked.
    Unchecked,
}

impl SimpleType {
    fn from_xsd(name: &str) -> Self {
        match name.strip_prefix("xsd:").unwrap_or(name) {
            "string" => Self::String,
            "decimal" => Self::Decimal,
            "date" => Self::Date,
            "dateTime" => Self::DateTime,
            "boolean" => Self::Boolean,
            "int" | "integer" => Self::Int,
            "positiveInteger" => Self::PositiveInteger,
            "nonNegativeInteger" => Self::NonNegativeInteger,
            _ => Self::Unchecked,
        }
    }
}

pub(crate) type TypeId = u32;

/// What an element holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Content {
    /// Child elements (and attributes) described by a complex type.
    Complex(TypeId),
    /// Only text of this type, no attributes of its own.
    Simple(SimpleType),
}

#[derive(Debug, Clone)]
pub(crate) struct Particle {
    pub(crate) name: Box<str>,
    pub(crate) content: Content,
    pub(crate) min: u32,
    /// `u32::MAX` for `unbounded`.
    pub(crate) max: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct AttrDecl {
    pub(crate) name: Box<str>,
    pub(crate) ty: SimpleType,
    pub(crate) required: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ComplexType {
    pub(crate) particles: Vec<Particle>,
    /// Name → index into `particles`.
    by_name: FxMap<Box<str>, u32>,
    pub(crate) attrs: Vec<AttrDecl>,
    /// `None`: element-only content, text is not allowed.
    pub(crate) text: Option<SimpleType>,
    /// Particle index + 1 by [`Tag`] (0: none), so known names need no hashing.
    by_tag: Vec<u8>,
    /// Indices of particles with `min > 0`.
    pub(crate) required: Vec<u32>,
}

impl ComplexType {
    pub(crate) fn particle(&self, name: &str, tag: Tag) -> Option<u32> {
        if tag != Tag::Other {
            return match self.by_tag.get(tag as usize).copied().unwrap_or(0) {
                0 => None,
                i => Some(u32::from(i) - 1),
            };
        }
        self.by_name.get(name).copied()
    }

    pub(crate) fn attr(&self, name: &str) -> Option<&AttrDecl> {
        self.attrs.iter().find(|a| &*a.name == name)
    }
}

#[derive(Debug, Default)]
pub(crate) struct Schema {
    types: Vec<ComplexType>,
    /// The content of `<iati-activity>`.
    pub(crate) activity: Option<TypeId>,
}

impl Schema {
    /// The 2.03 activity schema, interpreted on first use.
    pub(crate) fn v203() -> &'static Schema {
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| {
            let built = parse_xsd(ACTIVITIES_XSD)
                .and_then(|mut main| {
                    main.children.extend(parse_xsd(COMMON_XSD)?.children);
                    Ok(main)
                })
                .map(|doc| Builder::new(&doc).build());
            match built {
                Ok(schema) => schema,
                Err(e) => {
                    tracing::error!(error = %e, "embedded IATI schema does not parse; structure will not be checked");
                    Schema::default()
                }
            }
        })
    }

    pub(crate) fn get(&self, id: TypeId) -> &ComplexType {
        &self.types[id as usize]
    }
}

/// A minimal element tree of the XSD (documentation dropped).
#[derive(Debug, Default)]
struct XNode {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<XNode>,
}

impl XNode {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn local(&self) -> &str {
        self.name.strip_prefix("xsd:").unwrap_or(&self.name)
    }

    fn kids<'a>(&'a self, local: &'a str) -> impl Iterator<Item = &'a XNode> + 'a {
        self.children.iter().filter(move |c| c.local() == local)
    }

    fn kid(&self, local: &str) -> Option<&XNode> {
        self.children.iter().find(|c| c.local() == local)
    }
}

fn parse_xsd(xml: &str) -> Result<XNode, quick_xml::Error> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack = vec![XNode::default()];
    loop {
        match reader.read_event()? {
            ev @ (Event::Start(_) | Event::Empty(_)) => {
                let (Event::Start(e) | Event::Empty(e)) = &ev else {
                    continue;
                };
                let node = XNode {
                    name: e.name().0.to_owned(),
                    attrs: e
                        .attributes()
                        .flatten()
                        .map(|a| (a.key.0.to_owned(), a.value.into_owned()))
                        .collect(),
                    children: Vec::new(),
                };
                if matches!(ev, Event::Start(_)) {
                    stack.push(node);
                } else if let Some(parent) = stack.last_mut() {
                    parent.children.push(node);
                }
            }
            Event::End(_) => {
                if stack.len() > 1
                    && let Some(done) = stack.pop()
                    && let Some(parent) = stack.last_mut()
                    && !matches!(done.local(), "annotation" | "documentation")
                {
                    parent.children.push(done);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    // The document node holds <xsd:schema>; return the schema element.
    let mut doc = stack.swap_remove(0);
    Ok(doc.children.pop().unwrap_or_default())
}

struct Builder<'a> {
    elements: HashMap<&'a str, &'a XNode>,
    complex_types: HashMap<&'a str, &'a XNode>,
    attributes: HashMap<&'a str, &'a XNode>,
    types: Vec<ComplexType>,
    /// Global element name or named type → its TypeId (also breaks recursion).
    done: HashMap<String, TypeId>,
}

impl<'a> Builder<'a> {
    fn new(schema: &'a XNode) -> Self {
        let mut b = Builder {
            elements: HashMap::new(),
            complex_types: HashMap::new(),
            attributes: HashMap::new(),
            types: Vec::new(),
            done: HashMap::new(),
        };
        for c in &schema.children {
            let Some(name) = c.attr("name") else { continue };
            match c.local() {
                "element" => {
                    b.elements.insert(name, c);
                }
                "complexType" => {
                    b.complex_types.insert(name, c);
                }
                "attribute" => {
                    b.attributes.insert(name, c);
                }
                _ => {}
            }
        }
        b
    }

    fn build(mut self) -> Schema {
        let activity =
            self.elements
                .get("iati-activity")
                .copied()
                .map(|el| match self.element_content(el) {
                    Content::Complex(id) => id,
                    Content::Simple(_) => self.new_type(ComplexType::default()),
                });
        Schema {
            types: self.types,
            activity,
        }
    }

    fn new_type(&mut self, t: ComplexType) -> TypeId {
        self.types.push(t);
        (self.types.len() - 1) as TypeId
    }

    /// The content of an element declaration (global or local, by name/type/inline).
    fn element_content(&mut self, el: &'a XNode) -> Content {
        if let Some(ty) = el.attr("type") {
            if ty.starts_with("xsd:") {
                return Content::Simple(SimpleType::from_xsd(ty));
            }
            return Content::Complex(self.named_type(ty));
        }
        match el.kid("complexType") {
            Some(ct) => {
                let id = self.new_type(ComplexType::default());
                let t = self.complex(ct);
                self.types[id as usize] = t;
                Content::Complex(id)
            }
            None => Content::Simple(SimpleType::Unchecked),
        }
    }

    fn named_type(&mut self, name: &str) -> TypeId {
        let key = format!("type:{name}");
        if let Some(&id) = self.done.get(&key) {
            return id;
        }
        let id = self.new_type(ComplexType::default());
        self.done.insert(key, id);
        if let Some(ct) = self.complex_types.get(name).copied() {
            let t = self.complex(ct);
            self.types[id as usize] = t;
        }
        id
    }

    fn global_element(&mut self, name: &str) -> Content {
        let key = format!("element:{name}");
        if let Some(&id) = self.done.get(&key) {
            return Content::Complex(id);
        }
        let Some(el) = self.elements.get(name).copied() else {
            return Content::Simple(SimpleType::Unchecked);
        };
        if el.attr("type").is_some() || el.kid("complexType").is_none() {
            return self.element_content(el);
        }
        let id = self.new_type(ComplexType::default());
        self.done.insert(key, id);
        if let Some(ct) = el.kid("complexType") {
            let t = self.complex(ct);
            self.types[id as usize] = t;
        }
        Content::Complex(id)
    }

    fn complex(&mut self, ct: &'a XNode) -> ComplexType {
        let mut t = ComplexType::default();
        if let Some(sc) = ct.kid("simpleContent")
            && let Some(ext) = sc.kid("extension")
        {
            t.text = Some(SimpleType::from_xsd(
                ext.attr("base").unwrap_or("xsd:string"),
            ));
            self.attributes_of(ext, &mut t);
        } else if let Some(cc) = ct.kid("complexContent")
            && let Some(ext) = cc.kid("extension")
        {
            if let Some(base) = ext.attr("base") {
                let base_id = self.named_type(base);
                t = self.types[base_id as usize].clone();
            }
            self.sequence_of(ext, &mut t);
            self.attributes_of(ext, &mut t);
        } else {
            self.sequence_of(ct, &mut t);
            self.attributes_of(ct, &mut t);
        }
        t.by_name = t
            .particles
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.clone(), i as u32))
            .collect();
        t.by_tag = vec![0; Tag::COUNT];
        for (i, p) in t.particles.iter().enumerate() {
            let tag = Tag::of(&p.name);
            if tag != Tag::Other
                && let Ok(slot) = u8::try_from(i + 1)
            {
                t.by_tag[tag as usize] = slot;
            }
        }
        t.required = (0..t.particles.len() as u32)
            .filter(|&i| t.particles[i as usize].min > 0)
            .collect();
        t
    }

    fn sequence_of(&mut self, node: &'a XNode, t: &mut ComplexType) {
        for seq in node.kids("sequence") {
            for el in seq.kids("element") {
                let occurs = |attr: &str| match el.attr(attr) {
                    None => 1,
                    Some("unbounded") => u32::MAX,
                    Some(n) => n.parse().unwrap_or(1),
                };
                let (name, content) = match (el.attr("ref"), el.attr("name")) {
                    (Some(r), _) => (r, self.global_element(r)),
                    (None, Some(n)) => (n, self.element_content(el)),
                    (None, None) => continue,
                };
                t.particles.push(Particle {
                    name: name.into(),
                    content,
                    min: occurs("minOccurs"),
                    max: occurs("maxOccurs"),
                });
            }
        }
    }

    fn attributes_of(&mut self, node: &'a XNode, t: &mut ComplexType) {
        for a in node.kids("attribute") {
            let (name, decl) = match (a.attr("ref"), a.attr("name")) {
                (Some(r), _) => (r, self.attributes.get(r).copied().unwrap_or(a)),
                (None, Some(n)) => (n, a),
                (None, None) => continue,
            };
            let ty = decl
                .attr("type")
                .map_or(SimpleType::String, SimpleType::from_xsd);
            let required = a.attr("use").or(decl.attr("use")) == Some("required");
            t.attrs.push(AttrDecl {
                name: name.into(),
                ty,
                required,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child<'s>(s: &'s Schema, t: TypeId, name: &str) -> &'s Particle {
        let ct = s.get(t);
        &ct.particles[ct.particle(name, Tag::of(name)).unwrap() as usize]
    }

    fn complex(p: &Particle) -> TypeId {
        match p.content {
            Content::Complex(id) => id,
            Content::Simple(_) => panic!("{} is simple", p.name),
        }
    }

    #[test]
    fn activity_structure_from_the_xsd() {
        let s = Schema::v203();
        let act = s.activity.unwrap();
        let id = child(s, act, "iati-identifier");
        assert_eq!((id.min, id.max), (1, 1));
        let status = child(s, act, "activity-status");
        assert_eq!((status.min, status.max), (1, 1));
        assert_eq!(child(s, act, "transaction").max, u32::MAX);
        let ct = s.get(act);
        assert_eq!(ct.attr("hierarchy").unwrap().ty, SimpleType::Int);
        assert_eq!(
            ct.attr("last-updated-datetime").unwrap().ty,
            SimpleType::DateTime
        );
        assert!(
            ct.attr("version").is_none(),
            "iati-activity/@version was removed in 2.01"
        );
        assert!(ct.text.is_none());

        let tx = complex(child(s, act, "transaction"));
        let value = s.get(complex(child(s, tx, "value")));
        assert_eq!(value.text, Some(SimpleType::Decimal));
        let vd = value.attr("value-date").unwrap();
        assert!(vd.required);
        assert_eq!(vd.ty, SimpleType::Date);
        assert!(!value.attr("currency").unwrap().required);
        assert_eq!(child(s, tx, "transaction-type").min, 1);
    }

    #[test]
    fn shared_and_extended_types() {
        let s = Schema::v203();
        let act = s.activity.unwrap();
        let result = complex(child(s, act, "result"));
        let dl = complex(child(s, result, "document-link"));
        // documentLinkResultBase extends documentLinkBase.
        assert_eq!(child(s, dl, "category").min, 1);
        assert!(s.get(dl).attr("url").unwrap().required);
        let title = complex(child(s, result, "title"));
        assert_eq!(child(s, title, "narrative").min, 1);
        let narrative = s.get(complex(child(s, title, "narrative")));
        assert_eq!(narrative.text, Some(SimpleType::String));
    }
}
