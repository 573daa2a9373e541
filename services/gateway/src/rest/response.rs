//! gRPC → HTTP response: messages rendered as canonical protobuf JSON (one
//! object, or NDJSON lines for server streams), failures as AIP-193's JSON
//! error `{"error": {code, status, message, details}}` with the HTTP status
//! the gRPC code maps to. The status is read before answering, so a call
//! refused before its first message gets its real HTTP status even when
//! the method streams.

use bytes::{Buf as _, Bytes, BytesMut};
use futures::StreamExt as _;
use http::{HeaderValue, StatusCode};
use http_body_util::BodyExt as _;
use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, SerializeOptions};
use tonic::body::Body as TonicBody;
use tonic::{Code, Status};
use tonic_types::StatusExt as _;

pub type Response = http::Response<TonicBody>;

/// AIP-193's HTTP mapping of each gRPC code.
pub fn http_status(code: Code) -> StatusCode {
    match code {
        Code::Ok => StatusCode::OK,
        Code::Cancelled => StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
        Code::Unknown | Code::Internal | Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
        Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => {
            StatusCode::BAD_REQUEST
        }
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists | Code::Aborted => StatusCode::CONFLICT,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
    }
}

/// `NOT_FOUND` for `Code::NotFound`, as google.rpc.Code spells it.
fn code_name(code: Code) -> String {
    let debug = format!("{code:?}");
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

fn to_json(message: &DynamicMessage) -> serde_json::Value {
    let mut out = serde_json::Serializer::new(Vec::new());
    match message.serialize_with_options(&mut out, &SerializeOptions::new()) {
        Ok(()) => serde_json::from_slice(&out.into_inner()).unwrap_or(serde_json::Value::Null),
        Err(_) => serde_json::Value::Null,
    }
}

fn json_response(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response {
    let mut response =
        http::Response::new(TonicBody::new(http_body_util::Full::new(Bytes::from(body))));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    response
}

/// The error object AIP-193 defines, details decoded as JSON with `@type`.
pub fn error_json(pool: &DescriptorPool, status: &Status) -> serde_json::Value {
    let details = pool
        .get_message_by_name("google.rpc.Status")
        .filter(|_| !status.details().is_empty())
        .and_then(|desc| DynamicMessage::decode(desc, status.details()).ok())
        .map(|rpc| to_json(&rpc))
        .and_then(|json| json.get("details").cloned())
        .unwrap_or_else(|| serde_json::Value::Array(Vec::new()));
    serde_json::json!({
        "error": {
            "code": http_status(status.code()).as_u16(),
            "status": code_name(status.code()),
            "message": status.message(),
            "details": details,
        }
    })
}

pub fn error_response(pool: &DescriptorPool, status: &Status) -> Response {
    let body = serde_json::to_vec(&error_json(pool, status)).unwrap_or_default();
    let mut response = json_response(http_status(status.code()), "application/json", body);
    if let Some(delay) = status.get_details_retry_info().and_then(|r| r.retry_delay) {
        let seconds = delay.as_secs_f64().ceil().max(1.0) as u64;
        if let Ok(value) = HeaderValue::try_from(seconds.to_string()) {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, value);
        }
    }
    response
}

/// Reads complete length-prefixed messages off `buffer`.
fn take_messages(buffer: &mut BytesMut) -> Result<Vec<Bytes>, Status> {
    let mut out = Vec::new();
    while buffer.len() >= 5 {
        if buffer[0] != 0 {
            return Err(Status::internal("the upstream sent a compressed message"));
        }
        let len = u32::from_be_bytes([buffer[1], buffer[2], buffer[3], buffer[4]]) as usize;
        if buffer.len() < 5 + len {
            break;
        }
        buffer.advance(5);
        out.push(buffer.split_to(len).freeze());
    }
    Ok(out)
}

/// The gRPC response as it is read: messages and, at the end, the status.
struct Reader {
    body: TonicBody,
    buffer: BytesMut,
    done: bool,
}

enum Step {
    Messages(Vec<Bytes>),
    End(Status),
}

impl Reader {
    async fn next(&mut self) -> Step {
        loop {
            if self.done {
                return Step::End(Status::ok(""));
            }
            match self.body.frame().await {
                None => {
                    self.done = true;
                    return Step::End(Status::internal("the upstream ended without a status"));
                }
                Some(Err(status)) => {
                    self.done = true;
                    return Step::End(status);
                }
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => {
                        self.buffer.extend_from_slice(&data);
                        match take_messages(&mut self.buffer) {
                            Ok(messages) if messages.is_empty() => {}
                            Ok(messages) => return Step::Messages(messages),
                            Err(status) => {
                                self.done = true;
                                return Step::End(status);
                            }
                        }
                    }
                    Err(frame) => {
                        self.done = true;
                        let status = frame
                            .trailers_ref()
                            .and_then(Status::from_header_map)
                            .unwrap_or_else(|| Status::internal("the upstream sent no status"));
                        return Step::End(status);
                    }
                },
            }
        }
    }
}

fn render(
    output: &MessageDescriptor,
    response_body: Option<&str>,
    bytes: Bytes,
) -> Result<serde_json::Value, Status> {
    let message = DynamicMessage::decode(output.clone(), bytes)
        .map_err(|e| Status::internal(format!("undecodable upstream message: {e}")))?;
    let field = response_body.and_then(|f| message.get_field_by_name(f));
    match field.as_deref().and_then(prost_reflect::Value::as_message) {
        Some(inner) => Ok(to_json(inner)),
        None => Ok(to_json(&message)),
    }
}

/// A unary (or client-streaming) call's answer as one JSON object.
pub async fn unary(
    pool: &DescriptorPool,
    response: Response,
    output: &MessageDescriptor,
    response_body: Option<&str>,
) -> Response {
    if let Some(status) = Status::from_header_map(response.headers()) {
        return error_response(pool, &status);
    }
    let mut reader = Reader {
        body: response.into_body(),
        buffer: BytesMut::new(),
        done: false,
    };
    let mut messages = Vec::new();
    let status = loop {
        match reader.next().await {
            Step::Messages(more) => messages.extend(more),
            Step::End(status) => break status,
        }
    };
    if status.code() != Code::Ok {
        return error_response(pool, &status);
    }
    let Some(message) = messages.into_iter().next() else {
        return error_response(pool, &Status::internal("the upstream sent no message"));
    };
    match render(output, response_body, message) {
        Ok(json) => json_response(
            StatusCode::OK,
            "application/json",
            serde_json::to_vec(&json).unwrap_or_default(),
        ),
        Err(status) => error_response(pool, &status),
    }
}

/// A server stream as NDJSON: one message a line; a failure after the
/// first message is a last `{"error": …}` line (the HTTP status is sent).
pub async fn stream(
    pool: DescriptorPool,
    response: Response,
    output: MessageDescriptor,
    response_body: Option<String>,
) -> Response {
    if let Some(status) = Status::from_header_map(response.headers()) {
        return error_response(&pool, &status);
    }
    let mut reader = Reader {
        body: response.into_body(),
        buffer: BytesMut::new(),
        done: false,
    };
    let first = match reader.next().await {
        Step::Messages(messages) => messages,
        Step::End(status) if status.code() != Code::Ok => return error_response(&pool, &status),
        Step::End(_) => Vec::new(),
    };
    let lines = Lines {
        pool,
        output,
        response_body,
    };
    let head = lines.messages(first);
    let rest = futures::stream::unfold(
        (reader, lines, false),
        |(mut reader, lines, finished)| async move {
            if finished {
                return None;
            }
            let chunk = match reader.next().await {
                Step::Messages(messages) => lines.messages(messages),
                Step::End(status) if status.code() == Code::Ok => return None,
                Step::End(status) => {
                    let chunk = lines.error(&status);
                    return Some((
                        Ok::<_, std::convert::Infallible>(chunk),
                        (reader, lines, true),
                    ));
                }
            };
            Some((Ok(chunk), (reader, lines, false)))
        },
    );
    let body = futures::stream::iter([Ok(head)]).chain(rest);
    let mut response = http::Response::new(TonicBody::new(axum::body::Body::from_stream(body)));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    response
}

struct Lines {
    pool: DescriptorPool,
    output: MessageDescriptor,
    response_body: Option<String>,
}

impl Lines {
    fn line(out: &mut Vec<u8>, json: &serde_json::Value) {
        if serde_json::to_writer(&mut *out, json).is_ok() {
            out.push(b'\n');
        }
    }

    fn messages(&self, messages: Vec<Bytes>) -> Bytes {
        let mut out = Vec::new();
        for message in messages {
            let json = render(&self.output, self.response_body.as_deref(), message)
                .unwrap_or_else(|status| error_json(&self.pool, &status));
            Self::line(&mut out, &json);
        }
        Bytes::from(out)
    }

    fn error(&self, status: &Status) -> Bytes {
        let mut out = Vec::new();
        Self::line(&mut out, &error_json(&self.pool, status));
        Bytes::from(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aip193_maps_every_code_and_names_it_as_google_rpc_does() {
        let table = [
            (Code::Ok, 200, "OK"),
            (Code::Cancelled, 499, "CANCELLED"),
            (Code::Unknown, 500, "UNKNOWN"),
            (Code::InvalidArgument, 400, "INVALID_ARGUMENT"),
            (Code::DeadlineExceeded, 504, "DEADLINE_EXCEEDED"),
            (Code::NotFound, 404, "NOT_FOUND"),
            (Code::AlreadyExists, 409, "ALREADY_EXISTS"),
            (Code::PermissionDenied, 403, "PERMISSION_DENIED"),
            (Code::ResourceExhausted, 429, "RESOURCE_EXHAUSTED"),
            (Code::FailedPrecondition, 400, "FAILED_PRECONDITION"),
            (Code::Aborted, 409, "ABORTED"),
            (Code::OutOfRange, 400, "OUT_OF_RANGE"),
            (Code::Unimplemented, 501, "UNIMPLEMENTED"),
            (Code::Internal, 500, "INTERNAL"),
            (Code::Unavailable, 503, "UNAVAILABLE"),
            (Code::DataLoss, 500, "DATA_LOSS"),
            (Code::Unauthenticated, 401, "UNAUTHENTICATED"),
        ];
        for (code, http, name) in table {
            assert_eq!(
                (http_status(code).as_u16(), code_name(code).as_str()),
                (http, name)
            );
        }
    }

    #[test]
    fn messages_are_cut_from_frames_as_they_complete() {
        let mut buffer = BytesMut::from(&[0, 0, 0, 0, 2, 7, 8, 0, 0, 0][..]);
        assert_eq!(
            take_messages(&mut buffer).unwrap(),
            vec![Bytes::from_static(&[7, 8])]
        );
        assert_eq!(buffer.len(), 3);
        buffer.extend_from_slice(&[0, 0]);
        assert_eq!(take_messages(&mut buffer).unwrap(), vec![Bytes::new()]);
        let mut compressed = BytesMut::from(&[1, 0, 0, 0, 0][..]);
        assert!(take_messages(&mut compressed).is_err());
    }
}
