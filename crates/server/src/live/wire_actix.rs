//! The `actix-ws` WebSocket engine (`--ws-engine actix-ws`): frames go through actix-ws's
//! session channel and actix-http's dispatcher. Kept as the conservative choice and as the
//! baseline the benchmarks compare the `direct` engine with (docs/benchmarks.md).
//!
//! The actix-ws trap (DESIGN.md): `Session::text` awaits a 32-slot channel, so every send here
//! has a timeout, and only the connection's own task sends.

use std::time::Duration;

use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, Session};
use borgermode_protocol::close_codes;
use bytestring::ByteString;

use crate::live::socket::{Cut, Incoming, Wire};

pub struct ActixWire {
    pub session: Session,
    pub stream: AggregatedMessageStream,
}

async fn send(session: &mut Session, bytes: &ByteString, timeout: Duration) -> Result<(), Cut> {
    use futures_util::FutureExt;
    // Hot path: the session's channel has room, so the send completes at its first poll and
    // needs no timer (a timer per frame per client was measurable in the fan-out profile).
    // Dropping a pending send is safe: nothing was queued, and the timed send below
    // continues acquiring the same slot.
    if let Some(done) = session.text(bytes.clone()).now_or_never() {
        return done.map_err(|_closed| Cut::Gone);
    }
    match tokio::time::timeout(timeout, session.text(bytes.clone())).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_closed)) => Err(Cut::Gone),
        Err(_elapsed) => Err(Cut::Slow),
    }
}

impl Wire for ActixWire {
    async fn text(&mut self, frames: &[&ByteString], timeout: Duration) -> Result<(), Cut> {
        for f in frames {
            send(&mut self.session, f, timeout).await?;
        }
        Ok(())
    }

    async fn ping(&mut self, timeout: Duration) -> Result<(), Cut> {
        match tokio::time::timeout(timeout, self.session.ping(b"hb")).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Cut::Gone),
            Err(_) => Err(Cut::Slow),
        }
    }

    async fn pong(&mut self, payload: &[u8], timeout: Duration) -> Result<(), Cut> {
        let _ = tokio::time::timeout(timeout, self.session.pong(payload)).await;
        Ok(())
    }

    async fn recv(&mut self) -> Incoming {
        let Some(msg) = self.stream.recv().await else {
            return Incoming::Gone;
        };
        match msg {
            Ok(AggregatedMessage::Text(text)) => Incoming::Text(text.to_string()),
            Ok(AggregatedMessage::Binary(_)) => Incoming::Binary,
            Ok(AggregatedMessage::Ping(p)) => Incoming::Ping(p.to_vec()),
            Ok(AggregatedMessage::Pong(_)) => Incoming::Pong,
            Ok(AggregatedMessage::Close(_)) => Incoming::Close,
            Err(actix_ws::ProtocolError::Overflow) => {
                Incoming::Refused((close_codes::TOO_BIG, "message too big"))
            }
            Err(actix_ws::ProtocolError::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                Incoming::Refused((close_codes::INVALID_PAYLOAD, "invalid UTF-8"))
            }
            Err(actix_ws::ProtocolError::Io(e)) if e.to_string().contains("continuation size") => {
                Incoming::Refused((close_codes::TOO_BIG, "fragmented message too big"))
            }
            Err(_) => Incoming::Refused((1002, "protocol error")),
        }
    }

    async fn close(self, code: u16, why: &str, timeout: Duration) {
        let reason = CloseReason {
            code: CloseCode::from(code),
            description: Some(why.into()),
        };
        let _ = tokio::time::timeout(timeout, self.session.close(Some(reason))).await;
    }
}
