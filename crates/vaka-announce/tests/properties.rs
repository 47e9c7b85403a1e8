//! Property tests: parsing and extraction never panic, extraction does not
//! depend on line endings or trailing whitespace, and amounts round-trip.

mod common;

use common::*;
use proptest::prelude::*;
use vaka_announce::{Lexicon, extract, parse};

/// Pieces of releases, so random text reaches deep into the parsers.
const FRAGMENTS: &[&str] = &[
    "---\n",
    "title: ",
    "date: 2019-10-31\n",
    "url: https://www.beehive.govt.nz/r\n",
    "ministers:\n",
    "  - ",
    "portfolios: [",
    "]",
    "\"",
    "'",
    "#",
    ":",
    "\n",
    "\r\n",
    " ",
    "\t",
    "- ",
    "[",
    "{",
    "}",
    "*a",
    "&a ",
    "|",
    ">",
    "Rt Hon ",
    "Mr ",
    "Winston Peters",
    "Japan",
    "Japanese",
    "New Zealand’s",
    "Indo-Pacific",
    "Ni-Vanuatu",
    "American Samoa",
    "Papua New Guinea",
    "Foreign Minister ",
    "his Japanese counterpart ",
    "Ministers Peters and Motegi",
    "$",
    "NZ$",
    "US$",
    "¥",
    "€",
    "3m",
    "7.9 million",
    "1,500,000",
    "JPY 500",
    " billion",
    "up to ",
    "will jointly implement ",
    "will provide",
    "pledged",
    "announced funding",
    "31 October 2019",
    "last night",
    "Yesterday’s",
    "2019-02-30",
    ". ",
    "? ",
    "“",
    "”",
    "’",
    "U.S.",
    "renewable energy",
    "medical infrastructure",
    "the Joint Declaration",
    "Joint Declaration on Cooperation in the Pacific",
    "太平洋",
    "防災",
    "é",
    "\u{feff}",
    "\u{a0}",
    "[link](https://x.org)",
    "**",
    "```\n",
    "> ",
    "# ",
];

fn fragments(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..max).prop_map(|v| v.concat())
}

const HEADER: &str = "---\ntitle: T\ndate: 2019-10-31\nurl: https://www.beehive.govt.nz/release/x\n\
                      ministers:\n  - Rt Hon Winston Peters\n---\n\n";

/// Rewrite `text` with CRLF or LF line ends and random trailing blanks per line.
fn reformat(text: &str, crlf: &[bool], blanks: &[u8]) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        out.push_str(line);
        for _ in 0..blanks[i % blanks.len()] % 4 {
            out.push(if i % 2 == 0 { ' ' } else { '\t' });
        }
        out.push_str(if crlf[i % crlf.len()] { "\r\n" } else { "\n" });
    }
    out
}

fn samples() -> Vec<String> {
    vec![
        founding_text(),
        fixture_text("nz-tonga-fiji-energy-water.md"),
        fixture_text("jp-palau-aviation.md"),
        fixture_text("au-kiribati-water.md"),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parse_never_panics_on_arbitrary_text(text in any::<String>()) {
        let _ = parse("any", &text);
    }

    #[test]
    fn parse_never_panics_on_release_like_text(text in fragments(60)) {
        let _ = parse("frag", &text);
    }

    #[test]
    fn extract_never_panics(body in fragments(80), tail in any::<String>()) {
        let text = format!("{HEADER}{body}{tail}");
        let release = parse("p", &text).expect("the header is valid, so the release parses");
        let ex = extract(&release, &Lexicon::nz_japan_default());
        let _ = vaka_announce::to_json(1, &release, &ex);
        // Every amount with a currency is in `amounts`, never in `unresolved_amounts`.
        prop_assert!(ex.amounts.iter().all(|a| a.currency.is_some()));
        prop_assert!(ex.unresolved_amounts.iter().all(|a| a.currency.is_none()));
    }

    #[test]
    fn extraction_ignores_line_ends_and_trailing_whitespace(
        which in 0usize..4,
        crlf in prop::collection::vec(any::<bool>(), 1..16),
        blanks in prop::collection::vec(any::<u8>(), 1..16),
        trailing in "[ \t\r\n]{0,6}",
    ) {
        let text = samples().swap_remove(which);
        let variant = format!("{}{trailing}", reformat(&text, &crlf, &blanks));
        let (r1, e1) = parse_and_extract("s", &text);
        let (r2, e2) = parse_and_extract("s", &variant);
        prop_assert_eq!(r1, r2);
        prop_assert_eq!(e1, e2);
    }

    #[test]
    fn extraction_of_random_bodies_ignores_line_ends(
        body in fragments(40),
        crlf in prop::collection::vec(any::<bool>(), 1..8),
        blanks in prop::collection::vec(any::<u8>(), 1..8),
    ) {
        let text = format!("{HEADER}{body}");
        let variant = reformat(&text, &crlf, &blanks);
        // "\r" alone inside a fragment is a line end too, so compare the two
        // renderings of the same lines.
        let r1 = parse("s", &text);
        let r2 = parse("s", &variant);
        prop_assert_eq!(r1.is_ok(), r2.is_ok());
        if let (Ok(r1), Ok(r2)) = (r1, r2) {
            let lex = Lexicon::nz_japan_default();
            prop_assert_eq!(extract(&r1, &lex), extract(&r2, &lex));
        }
    }

    #[test]
    fn amounts_round_trip(units in 1u64..1_000_000_000_000, cents in 0u32..100, sep in any::<bool>()) {
        let whole = if sep {
            let s = units.to_string();
            let mut out = String::new();
            for (i, c) in s.chars().enumerate() {
                if i > 0 && (s.len() - i) % 3 == 0 {
                    out.push(',');
                }
                out.push(c);
            }
            out
        } else {
            units.to_string()
        };
        let written = format!("{whole}.{cents:02}");
        let text = format!("{HEADER}Japan will provide US${written} for solar power.");
        let (_, ex) = parse_and_extract("amt", &text);
        prop_assert_eq!(ex.amounts.len(), 1);
        let expected = rust_decimal::Decimal::from(units) + rust_decimal::Decimal::new(i64::from(cents), 2);
        prop_assert_eq!(ex.amounts[0].value, expected.normalize());
        prop_assert_eq!(ex.amounts[0].currency.as_deref(), Some("USD"));
    }
}
