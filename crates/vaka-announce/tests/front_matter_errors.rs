//! Malformed front matter: one test per fault, each naming the field and the
//! line in the file.

mod common;

use vaka_announce::{AnnounceError, ErrorKind, parse};

/// The founding document's front matter, one line per entry, with the body.
const LINES: &[&str] = &[
    "---",                                                                           // 1
    "title: \"New Zealand and Japan commit to greater cooperation in the Pacific\"", // 2
    "date: 2019-10-31",                                                              // 3
    "url: https://www.beehive.govt.nz/release/new-zealand-and-japan-commit-greater-cooperation-pacific", // 4
    "ministers:",                                        // 5
    "  - Rt Hon Winston Peters",                         // 6
    "portfolios:",                                       // 7
    "  - Deputy Prime Minister",                         // 8
    "  - Foreign Affairs",                               // 9
    "---",                                               // 10
    "",                                                  // 11
    "Foreign Minister Winston Peters announced a plan.", // 12
];

/// The release with line `n` (1-based) replaced by `with` (`None` removes it).
fn with_line(n: usize, with: Option<&str>) -> String {
    let mut lines: Vec<&str> = LINES.to_vec();
    match with {
        Some(w) => lines[n - 1] = w,
        None => {
            lines.remove(n - 1);
        }
    }
    lines.join("\n")
}

fn err(text: &str) -> AnnounceError {
    match parse("release.md", text) {
        Ok(r) => panic!("expected an error, parsed {r:?}"),
        Err(e) => e,
    }
}

fn check(e: &AnnounceError, kind: ErrorKind, field: Option<&str>, line: usize) {
    assert_eq!(e.kind, kind, "{e}");
    assert_eq!(e.field.as_deref(), field, "{e}");
    assert_eq!(e.line, line, "{e}");
    assert_eq!(e.source_name, "release.md");
    let prefix = match field {
        Some(f) => format!("front matter line {line}: `{f}`: "),
        None => format!("front matter line {line}: "),
    };
    assert!(e.to_string().starts_with(&prefix), "{e}");
}

#[test]
fn the_template_itself_parses() {
    let r = parse("release.md", &LINES.join("\n")).unwrap();
    assert_eq!(r.ministers[0].portfolios.len(), 2);
    assert_eq!(r.body_line, 11);
}

#[test]
fn no_closing_fence() {
    let e = err(&with_line(10, None));
    check(&e, ErrorKind::UnclosedFrontMatter, None, 1);
    assert!(e.message.contains("never closed"), "{e}");
}

#[test]
fn no_opening_fence() {
    let e = err(&with_line(1, None));
    check(&e, ErrorKind::MissingOpeningFence, None, 1);
}

#[test]
fn yaml_syntax_error() {
    let e = err(&with_line(3, Some("date: 2019-10-31: oops")));
    check(&e, ErrorKind::Syntax, Some("date"), 3);
    assert!(e.message.starts_with("YAML syntax error"), "{e}");
}

#[test]
fn yaml_syntax_error_in_a_list() {
    let e = err(&with_line(6, Some("  - \"Rt Hon Winston Peters")));
    assert_eq!(e.kind, ErrorKind::Syntax, "{e}");
    assert_eq!(e.field.as_deref(), Some("ministers"), "{e}");
    assert!((6..=10).contains(&e.line), "{e}");
}

#[test]
fn missing_title() {
    let e = err(&with_line(2, None));
    // Reported at the closing fence, where the field can be added.
    check(&e, ErrorKind::MissingField, Some("title"), 9);
}

#[test]
fn empty_title() {
    let e = err(&with_line(2, Some("title: \"  \"")));
    check(&e, ErrorKind::MissingField, Some("title"), 2);
}

#[test]
fn impossible_date() {
    let e = err(&with_line(3, Some("date: 2019-02-30")));
    check(&e, ErrorKind::InvalidDate, Some("date"), 3);
    assert_eq!(
        e.to_string(),
        "front matter line 3: `date`: `2019-02-30` is not a valid date (expected YYYY-MM-DD)"
    );
}

#[test]
fn date_in_another_format() {
    let e = err(&with_line(3, Some("date: 31 October 2019")));
    check(&e, ErrorKind::InvalidDate, Some("date"), 3);
}

#[test]
fn url_not_a_url() {
    let e = err(&with_line(4, Some("url: www.beehive.govt.nz/release/x")));
    check(&e, ErrorKind::InvalidUrl, Some("url"), 4);
    let e = err(&with_line(4, Some("url: ftp://files.example.org/x")));
    check(&e, ErrorKind::InvalidUrl, Some("url"), 4);
}

#[test]
fn ministers_not_a_list() {
    let text = LINES[..4]
        .iter()
        .chain(["ministers: Rt Hon Winston Peters"].iter())
        .chain(LINES[6..].iter())
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    let e = err(&text);
    check(&e, ErrorKind::WrongType, Some("ministers"), 5);
    assert!(e.message.contains("expected a list"), "{e}");
}

#[test]
fn title_as_a_list() {
    let e = err(&with_line(2, Some("title: [a, b]")));
    check(&e, ErrorKind::WrongType, Some("title"), 2);
}

#[test]
fn field_given_twice() {
    let e = err(&with_line(4, Some("date: 2019-11-01")));
    check(&e, ErrorKind::DuplicateField, Some("date"), 4);
    assert!(e.message.contains("line 3"), "{e}");
}

#[test]
fn portfolios_without_a_minister() {
    let mut lines: Vec<&str> = LINES.to_vec();
    lines.drain(4..6);
    let e = err(&lines.join("\n"));
    check(&e, ErrorKind::MissingField, Some("ministers"), 8);
}

#[test]
fn front_matter_that_is_not_a_mapping() {
    let e = err("---\n- a\n- b\n---\nbody");
    check(&e, ErrorKind::NotAMapping, None, 2);
}

#[test]
fn line_numbers_survive_crlf_and_leading_blank_lines() {
    let text = format!(
        "\r\n{}",
        with_line(3, Some("date: 2019-02-30")).replace('\n', "\r\n")
    );
    let e = err(&text);
    check(&e, ErrorKind::InvalidDate, Some("date"), 4);
}

#[test]
fn quoted_strings_lists_and_comments_are_read_as_yaml() {
    let text = "---\n\
                # a comment line\n\
                title: \"Aid: a # is not a comment here\"  # but this is\n\
                date: '2019-10-31'\n\
                url: \"https://www.beehive.govt.nz/release/x?a=1#frag\"\n\
                ministers: [\"Hon Nanaia Mahuta\", 'Dr Ayesha Verrall']\n\
                portfolios:\n  - Foreign Affairs   # trailing comment\n  - 'Local Government'\n\
                embargo: true\n\
                priority: 2\n\
                ---\nBody.";
    let r = parse("release.md", text).unwrap();
    assert_eq!(r.title, "Aid: a # is not a comment here");
    assert_eq!(r.date.to_string(), "2019-10-31");
    assert_eq!(r.url, "https://www.beehive.govt.nz/release/x?a=1#frag");
    let names: Vec<&str> = r.ministers.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Nanaia Mahuta", "Ayesha Verrall"]);
    assert_eq!(
        r.ministers[0].portfolios,
        ["Foreign Affairs", "Local Government"]
    );
    assert!(r.ministers[1].portfolios.is_empty());
    assert_eq!(r.extra["embargo"], serde_json::json!(true));
    assert_eq!(r.extra["priority"], serde_json::json!(2));
}

#[test]
fn an_unquoted_colon_in_a_title_is_a_syntax_error_on_that_line() {
    let e = err(&with_line(2, Some("title: New Zealand: Japan")));
    check(&e, ErrorKind::Syntax, Some("title"), 2);
}
