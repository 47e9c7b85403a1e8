//! `vaka demo`: the real bundled data, ready to explore.
//!
//! The Pacific IATI files of `data/iati/pacific` are compiled into the binary, so
//! the demo needs nothing but the executable. They are imported as in-memory
//! sources named `bundled/iati/pacific/<file>`: the content hash makes a second
//! start a no-op, and a newer binary with newer files replaces them atomically.

use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use vaka_store::import::{ImportOptions, NoProgress, Source};

macro_rules! bundled {
    ($file:literal) => {
        (
            $file,
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../data/iati/pacific/",
                $file
            )) as &[u8],
        )
    };
}

/// The bundled IATI files (name, content). `tests::bundle_matches_data_dir`
/// keeps this list equal to the folder.
pub const BUNDLED_IATI: &[(&str, &[u8])] = &[
    bundled!("undp-open-undp-org_Cook_Islands_projects.xml"),
    bundled!("undp-open-undp-org_Fiji_projects.xml"),
    bundled!("undp-open-undp-org_Marshall_Islands_projects.xml"),
    bundled!("undp-open-undp-org_Micronesia_Federated_Statesof_projects.xml"),
    bundled!("undp-open-undp-org_Nauru_projects.xml"),
    bundled!("undp-open-undp-org_Niue_projects.xml"),
    bundled!("undp-open-undp-org_Papua_New_Guinea_projects.xml"),
    bundled!("undp-open-undp-org_Solomon_Islands_projects.xml"),
    bundled!("undp-open-undp-org_Tokelau_projects.xml"),
    bundled!("undp-open-undp-org_Tonga_projects.xml"),
    bundled!("undp-open-undp-org_Tuvalu_projects.xml"),
    bundled!("undp-open-undp-org_Vanuatu_projects.xml"),
];

/// The founding document: the 2019 New Zealand–Japan joint declaration release.
const FOUNDING_ANNOUNCEMENT: (&str, &str) = (
    "bundled/announcements/2019-10-31-nz-japan-joint-declaration.md",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/announcements/2019-10-31-nz-japan-joint-declaration.md"
    )),
);

/// The dataset name a bundled file is stored under.
pub fn bundled_name(file: &str) -> String {
    format!("bundled/iati/pacific/{file}")
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Load the bundled data and print the summary, without starting the server.
    #[arg(long)]
    pub no_serve: bool,
}

pub async fn run(db: &str, args: DemoArgs) -> anyhow::Result<u8> {
    let store = crate::open_store(db).await?;
    let started = Instant::now();
    let sources: Vec<Source> = BUNDLED_IATI
        .iter()
        .map(|(file, bytes)| Source::Memory {
            name: bundled_name(file),
            bytes: Arc::from(*bytes),
        })
        .collect();
    let opts = ImportOptions {
        origin: "demo".into(),
        actor: None,
    };
    let summary = store.import_sources(sources, &opts, &NoProgress).await?;
    let demo = vaka_domain::Actor {
        user_id: 0,
        username: "demo".into(),
        org: "vaka".into(),
        org_kind: vaka_domain::OrgKind::Other,
        country: None,
        role: vaka_domain::Role::Admin,
    };
    let (name, text) = FOUNDING_ANNOUNCEMENT;
    let announced = store
        .import_announcement(Some(&demo), name, text, "demo")
        .await?;
    let stats = store.stats().await?;
    println!(
        "Bundled data: {} files ({} imported, {} already present) in {:.2} s",
        summary.files.len(),
        summary.imported(),
        summary.unchanged(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "Store: {} ({} publishers, {} activities, {} transactions)",
        store.display_url(),
        stats.by_reporting_org.len(),
        stats.activities,
        stats.transactions
    );
    println!(
        "Founding announcement: id {} ({})",
        announced.id, announced.change
    );
    let rejected = summary.rejected();
    if args.no_serve {
        store.close().await;
        return Ok(if rejected > 0 { 1 } else { 0 });
    }
    println!("Serving on http://{} (Ctrl-C to stop)", args.addr);
    crate::serve::serve(store, args.addr).await?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_matches_data_dir() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/iati/pacific");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let listed: Vec<String> = BUNDLED_IATI.iter().map(|(f, _)| f.to_string()).collect();
        assert_eq!(listed, on_disk, "update BUNDLED_IATI in demo.rs");
        for (f, bytes) in BUNDLED_IATI {
            assert_eq!(
                *bytes,
                std::fs::read(dir.join(f)).unwrap().as_slice(),
                "{f}"
            );
        }
    }
}
