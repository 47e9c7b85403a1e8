//! Helpers shared by the integration tests: the shared data folder, a small XML tree built
//! with quick-xml (which also proves well-formedness), an SVG path parser for the commands
//! this crate writes, and readers for the real IATI activity files used as sample data.
// Test helpers panic on bad input by design; clippy only exempts `#[test]` functions.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// `../shared/data` relative to the repository root, or `$VAKA_SHARED_DATA`.
pub fn shared_data() -> PathBuf {
    match std::env::var_os("VAKA_SHARED_DATA") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

/// An element: name, attributes, child elements and its own (unescaped) text.
#[derive(Debug, Default, Clone)]
pub struct Node {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    pub children: Vec<Node>,
    pub text: String,
}

impl Node {
    pub fn attr(&self, k: &str) -> Option<&str> {
        self.attrs.get(k).map(String::as_str)
    }

    /// This node and all below it, depth first.
    pub fn descendants(&self) -> Vec<&Node> {
        let mut out = vec![self];
        for c in &self.children {
            out.extend(c.descendants());
        }
        out
    }

    pub fn find_all(&self, name: &str) -> Vec<&Node> {
        self.descendants()
            .into_iter()
            .filter(|n| n.name == name)
            .collect()
    }

    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Text of the direct `<title>` child.
    pub fn title(&self) -> Option<&str> {
        self.child("title").map(|t| t.text.as_str())
    }
}

/// Parses `xml` into a tree; any well-formedness error is returned as text.
pub fn parse_xml(xml: &str) -> Result<Node, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| format!("at byte {}: {e}", reader.error_position()))?;
        let is_empty = matches!(ev, Event::Empty(_));
        match ev {
            Event::Start(e) | Event::Empty(e) => {
                let mut node = Node {
                    name: e.name().as_ref().to_owned(),
                    ..Node::default()
                };
                for a in e.attributes() {
                    let a = a.map_err(|e| e.to_string())?;
                    let v = a
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|e| e.to_string())?;
                    let k = a.key.as_ref().to_owned();
                    if node.attrs.insert(k.clone(), v.into_owned()).is_some() {
                        return Err(format!("duplicate attribute {k}"));
                    }
                }
                if is_empty {
                    stack.last_mut().unwrap().children.push(node);
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let node = stack.pop().unwrap();
                stack
                    .last_mut()
                    .ok_or("unbalanced end tag")?
                    .children
                    .push(node);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let s = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                        .ok_or_else(|| format!("unknown entity &{};", r.xml10_content()))?
                        .to_owned(),
                };
                stack.last_mut().unwrap().text.push_str(&s);
            }
            Event::CData(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::DocType(_) => return Err("unexpected DOCTYPE".into()),
            Event::Eof => break,
        }
    }
    if stack.len() != 1 {
        return Err(format!("{} unclosed elements", stack.len() - 1));
    }
    let mut root = stack.pop().unwrap();
    if root.children.len() != 1 {
        return Err(format!("{} root elements", root.children.len()));
    }
    Ok(root.children.remove(0))
}

/// Parses path data written as `M x y l dx dy ... z` (absolute M, relative l, also L/H/V
/// for the axis lines) into polylines of absolute points.
pub fn parse_path(d: &str) -> Vec<Vec<(f64, f64)>> {
    let mut rings: Vec<Vec<(f64, f64)>> = Vec::new();
    let bytes = d.as_bytes();
    let mut i = 0;
    let mut cmd = b'M';
    let mut nums: Vec<f64> = Vec::new();
    let mut cur = (0.0, 0.0);
    let flush =
        |cmd: u8, nums: &mut Vec<f64>, rings: &mut Vec<Vec<(f64, f64)>>, cur: &mut (f64, f64)| {
            match cmd {
                b'M' => {
                    for (k, p) in nums.chunks(2).enumerate() {
                        *cur = (p[0], p[1]);
                        if k == 0 {
                            rings.push(vec![*cur]);
                        } else {
                            rings.last_mut().unwrap().push(*cur);
                        }
                    }
                }
                b'l' => {
                    for p in nums.chunks(2) {
                        *cur = (cur.0 + p[0], cur.1 + p[1]);
                        rings.last_mut().unwrap().push(*cur);
                    }
                }
                b'L' => {
                    for p in nums.chunks(2) {
                        *cur = (p[0], p[1]);
                        rings.last_mut().unwrap().push(*cur);
                    }
                }
                b'H' => {
                    for x in nums.iter() {
                        *cur = (*x, cur.1);
                        rings.last_mut().unwrap().push(*cur);
                    }
                }
                b'V' => {
                    for y in nums.iter() {
                        *cur = (cur.0, *y);
                        rings.last_mut().unwrap().push(*cur);
                    }
                }
                b'v' => {
                    for y in nums.iter() {
                        *cur = (cur.0, cur.1 + *y);
                        rings.last_mut().unwrap().push(*cur);
                    }
                }
                b'z' | b'Z' => {}
                other => panic!("unexpected path command {}", other as char),
            }
            nums.clear();
        };
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_alphabetic() {
            flush(cmd, &mut nums, &mut rings, &mut cur);
            cmd = c;
            i += 1;
        } else if c == b' ' || c == b',' {
            i += 1;
        } else {
            let start = i;
            i += 1;
            let mut seen_dot = c == b'.';
            while i < bytes.len() {
                let b = bytes[i];
                if b.is_ascii_digit() || (b == b'.' && !seen_dot) {
                    seen_dot |= b == b'.';
                    i += 1;
                } else {
                    break;
                }
            }
            nums.push(
                d[start..i]
                    .parse()
                    .unwrap_or_else(|_| panic!("bad number {}", &d[start..i])),
            );
        }
    }
    flush(cmd, &mut nums, &mut rings, &mut cur);
    rings
}

/// Minimum and maximum x over polylines.
pub fn x_extent(rings: &[Vec<(f64, f64)>]) -> (f64, f64) {
    let xs = rings.iter().flatten().map(|p| p.0);
    let min = xs.clone().fold(f64::INFINITY, f64::min);
    let max = xs.fold(f64::NEG_INFINITY, f64::max);
    (min, max)
}

/// Area (absolute) and area-weighted centroid of a set of rings.
pub fn area_centroid(rings: &[Vec<(f64, f64)>]) -> (f64, (f64, f64)) {
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for r in rings {
        let (mut a2, mut sx, mut sy) = (0.0, 0.0, 0.0);
        for i in 0..r.len() {
            let (x0, y0) = r[i];
            let (x1, y1) = r[(i + 1) % r.len()];
            let c = x0 * y1 - x1 * y0;
            a2 += c;
            sx += (x0 + x1) * c;
            sy += (y0 + y1) * c;
        }
        // Exteriors and holes have opposite signs; weight by the signed area of each ring.
        a += a2 / 2.0;
        cx += sx / 6.0;
        cy += sy / 6.0;
    }
    (a.abs(), (cx / a, cy / a))
}

/// The `viewBox` of an `<svg>` as (width, height).
pub fn view_box(svg: &Node) -> (f64, f64) {
    let vb: Vec<f64> = svg
        .attr("viewBox")
        .expect("viewBox")
        .split(' ')
        .map(|s| s.parse().unwrap())
        .collect();
    (vb[2], vb[3])
}

/// One transaction of a real IATI file: type code, year, value.
#[derive(Debug, Clone)]
pub struct Txn {
    pub kind: String,
    pub year: i32,
    pub value: f64,
}

/// Per real UNDP Pacific activity file: the recipient country, its transactions and the
/// `<pos>` points of its locations.
#[derive(Debug, Default)]
pub struct IatiSample {
    pub country: String,
    pub transactions: Vec<Txn>,
    pub points: Vec<(f64, f64, String)>,
}

pub fn read_pacific_activity_files() -> Vec<IatiSample> {
    let dir = shared_data().join("iati/activities/pacific");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| read_iati(&std::fs::read_to_string(f).unwrap()))
        .collect()
}

fn read_iati(xml: &str) -> IatiSample {
    let mut reader = Reader::from_str(xml);
    let mut out = IatiSample::default();
    let mut path: Vec<String> = Vec::new();
    let mut txn: Option<Txn> = None;
    let mut loc_name = String::new();
    loop {
        let ev = reader.read_event().unwrap();
        match &ev {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name().as_ref().to_owned();
                let attr = |k: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == k)
                        .map(|a| {
                            a.normalized_value(XmlVersion::Implicit1_0)
                                .unwrap()
                                .into_owned()
                        })
                };
                match name.as_str() {
                    "recipient-country" if out.country.is_empty() => {
                        out.country = attr("code").unwrap_or_default();
                    }
                    "transaction" => {
                        txn = Some(Txn {
                            kind: String::new(),
                            year: 0,
                            value: 0.0,
                        });
                    }
                    "transaction-type" => {
                        if let Some(t) = txn.as_mut() {
                            t.kind = attr("code").unwrap_or_default();
                        }
                    }
                    "transaction-date" => {
                        if let Some(t) = txn.as_mut() {
                            t.year = attr("iso-date")
                                .and_then(|d| d.get(..4).and_then(|y| y.parse().ok()))
                                .unwrap_or(0);
                        }
                    }
                    "location" => loc_name.clear(),
                    _ => {}
                }
                if matches!(ev, Event::Start(_)) {
                    path.push(name);
                }
            }
            Event::Text(t) => {
                let text = t.xml10_content();
                let text = text.trim();
                let parent = path.last().map(String::as_str);
                let grandparent = path.len().checked_sub(2).map(|i| path[i].as_str());
                match (grandparent, parent) {
                    (Some("transaction"), Some("value")) => {
                        if let Some(t) = txn.as_mut() {
                            t.value = text.parse().unwrap_or(0.0);
                        }
                    }
                    (Some("name"), Some("narrative")) if path.iter().any(|p| p == "location") => {
                        loc_name = text.to_owned();
                    }
                    (Some("point"), Some("pos")) => {
                        let mut it = text.split_whitespace().map(|v| v.parse::<f64>());
                        if let (Some(Ok(lat)), Some(Ok(lon))) = (it.next(), it.next()) {
                            out.points.push((lat, lon, loc_name.clone()));
                        }
                    }
                    _ => {}
                }
            }
            Event::End(_) => {
                if path.pop().as_deref() == Some("transaction")
                    && let Some(t) = txn.take()
                {
                    out.transactions.push(t);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// Disbursements and expenditure (transaction types 3 and 4) of all files, per country.
pub fn spend_by_country(samples: &[IatiSample]) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    for s in samples {
        let total: f64 = s
            .transactions
            .iter()
            .filter(|t| t.kind == "3" || t.kind == "4")
            .map(|t| t.value)
            .sum();
        *m.entry(s.country.clone()).or_insert(0.0) += total;
    }
    m
}
