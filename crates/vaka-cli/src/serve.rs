//! Serving the web application for `vaka demo` (wired to `vaka-server`).

pub async fn serve(store: vaka_store::Store, addr: std::net::SocketAddr) -> anyhow::Result<()> {
    let config = vaka_server::ServerConfig {
        addr,
        ..Default::default()
    };
    let result = vaka_server::serve(store.clone(), config).await;
    store.close().await;
    Ok(result?)
}
