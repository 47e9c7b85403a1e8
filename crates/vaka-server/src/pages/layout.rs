//! The page frame: head with the one style sheet, navigation, language switch,
//! sign-in state, footer.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::Ctx;
use crate::error::ErrorKind;
use crate::i18n::Lang;

const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans JP",sans-serif;color:#1d2731;background:#fbfcfd}
header{background:#0b4f6c;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
header a{color:#fff;text-decoration:none}
header .brand{font-weight:700;font-size:1.15rem;margin-right:1rem}
header nav{display:flex;gap:1rem;flex-wrap:wrap;flex:1}
header form{display:inline;margin:0}
header button{background:none;border:1px solid #fff6;color:#fff;border-radius:3px;cursor:pointer;font:inherit;padding:0 .4rem}
.langs a{margin-left:.4rem;opacity:.8}.langs a[aria-current]{opacity:1;font-weight:700;text-decoration:underline}
main{padding:1rem;max-width:1400px;margin:0 auto}
h1{font-size:1.5rem;margin:.3rem 0 1rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #d5dde4;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#eef3f6}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.heat td.num a{color:inherit;text-decoration:none;display:block}
.heat td.num a:hover{text-decoration:underline}
.scroll{overflow-x:auto}
form.inline{display:flex;flex-wrap:wrap;gap:.6rem;align-items:end;margin:.5rem 0}
form.inline label{display:flex;flex-direction:column;font-size:.85rem}
input,select,button{font:inherit;padding:.2rem .35rem}
.muted{color:#66717c}.error{color:#9b1c1c}.ok{color:#1f6b35}
.box{border:1px solid #d5dde4;background:#fff;padding:.75rem 1rem;border-radius:4px;margin:.75rem 0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1rem}
svg{max-width:100%;height:auto}
footer{padding:1rem;color:#66717c;font-size:.8rem;text-align:center}
.pager{display:flex;gap:1rem;margin:.5rem 0}
.snippet{font-size:.85rem;color:#3b4650;margin-top:.2rem}
mark{background:#fde68a;color:inherit;padding:0 .1em;border-radius:2px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
tr.overdue td{background:#fdf0f0}
blockquote{margin:.4rem 0;padding-left:.8rem;border-left:3px solid #d5dde4}
ul.changes{margin:.2rem 0;padding-left:1.2rem;font-size:.85rem}ul.changes del{color:#9b1c1c}ul.changes ins{color:#1f6b35;text-decoration:none}
"#;

/// A whole page.
pub fn page(ctx: &Ctx, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Vaka" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    a.brand href="/" { "Vaka" }
                    nav aria-label="main" {
                        a href="/" { (ctx.t("nav.dashboard")) }
                        a href="/activities" { (ctx.t("nav.activities")) }
                        a href="/search" { (ctx.t("nav.search")) }
                        a href="/projects" { (ctx.t("nav.projects")) }
                        a href="/announcements" { (ctx.t("nav.announcements")) }
                        a href="/consultations" { (ctx.t("nav.consultations")) }
                        @if ctx.auth.actor.is_some() {
                            a href="/awaiting" { (ctx.t("nav.awaiting")) }
                        }
                        @if ctx.auth.actor.as_ref().is_some_and(|a| a.can_write()) {
                            a href="/import" { (ctx.t("nav.import")) }
                        }
                    }
                    span.langs aria-label=(ctx.t("nav.language")) {
                        @for l in Lang::ALL {
                            @if l == ctx.lang {
                                a href=(ctx.lang_href(l)) hreflang=(l.code()) aria-current="true" { (l.name()) }
                            } @else {
                                a href=(ctx.lang_href(l)) hreflang=(l.code()) { (l.name()) }
                            }
                        }
                    }
                    @match &ctx.auth.actor {
                        Some(a) => {
                            span.user { (ctx.t("login.as")) " " strong { (a.username) } " (" (a.org) ", " (a.role.as_str()) ")" }
                            form method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(ctx.auth.csrf.as_deref().unwrap_or(""));
                                button type="submit" { (ctx.t("nav.logout")) }
                            }
                        }
                        None => { a href="/login" { (ctx.t("nav.login")) } }
                    }
                }
                main { h1 { (title) } (body) }
                footer { "Vaka — " (ctx.t("app.tagline")) ". IATI data as published by each partner." }
            }
        }
    }
}

/// The hidden CSRF field of every POST form.
pub fn csrf_field(ctx: &Ctx) -> Markup {
    html! { input type="hidden" name="csrf" value=(ctx.auth.csrf.as_deref().unwrap_or("")); }
}

/// A stand-alone error page (no request context needed): the kind's title and
/// advice in `lang`, the message (English, as in the API) as the detail.
pub fn error_page(lang: Lang, kind: ErrorKind, message: &str) -> Markup {
    let status = kind.status();
    let title = format!(
        "{} {}",
        status.as_u16(),
        lang.t(&format!("error.{}", kind.code()))
    );
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Vaka" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header { a.brand href="/" { "Vaka" } }
                main {
                    h1 { (title) }
                    p { (lang.t(&format!("error.{}.help", kind.code()))) }
                    p.error { (lang.t("error.detail")) ": " span lang="en" { (message) } }
                    p { a href="/" { (lang.t("error.back")) } }
                }
            }
        }
    }
}
