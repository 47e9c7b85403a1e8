//! Print a release's JSON: `cargo run -p vaka-announce --example dump -- FILE`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump FILE");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match vaka_announce::parse(&path, &text) {
        Ok(release) => {
            let ex = vaka_announce::extract(&release, &vaka_announce::Lexicon::nz_japan_default());
            let json = vaka_announce::to_json(1, &release, &ex);
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            ExitCode::FAILURE
        }
    }
}
