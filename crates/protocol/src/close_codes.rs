//! WebSocket close codes the server uses. 4xxx codes are ours; "resumable" means: reconnect with
//! `since=<last seq you saw>` and nothing is lost.

/// Normal closure (client asked, or meeting deleted).
pub const NORMAL: u16 = 1000;
/// Origin not allowed, or the session is no longer valid.
pub const POLICY: u16 = 1008;
/// Invalid UTF-8 in a text frame.
pub const INVALID_PAYLOAD: u16 = 1007;
/// A client frame (or a fragmented message) over the size limit.
pub const TOO_BIG: u16 = 1009;
/// Server restarting: reconnect (to this or another instance) after the hinted delay. Resumable.
pub const SERVICE_RESTART: u16 = 1012;
/// The connection fell behind the live stream and was cut. Resumable.
pub const TOO_SLOW: u16 = 4000;
/// No pong within the heartbeat timeout. Resumable.
pub const HEARTBEAT_TIMEOUT: u16 = 4001;

/// Whether a client should reconnect with `since` after this close code.
pub fn is_resumable(code: u16) -> bool {
    matches!(
        code,
        SERVICE_RESTART | TOO_SLOW | HEARTBEAT_TIMEOUT | 1001 | 1006 | 1011
    )
}
