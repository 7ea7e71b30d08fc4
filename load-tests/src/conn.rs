//! Opening a WebSocket from a chosen loopback source address. One source address has about
//! 28,000 ephemeral ports, so clients spread over 127.0.0.1..=127.0.0.N to go past that.

use std::net::{Ipv4Addr, SocketAddr};

use anyhow::{anyhow, Context};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::WebSocketStream;

pub type Ws = WebSocketStream<TcpStream>;

/// The source address of client `idx` with `sources` addresses in use.
pub fn source_for(idx: usize, sources: u8) -> Ipv4Addr {
    let n = sources.max(1) as usize;
    Ipv4Addr::new(127, 0, 0, 1 + (idx % n) as u8)
}

/// Only loopback targets: the generator must never send load anywhere else.
pub fn loopback_addr(url: &str) -> anyhow::Result<SocketAddr> {
    let uri: tokio_tungstenite::tungstenite::http::Uri =
        url.parse().with_context(|| format!("bad url {url}"))?;
    let host = uri.host().ok_or_else(|| anyhow!("no host in {url}"))?;
    let host = if host == "localhost" {
        "127.0.0.1"
    } else {
        host
    };
    let ip: std::net::IpAddr = host
        .trim_matches(|c| c == '[' || c == ']')
        .parse()
        .with_context(|| format!("{url}: use a loopback IP address"))?;
    if !ip.is_loopback() {
        return Err(anyhow!("{url}: refusing to send load outside loopback"));
    }
    let port = uri.port_u16().unwrap_or(80);
    Ok(SocketAddr::new(ip, port))
}

pub struct ConnectOptions<'a> {
    pub url: &'a str,
    pub bearer: Option<&'a str>,
    pub source: Ipv4Addr,
    /// A small receive buffer makes a client that stops reading fill up sooner (slow clients).
    pub recv_buffer: Option<u32>,
}

pub async fn connect(opts: ConnectOptions<'_>) -> anyhow::Result<Ws> {
    let addr = loopback_addr(opts.url)?;
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(opts.source.into(), 0))?;
    if let Some(size) = opts.recv_buffer {
        socket.set_recv_buffer_size(size)?;
    }
    let stream = socket.connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut req = opts.url.into_client_request()?;
    if let Some(token) = opts.bearer {
        req.headers_mut()
            .insert("authorization", format!("Bearer {token}").parse()?);
    }
    let config = WebSocketConfig {
        // Keep the generator's own memory per connection small; frames here are < 64 KiB.
        write_buffer_size: 0,
        max_message_size: Some(1 << 20),
        ..WebSocketConfig::default()
    };
    let (ws, _) = tokio_tungstenite::client_async_with_config(req, stream, Some(config)).await?;
    Ok(ws)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_anything_but_loopback() {
        assert!(loopback_addr("ws://127.0.0.1:8080/x").is_ok());
        assert!(loopback_addr("http://localhost:1/").is_ok());
        assert!(loopback_addr("ws://10.0.0.1:8080/").is_err());
        assert!(loopback_addr("ws://example.org/").is_err());
    }

    #[test]
    fn sources_cycle_over_loopback() {
        assert_eq!(source_for(0, 4), Ipv4Addr::new(127, 0, 0, 1));
        assert_eq!(source_for(5, 4), Ipv4Addr::new(127, 0, 0, 2));
    }
}
