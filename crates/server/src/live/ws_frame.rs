//! RFC 6455 framing for the live stream, written out by hand because the stream is so narrow:
//! the server sends unfragmented, unmasked text frames whose payload is the room's shared bytes,
//! and the client only ever sends tiny control frames and `{"t":"ping"}`. Owning the framing lets
//! the connection write a 2-10 byte header and the shared payload in one `writev`, with no copy,
//! no channel and no per-connection buffer (see `live/socket.rs` and docs/benchmarks.md).
//!
//! Pure: no I/O. The decoder works on whatever bytes have arrived and says how many it used.

/// Frame opcodes (RFC 6455 5.2).
pub const CONTINUATION: u8 = 0x0;
pub const TEXT: u8 = 0x1;
pub const BINARY: u8 = 0x2;
pub const CLOSE: u8 = 0x8;
pub const PING: u8 = 0x9;
pub const PONG: u8 = 0xA;

/// How many bytes [`header`] uses for a payload of `len` bytes.
pub fn header_len(len: usize) -> usize {
    if len < 126 {
        2
    } else if len <= u16::MAX as usize {
        4
    } else {
        10
    }
}

/// The header of an unmasked, final (FIN) server frame carrying `len` payload bytes.
/// Returns the buffer and how many of its bytes are the header.
pub fn header(opcode: u8, len: usize) -> ([u8; 10], usize) {
    let mut h = [0u8; 10];
    h[0] = 0x80 | (opcode & 0x0F);
    if len < 126 {
        h[1] = len as u8;
        (h, 2)
    } else if len <= u16::MAX as usize {
        h[1] = 126;
        h[2..4].copy_from_slice(&(len as u16).to_be_bytes());
        (h, 4)
    } else {
        h[1] = 127;
        h[2..10].copy_from_slice(&(len as u64).to_be_bytes());
        (h, 10)
    }
}

/// A close frame's payload: the code, then a UTF-8 reason, at most 125 bytes in all.
pub fn close_payload(code: u16, reason: &str) -> Vec<u8> {
    let mut p = Vec::with_capacity(2 + reason.len().min(123));
    p.extend_from_slice(&code.to_be_bytes());
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    p.extend_from_slice(&reason.as_bytes()[..end]);
    p
}

/// One frame from the client, unmasked.
#[derive(Debug, PartialEq, Eq)]
pub struct ClientFrame {
    pub fin: bool,
    pub opcode: u8,
    pub payload: Vec<u8>,
}

/// Why the client's bytes cannot be a valid frame; each maps to a close code.
#[derive(Debug, PartialEq, Eq)]
pub enum FrameError {
    /// Reserved bits, unknown opcode, unmasked client frame, fragmented or long control frame,
    /// a continuation without a start: close 1002.
    Protocol(&'static str),
    /// Larger than the configured maximum: close 1009.
    TooBig,
}

/// Decode one frame from the front of `buf`. `Ok(None)`: not all of it has arrived yet.
/// `max` bounds the payload of a single frame (checked before the payload arrives, so a
/// client cannot make the server buffer more than `max` bytes).
pub fn decode(buf: &[u8], max: usize) -> Result<Option<(ClientFrame, usize)>, FrameError> {
    if buf.len() < 2 {
        return Ok(None);
    }
    let b0 = buf[0];
    let b1 = buf[1];
    if b0 & 0x70 != 0 {
        return Err(FrameError::Protocol("reserved bits set"));
    }
    let fin = b0 & 0x80 != 0;
    let opcode = b0 & 0x0F;
    let control = opcode & 0x08 != 0;
    match opcode {
        CONTINUATION | TEXT | BINARY | CLOSE | PING | PONG => {}
        _ => return Err(FrameError::Protocol("unknown opcode")),
    }
    if b1 & 0x80 == 0 {
        return Err(FrameError::Protocol("client frames must be masked"));
    }
    let (len, mut at) = match b1 & 0x7F {
        126 => {
            if buf.len() < 4 {
                return Ok(None);
            }
            (u64::from(u16::from_be_bytes([buf[2], buf[3]])), 4)
        }
        127 => {
            if buf.len() < 10 {
                return Ok(None);
            }
            let mut b = [0u8; 8];
            b.copy_from_slice(&buf[2..10]);
            (u64::from_be_bytes(b), 10)
        }
        n => (u64::from(n), 2),
    };
    if control && (!fin || len > 125) {
        return Err(FrameError::Protocol(
            "control frames must be short and final",
        ));
    }
    if len > max as u64 {
        return Err(FrameError::TooBig);
    }
    let len = len as usize;
    if buf.len() < at + 4 + len {
        return Ok(None);
    }
    let mask = [buf[at], buf[at + 1], buf[at + 2], buf[at + 3]];
    at += 4;
    let payload = buf[at..at + len]
        .iter()
        .enumerate()
        .map(|(i, b)| b ^ mask[i % 4])
        .collect();
    Ok(Some((
        ClientFrame {
            fin,
            opcode,
            payload,
        },
        at + len,
    )))
}

/// Joins fragmented messages (a text or binary frame without FIN, then continuations) up to
/// `max` bytes in all. Control frames may arrive between fragments and pass straight through.
#[derive(Default)]
pub struct Reassembly {
    partial: Option<(u8, Vec<u8>)>,
}

/// A complete message or control frame.
#[derive(Debug, PartialEq, Eq)]
pub enum Message {
    Text(String),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong,
    Close,
}

/// A message that breaks the rules, with the close code it earns.
#[derive(Debug, PartialEq, Eq)]
pub enum MessageError {
    Frame(FrameError),
    /// Text that is not UTF-8: close 1007.
    InvalidUtf8,
}

impl Reassembly {
    pub fn push(&mut self, f: ClientFrame, max: usize) -> Result<Option<Message>, MessageError> {
        let protocol = |why| Err(MessageError::Frame(FrameError::Protocol(why)));
        let (opcode, data) = match f.opcode {
            PING => return Ok(Some(Message::Ping(f.payload))),
            PONG => return Ok(Some(Message::Pong)),
            CLOSE => return Ok(Some(Message::Close)),
            CONTINUATION => {
                let Some((opcode, mut data)) = self.partial.take() else {
                    return protocol("continuation without a message");
                };
                if data.len() + f.payload.len() > max {
                    return Err(MessageError::Frame(FrameError::TooBig));
                }
                data.extend_from_slice(&f.payload);
                if !f.fin {
                    self.partial = Some((opcode, data));
                    return Ok(None);
                }
                (opcode, data)
            }
            opcode => {
                if self.partial.is_some() {
                    return protocol("new message before the last one ended");
                }
                if !f.fin {
                    self.partial = Some((opcode, f.payload));
                    return Ok(None);
                }
                (opcode, f.payload)
            }
        };
        if opcode == TEXT {
            String::from_utf8(data)
                .map(|s| Some(Message::Text(s)))
                .map_err(|_| MessageError::InvalidUtf8)
        } else {
            Ok(Some(Message::Binary(data)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
        let mask = [0x37, 0xfa, 0x21, 0x3d];
        let mut v = vec![if fin { 0x80 } else { 0 } | opcode];
        match payload.len() {
            n if n < 126 => v.push(0x80 | n as u8),
            n if n <= 0xFFFF => {
                v.push(0x80 | 126);
                v.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                v.push(0x80 | 127);
                v.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        v.extend_from_slice(&mask);
        v.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        v
    }

    #[test]
    fn headers_use_the_shortest_length_form() {
        assert_eq!(&header(TEXT, 5).0[..header(TEXT, 5).1], &[0x81, 5]);
        let (h, n) = header(TEXT, 300);
        assert_eq!(&h[..n], &[0x81, 126, 1, 44]);
        let (h, n) = header(BINARY, 70_000);
        assert_eq!(&h[..n], &[0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]);
        let (h, n) = header(CLOSE, 125);
        assert_eq!(&h[..n], &[0x88, 125]);
        for len in [0usize, 125, 126, 65_535, 65_536] {
            assert_eq!(header_len(len), header(TEXT, len).1, "len {len}");
        }
    }

    #[test]
    fn decodes_masked_frames_of_every_length_form() {
        for len in [0usize, 1, 125, 126, 65_535, 65_536] {
            let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let bytes = masked(true, BINARY, &payload);
            let (f, used) = decode(&bytes, 1 << 20).unwrap().unwrap();
            assert_eq!(used, bytes.len());
            assert_eq!(f.payload, payload, "len {len}");
            // Every proper prefix is "not yet".
            for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
                assert_eq!(
                    decode(&bytes[..cut], 1 << 20),
                    Ok(None),
                    "len {len} cut {cut}"
                );
            }
        }
    }

    #[test]
    fn refuses_what_the_rfc_forbids() {
        let mut unmasked = vec![0x81, 2, b'h', b'i'];
        assert!(matches!(
            decode(&unmasked, 100),
            Err(FrameError::Protocol(_))
        ));
        unmasked[0] = 0xC1; // RSV1
        assert!(matches!(
            decode(&unmasked, 100),
            Err(FrameError::Protocol(_))
        ));
        assert!(matches!(
            decode(&masked(false, PING, b"x"), 100),
            Err(FrameError::Protocol(_))
        ));
        assert!(matches!(
            decode(&masked(true, PING, &[0; 126]), 1000),
            Err(FrameError::Protocol(_))
        ));
        assert!(matches!(
            decode(&masked(true, 0x3, b""), 100),
            Err(FrameError::Protocol(_))
        ));
        // Too big is known from the header alone.
        assert_eq!(
            decode(&masked(true, TEXT, &[b'a'; 200])[..4], 100),
            Err(FrameError::TooBig)
        );
    }

    #[test]
    fn reassembles_fragments_with_control_frames_between() {
        let mut r = Reassembly::default();
        let mut push = |bytes: Vec<u8>| {
            let (f, _) = decode(&bytes, 100).unwrap().unwrap();
            r.push(f, 10)
        };
        assert_eq!(push(masked(false, TEXT, b"{\"t\"")), Ok(None));
        assert_eq!(
            push(masked(true, PING, b"p")),
            Ok(Some(Message::Ping(b"p".to_vec())))
        );
        assert_eq!(
            push(masked(true, CONTINUATION, b":1}")),
            Ok(Some(Message::Text("{\"t\":1}".into())))
        );
        assert_eq!(push(masked(false, TEXT, b"123456")), Ok(None));
        assert_eq!(
            push(masked(true, CONTINUATION, b"78901")),
            Err(MessageError::Frame(FrameError::TooBig))
        );
        assert_eq!(
            push(masked(true, CONTINUATION, b"x")),
            Err(MessageError::Frame(FrameError::Protocol(
                "continuation without a message"
            )))
        );
        assert_eq!(
            push(masked(true, TEXT, &[0xff, 0xfe])),
            Err(MessageError::InvalidUtf8)
        );
    }

    #[test]
    fn close_payload_is_bounded_and_keeps_characters_whole() {
        let p = close_payload(4000, &"ø".repeat(100));
        assert!(p.len() <= 125);
        assert_eq!(&p[..2], &4000u16.to_be_bytes());
        assert!(std::str::from_utf8(&p[2..]).is_ok());
    }
}
