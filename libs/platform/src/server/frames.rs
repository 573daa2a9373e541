//! Message size limits enforced on the wire. A gRPC body is a sequence of
//! length-prefixed messages (1 flag byte, 4 length bytes, payload); a
//! message whose announced length is over the limit is refused as soon as
//! its prefix is seen, before any of it is buffered, with
//! RESOURCE_EXHAUSTED (tonic's own check says OUT_OF_RANGE, which gRPC
//! reserves for other things).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use tonic::Status;
use tonic::body::Body;

/// Which way the messages flow, which decides how a refusal is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// The handler's decoder gets the refusal as a body error and answers
    /// the call with it.
    Request,
    /// The client gets the refusal as the call's trailers.
    Response,
}

#[derive(Debug)]
enum Scan {
    /// Reading a 5-byte message prefix; `have` bytes of it seen so far.
    Prefix { have: usize, bytes: [u8; 5] },
    /// Inside a message payload.
    Payload { remaining: u64 },
}

/// A body that passes messages up to `max` bytes and refuses larger ones.
pub(crate) struct FrameLimit {
    inner: Body,
    max: u64,
    direction: Direction,
    scan: Scan,
    refusal: Option<Status>,
    finished: bool,
}

impl FrameLimit {
    pub(crate) fn new(inner: Body, max: usize, direction: Direction) -> Self {
        Self {
            inner,
            max: max as u64,
            direction,
            scan: Scan::Prefix {
                have: 0,
                bytes: [0; 5],
            },
            refusal: None,
            finished: false,
        }
    }

    /// Scans `chunk`; returns where the first oversized message starts (0
    /// when its prefix began in an earlier chunk) and its length.
    fn scan(&mut self, chunk: &[u8]) -> Option<(usize, u64)> {
        let mut i = 0;
        while i < chunk.len() {
            match &mut self.scan {
                Scan::Payload { remaining } => {
                    let take = (*remaining).min((chunk.len() - i) as u64);
                    *remaining -= take;
                    i += take as usize;
                    if *remaining == 0 {
                        self.scan = Scan::Prefix {
                            have: 0,
                            bytes: [0; 5],
                        };
                    }
                }
                Scan::Prefix { have, bytes } => {
                    let start = i.saturating_sub(*have);
                    bytes[*have] = chunk[i];
                    *have += 1;
                    i += 1;
                    if *have == 5 {
                        let len =
                            u64::from(u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]));
                        if len > self.max {
                            return Some((start, len));
                        }
                        self.scan = if len == 0 {
                            Scan::Prefix {
                                have: 0,
                                bytes: [0; 5],
                            }
                        } else {
                            Scan::Payload { remaining: len }
                        };
                    }
                }
            }
        }
        None
    }

    fn refuse(&mut self) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        self.finished = true;
        let Some(status) = self.refusal.take() else {
            return Poll::Ready(None);
        };
        match self.direction {
            Direction::Request => Poll::Ready(Some(Err(status))),
            Direction::Response => {
                let mut trailers = http::HeaderMap::new();
                if status.add_header(&mut trailers).is_err() {
                    trailers.insert("grpc-status", http::HeaderValue::from_static("8"));
                }
                Poll::Ready(Some(Ok(Frame::trailers(trailers))))
            }
        }
    }
}

impl HttpBody for FrameLimit {
    type Data = Bytes;
    type Error = Status;

    // `Poll` is std's: every state but a data frame passes through untouched.
    #[allow(clippy::wildcard_enum_match_arm)]
    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let this = self.get_mut();
        if this.refusal.is_some() || this.finished {
            return this.refuse();
        }
        let frame = match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => frame,
            other => return other,
        };
        let Some(data) = frame.data_ref() else {
            return Poll::Ready(Some(Ok(frame)));
        };
        let Some((start, len)) = this.scan(data) else {
            return Poll::Ready(Some(Ok(frame)));
        };
        let data = data.slice(..start);
        let what = match this.direction {
            Direction::Request => "request",
            Direction::Response => "response",
        };
        this.refusal = Some(Status::resource_exhausted(format!(
            "{what} message of {len} bytes is larger than the limit of {} bytes",
            this.max
        )));
        if data.is_empty() {
            this.refuse()
        } else {
            Poll::Ready(Some(Ok(Frame::data(data))))
        }
    }

    fn is_end_stream(&self) -> bool {
        self.finished || (self.refusal.is_none() && self.inner.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        if self.refusal.is_some() || self.finished {
            SizeHint::default()
        } else {
            self.inner.size_hint()
        }
    }
}
