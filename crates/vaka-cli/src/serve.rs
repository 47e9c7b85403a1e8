//! Serving the web application (wired to `vaka-server`).

pub async fn serve(store: vaka_store::Store, addr: std::net::SocketAddr) -> anyhow::Result<()> {
    store.close().await;
    anyhow::bail!("cannot serve on {addr}: this build has no web server yet (use --no-serve)")
}
