//! The bodies of a forwarded call, passed through frame by frame (so every
//! streaming kind works and trailers arrive intact) while counting bytes,
//! enforcing the largest message each way, and writing the access-log line
//! when the response ends.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Instant;

use bytes::Bytes;
use http::HeaderMap;
use http_body::{Body, Frame};
use tonic::{Code, Status};

use crate::limits::StreamSlot;

/// Follows the gRPC length-prefixed framing (1 flag byte, 4 length bytes,
/// then the message) across data chunks.
#[derive(Debug, Default)]
pub struct FrameScanner {
    header: [u8; 5],
    have: usize,
    remaining: u64,
}

impl FrameScanner {
    /// Scans `data`; on a message longer than `max`, returns where its
    /// header starts in `data` (0 if it began in an earlier chunk) and its
    /// declared length.
    pub fn scan(&mut self, data: &[u8], max: u32) -> Result<(), (usize, u32)> {
        let mut i = 0;
        let mut start = 0;
        while i < data.len() {
            if self.remaining > 0 {
                let left = data.len() - i;
                let take = usize::try_from(self.remaining).map_or(left, |r| r.min(left));
                i += take;
                self.remaining -= take as u64;
                continue;
            }
            if self.have == 0 {
                start = i;
            }
            self.header[self.have] = data[i];
            self.have += 1;
            i += 1;
            if self.have == 5 {
                self.have = 0;
                let len = u32::from_be_bytes([
                    self.header[1],
                    self.header[2],
                    self.header[3],
                    self.header[4],
                ]);
                if len > max {
                    return Err((start, len));
                }
                self.remaining = u64::from(len);
            }
        }
        Ok(())
    }
}

/// What the two bodies of one call share.
#[derive(Debug, Default)]
pub struct CallShared {
    pub request_bytes: AtomicU64,
    /// Set when the client sent a message over the limit.
    pub request_too_large: AtomicBool,
}

/// One call's access-log line, written once when dropped.
#[derive(Debug)]
pub struct AccessRecord {
    pub started: Instant,
    pub method: String,
    pub upstream: Arc<str>,
    pub caller: Arc<str>,
    pub trace_id: String,
    pub shared: Arc<CallShared>,
    pub response_bytes: u64,
    pub status: Option<Code>,
}

impl Drop for AccessRecord {
    fn drop(&mut self) {
        // No status: the client went away before the call finished.
        let code = self.status.unwrap_or(Code::Cancelled);
        tracing::info!(
            target: "recourse_gateway::access",
            caller = %self.caller,
            method = %self.method,
            upstream = %self.upstream,
            grpc_status = code as i32,
            grpc_code = ?code,
            latency_us = u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX),
            request_bytes = self.shared.request_bytes.load(Ordering::Relaxed),
            response_bytes = self.response_bytes,
            trace_id = %self.trace_id,
            "call"
        );
    }
}

/// The status in a header map (`grpc-status`), if any.
pub fn status_code(headers: &HeaderMap) -> Option<Code> {
    let value = headers.get("grpc-status")?.to_str().ok()?;
    value.parse::<i32>().ok().map(Code::from)
}

pub fn too_large(direction: &str, size: u32, max: u32, key: &str) -> Status {
    Status::resource_exhausted(format!(
        "{direction} message of {size} bytes exceeds the gateway's limit of {max} bytes ({key})"
    ))
}

pin_project_lite::pin_project! {
    /// The client's request body on its way to the upstream.
    pub struct RequestBody<B> {
        #[pin]
        inner: B,
        scanner: FrameScanner,
        max: u32,
        shared: Arc<CallShared>,
    }
}

impl<B> RequestBody<B> {
    pub fn new(inner: B, max: u32, shared: Arc<CallShared>) -> Self {
        Self {
            inner,
            scanner: FrameScanner::default(),
            max,
            shared,
        }
    }
}

impl<B> Body for RequestBody<B>
where
    B: Body<Data = Bytes>,
    B::Error: std::fmt::Display,
{
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let this = self.project();
        let frame = match ready!(this.inner.poll_frame(cx)) {
            None => return Poll::Ready(None),
            Some(Err(err)) => return Poll::Ready(Some(Err(Status::cancelled(err.to_string())))),
            Some(Ok(frame)) => frame,
        };
        if let Some(data) = frame.data_ref() {
            this.shared
                .request_bytes
                .fetch_add(data.len() as u64, Ordering::Relaxed);
            if let Err((_, size)) = this.scanner.scan(data, *this.max) {
                this.shared.request_too_large.store(true, Ordering::Relaxed);
                return Poll::Ready(Some(Err(too_large(
                    "request",
                    size,
                    *this.max,
                    "gateway.max_request_message_bytes",
                ))));
            }
        }
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

pin_project_lite::pin_project! {
    /// The upstream's response body on its way back to the client.
    pub struct ResponseBody<B> {
        #[pin]
        inner: B,
        scanner: FrameScanner,
        max: u32,
        record: AccessRecord,
        // Held for the life of the response: a feed's slot frees when it ends.
        slot: Option<StreamSlot>,
        pending_trailers: Option<HeaderMap>,
        done: bool,
    }
}

impl<B> ResponseBody<B> {
    pub fn new(inner: B, max: u32, record: AccessRecord, slot: Option<StreamSlot>) -> Self {
        Self {
            inner,
            scanner: FrameScanner::default(),
            max,
            record,
            slot,
            pending_trailers: None,
            done: false,
        }
    }
}

fn trailers_of(status: &Status) -> HeaderMap {
    let mut map = HeaderMap::new();
    if status.add_header(&mut map).is_err() {
        map.insert(
            "grpc-status",
            http::HeaderValue::from(Code::Internal as i32),
        );
    }
    map
}

impl<B> Body for ResponseBody<B>
where
    B: Body<Data = Bytes>,
    B::Error: std::fmt::Display,
{
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let this = self.project();
        if let Some(trailers) = this.pending_trailers.take() {
            *this.done = true;
            return Poll::Ready(Some(Ok(Frame::trailers(trailers))));
        }
        if *this.done {
            return Poll::Ready(None);
        }
        let frame = match ready!(this.inner.poll_frame(cx)) {
            None => {
                *this.done = true;
                *this.slot = None;
                return Poll::Ready(None);
            }
            Some(Ok(frame)) => frame,
            Some(Err(err)) => {
                // The upstream broke off mid-call: end the call with a
                // proper status instead of a reset stream.
                let status = if this.record.shared.request_too_large.load(Ordering::Relaxed) {
                    Status::resource_exhausted(
                        "request message exceeds the gateway's limit (gateway.max_request_message_bytes)",
                    )
                } else {
                    Status::unavailable(format!(
                        "upstream `{}` broke off the call: {err}",
                        this.record.upstream
                    ))
                };
                this.record.status = Some(status.code());
                *this.done = true;
                *this.slot = None;
                return Poll::Ready(Some(Ok(Frame::trailers(trailers_of(&status)))));
            }
        };
        if let Some(trailers) = frame.trailers_ref() {
            this.record.status = status_code(trailers).or(Some(Code::Unknown));
            *this.slot = None;
        } else if let Some(data) = frame.data_ref() {
            this.record.response_bytes += data.len() as u64;
            if let Err((at, size)) = this.scanner.scan(data, *this.max) {
                let status = too_large(
                    "response",
                    size,
                    *this.max,
                    "gateway.max_response_message_bytes",
                );
                this.record.status = Some(status.code());
                *this.slot = None;
                let trailers = trailers_of(&status);
                if at > 0 {
                    *this.pending_trailers = Some(trailers);
                    return Poll::Ready(Some(Ok(Frame::data(data.slice(..at)))));
                }
                *this.done = true;
                return Poll::Ready(Some(Ok(Frame::trailers(trailers))));
            }
        }
        Poll::Ready(Some(Ok(frame)))
    }

    // A trailers-only response (an error from the upstream) must stay one
    // HEADERS frame with END_STREAM: report the end so no empty DATA frame
    // follows, which gRPC clients would read as a missing status.
    fn is_end_stream(&self) -> bool {
        self.pending_trailers.is_none() && (self.done || self.inner.is_end_stream())
    }

    fn size_hint(&self) -> http_body::SizeHint {
        if self.pending_trailers.is_none() && self.done {
            http_body::SizeHint::with_exact(0)
        } else {
            self.inner.size_hint()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(len: u32) -> Vec<u8> {
        let mut out = vec![0u8];
        out.extend_from_slice(&len.to_be_bytes());
        out.extend(std::iter::repeat_n(7u8, len as usize));
        out
    }

    #[test]
    fn messages_within_the_limit_pass_however_they_are_chunked() {
        let mut stream = message(10);
        stream.extend(message(0));
        stream.extend(message(100));
        for chunk in [1, 3, 5, 7, 64, 1_000] {
            let mut scanner = FrameScanner::default();
            for part in stream.chunks(chunk) {
                assert_eq!(scanner.scan(part, 100), Ok(()), "chunk size {chunk}");
            }
        }
    }

    #[test]
    fn an_oversized_message_is_found_where_its_header_starts() {
        let mut stream = message(10);
        stream.extend(message(101));
        let mut scanner = FrameScanner::default();
        // The second header starts at byte 15 (5 + 10).
        assert_eq!(scanner.scan(&stream, 100), Err((15, 101)));
        // Split inside the header: it began in the earlier chunk.
        let mut scanner = FrameScanner::default();
        assert_eq!(scanner.scan(&stream[..17], 100), Ok(()));
        assert_eq!(scanner.scan(&stream[17..], 100), Err((0, 101)));
    }
}
