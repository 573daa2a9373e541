//! HTTP → gRPC request: the JSON body (canonical protobuf JSON), the path
//! variables and the query parameters merged into one JSON object, parsed
//! against the method's input descriptor, then encoded and framed as the
//! gRPC body. `Idempotency-Key` becomes `request_id` where the request has
//! one. Anything that does not fit the message is INVALID_ARGUMENT naming
//! the field, before any service sees it.

use bytes::{BufMut as _, Bytes, BytesMut};
use prost::Message as _;
use prost_reflect::{
    DeserializeOptions, DynamicMessage, Kind, MessageDescriptor, ReflectMessage as _, Value,
};
use serde_json::{Map, Value as Json};
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt as _};

use super::bindings::Binding;
use super::template::percent_decode;

/// At most this many messages in one client-streaming REST body.
const MAX_STREAM_MESSAGES: usize = 10_000;

fn invalid(field: &str, description: impl Into<String>) -> Status {
    let description = description.into();
    Status::with_error_details(
        Code::InvalidArgument,
        format!("{field}: {description}"),
        ErrorDetails::with_bad_request_violation(field, description),
    )
}

/// Inserts `value` at the dotted `path` of `root`, creating objects.
fn insert(
    root: &mut Map<String, Json>,
    path: &str,
    value: Json,
    repeated: bool,
) -> Result<(), Status> {
    let parts: Vec<&str> = path.split('.').collect();
    let mut node = root;
    for part in &parts[..parts.len() - 1] {
        let entry = node
            .entry((*part).to_owned())
            .or_insert_with(|| Json::Object(Map::new()));
        node = entry
            .as_object_mut()
            .ok_or_else(|| invalid(path, "is set both as a value and as a message"))?;
    }
    let last = parts[parts.len() - 1].to_owned();
    if repeated {
        node.entry(last)
            .or_insert_with(|| Json::Array(Vec::new()))
            .as_array_mut()
            .ok_or_else(|| invalid(path, "is set twice"))?
            .push(value);
    } else {
        node.insert(last, value);
    }
    Ok(())
}

/// The proto path of a query key (proto or JSON names, dotted) and whether
/// the field is a bool and repeated.
fn query_field(input: &MessageDescriptor, key: &str) -> Result<(String, Kind, bool), Status> {
    let mut message = input.clone();
    let mut proto_path = Vec::new();
    let mut parts = key.split('.').peekable();
    while let Some(part) = parts.next() {
        let field = message
            .get_field_by_name(part)
            .or_else(|| message.get_field_by_json_name(part))
            .ok_or_else(|| invalid(key, "is not a field of this request"))?;
        proto_path.push(field.name().to_owned());
        if parts.peek().is_none() {
            if field.is_map() {
                return Err(invalid(key, "a map cannot be set from the query"));
            }
            return Ok((proto_path.join("."), field.kind(), field.is_list()));
        }
        message = field
            .kind()
            .as_message()
            .filter(|_| !field.is_list())
            .cloned()
            .ok_or_else(|| invalid(key, "is not a message field"))?;
    }
    Err(invalid(key, "is empty"))
}

/// A query value as JSON: bools as bools, well-known string-encoded
/// messages (Timestamp, Duration, FieldMask, wrappers) and every scalar as
/// strings (canonical JSON accepts numbers as strings).
fn query_value(key: &str, kind: &Kind, raw: String) -> Result<Json, Status> {
    if matches!(kind, Kind::Bool) {
        return match raw.as_str() {
            "true" => Ok(Json::Bool(true)),
            "false" => Ok(Json::Bool(false)),
            _ => Err(invalid(key, "must be true or false")),
        };
    }
    if kind
        .as_message()
        .is_some_and(|m| !m.full_name().starts_with("google.protobuf."))
    {
        return Err(invalid(key, "a message cannot be set from the query"));
    }
    Ok(Json::String(raw))
}

fn decode_query_part(part: &str) -> Option<String> {
    percent_decode(&part.replace('+', " "))
}

fn parse_json(bytes: &[u8]) -> Result<Json, Status> {
    serde_json::from_slice(bytes)
        .map_err(|e| Status::invalid_argument(format!("the body is not JSON: {e}")))
}

fn to_message(input: &MessageDescriptor, value: Json) -> Result<DynamicMessage, Status> {
    let options = DeserializeOptions::new().deny_unknown_fields(true);
    DynamicMessage::deserialize_with_options(input.clone(), value, &options).map_err(|e| {
        Status::invalid_argument(format!(
            "the request does not fit {}: {e}",
            input.full_name()
        ))
    })
}

/// The first message of a call: body, path variables and query merged.
fn first_message(
    binding: &Binding,
    variables: Vec<(String, String)>,
    query: Option<&str>,
    body: Option<Json>,
) -> Result<Json, Status> {
    let input = binding.method.input();
    let mut root = Map::new();
    match (binding.body.as_deref(), body) {
        (Some("*"), Some(Json::Object(fields))) => root = fields,
        (Some("*"), Some(_)) => {
            return Err(Status::invalid_argument("the body must be a JSON object"));
        }
        (Some(field), Some(value)) => insert(&mut root, field, value, false)?,
        (Some(_) | None, None) => {}
        (None, Some(_)) => return Err(Status::invalid_argument("this method takes no body")),
    }
    for (path, value) in variables {
        insert(&mut root, &path, Json::String(value), false)?;
    }
    for part in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        let (Some(key), Some(value)) = (decode_query_part(key), decode_query_part(value)) else {
            return Err(Status::invalid_argument("malformed query string"));
        };
        if binding.body.as_deref() == Some("*") {
            return Err(invalid(&key, "this method takes every field in the body"));
        }
        let (path, kind, repeated) = query_field(&input, &key)?;
        let top = path.split('.').next().unwrap_or_default();
        let bound = binding.body.as_deref() == Some(top)
            || binding.template.variables().any(|v| v.field_path == path);
        if bound {
            return Err(invalid(&key, "is set by the path or the body"));
        }
        insert(&mut root, &path, query_value(&key, &kind, value)?, repeated)?;
    }
    Ok(Json::Object(root))
}

fn apply_idempotency_key(message: &mut DynamicMessage, key: &str) -> Result<(), Status> {
    let Some(field) = message.descriptor().get_field_by_name("request_id") else {
        return Ok(());
    };
    if !matches!(field.kind(), Kind::String) {
        return Ok(());
    }
    let current = message.get_field(&field);
    match current.as_str() {
        Some("") | None => {
            message.set_field(&field, Value::String(key.to_owned()));
            Ok(())
        }
        Some(existing) if existing == key => Ok(()),
        Some(_) => Err(invalid(
            "request_id",
            "differs from the Idempotency-Key header",
        )),
    }
}

fn frame(out: &mut BytesMut, message: &DynamicMessage) -> Result<(), Status> {
    let encoded = message.encode_to_vec();
    let len = u32::try_from(encoded.len())
        .map_err(|_| Status::resource_exhausted("the request message is too large"))?;
    out.put_u8(0);
    out.put_u32(len);
    out.put_slice(&encoded);
    Ok(())
}

/// The gRPC request body (one or more length-prefixed messages) for `body`.
pub fn encode(
    binding: &Binding,
    variables: Vec<(String, String)>,
    query: Option<&str>,
    idempotency_key: Option<&str>,
    body: &[u8],
) -> Result<Bytes, Status> {
    let input = binding.method.input();
    let text = std::str::from_utf8(body)
        .map_err(|_| Status::invalid_argument("the body is not UTF-8"))?
        .trim();
    // A client stream is sent as a JSON array or as NDJSON, one message a
    // line; the path, query and Idempotency-Key fill the first message.
    let bodies: Vec<Option<Json>> = if binding.method.is_client_streaming() {
        let items = if text.starts_with('[') {
            let Json::Array(items) = parse_json(text.as_bytes())? else {
                return Err(Status::invalid_argument("expected a JSON array"));
            };
            items
        } else {
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| parse_json(l.as_bytes()))
                .collect::<Result<_, _>>()?
        };
        if items.len() > MAX_STREAM_MESSAGES {
            return Err(Status::invalid_argument(format!(
                "at most {MAX_STREAM_MESSAGES} messages in one streamed body"
            )));
        }
        items.into_iter().map(Some).collect()
    } else if text.is_empty() {
        vec![None]
    } else {
        vec![Some(parse_json(text.as_bytes())?)]
    };
    let mut out = BytesMut::new();
    let mut bodies = bodies.into_iter();
    let first = first_message(binding, variables, query, bodies.next().flatten())?;
    let mut first = to_message(&input, first)?;
    if let Some(key) = idempotency_key {
        apply_idempotency_key(&mut first, key)?;
    }
    frame(&mut out, &first)?;
    for body in bodies.flatten() {
        frame(&mut out, &to_message(&input, body)?)?;
    }
    Ok(out.freeze())
}

#[cfg(test)]
mod tests {
    use prost::Message as _;
    use recourse_proto::claims as pb;

    use super::*;
    use crate::rest::{bindings, descriptor_pool};

    fn binding(grpc_path: &str) -> Binding {
        let pool = descriptor_pool().unwrap();
        bindings::read(&pool)
            .unwrap()
            .into_iter()
            .find(|b| b.grpc_path() == grpc_path)
            .unwrap()
    }

    fn decode<M: prost::Message + Default>(frames: &Bytes) -> M {
        M::decode(&frames[5..]).unwrap()
    }

    #[test]
    fn query_parameters_by_proto_or_json_name_with_enums_and_numbers_as_text() {
        let list = binding("/recourse.claims.v1.ClaimService/ListClaims");
        let query = "pageSize=7&page_token=a%20b&status=CLAIM_STATUS_DRAFT&carrier=carriers%2Fx";
        let frames = encode(&list, vec![], Some(query), None, b"").unwrap();
        let request: pb::ListClaimsRequest = decode(&frames);
        assert_eq!(request.page_size, 7);
        assert_eq!(request.page_token, "a b");
        assert_eq!(request.status(), pb::ClaimStatus::Draft);
        assert_eq!(request.carrier, "carriers/x");
        for bad in ["pageSize=x", "nope=1", "status=NOPE", "pageSize=1%ZZ"] {
            let err = encode(&list, vec![], Some(bad), None, b"").unwrap_err();
            assert_eq!(err.code(), Code::InvalidArgument, "{bad}");
        }
        // A GET takes no body.
        assert!(encode(&list, vec![], None, None, b"{}").is_err());
    }

    #[test]
    fn path_variables_body_field_and_idempotency_key_fill_one_message() {
        let create = binding("/recourse.claims.v1.ClaimService/CreateClaim");
        let frames = encode(&create, vec![], None, Some("k-1"), br#"{"notes": "hi"}"#).unwrap();
        let request: pb::CreateClaimRequest = decode(&frames);
        assert_eq!(request.request_id, "k-1");
        assert_eq!(request.claim.unwrap().notes, "hi");
        // The body field cannot also come from the query.
        assert!(encode(&create, vec![], Some("claim.notes=x"), None, b"{}").is_err());
        // request_id from the query agrees with the header, or is refused.
        assert!(encode(&create, vec![], Some("requestId=k-1"), Some("k-1"), b"{}").is_ok());
        assert!(encode(&create, vec![], Some("requestId=k-2"), Some("k-1"), b"{}").is_err());

        let submit = binding("/recourse.claims.v1.ClaimService/SubmitClaim");
        let vars = vec![("name".to_owned(), "claims/7".to_owned())];
        let frames = encode(
            &submit,
            vars,
            None,
            None,
            br#"{"etag": "e", "name": "claims/other"}"#,
        )
        .unwrap();
        let request: pb::SubmitClaimRequest = decode(&frames);
        // The path wins over a body that names another resource.
        assert_eq!(
            (request.name.as_str(), request.etag.as_str()),
            ("claims/7", "e")
        );
        assert!(encode(&submit, vec![], Some("etag=e"), None, b"{}").is_err());
        assert!(encode(&submit, vec![], None, None, b"[1]").is_err());
    }

    #[test]
    fn a_client_stream_is_ndjson_or_an_array_with_the_path_in_the_first_message() {
        let upload = binding("/recourse.claims.v1.ClaimService/UploadDocument");
        let vars = || vec![("header.claim".to_owned(), "claims/9".to_owned())];
        let ndjson = b"{\"header\": {\"fileName\": \"a.pdf\"}}\n\n{\"chunk\": \"AAE=\"}\n";
        let array = br#"[{"header": {"fileName": "a.pdf"}}, {"chunk": "AAE="}]"#;
        for body in [&ndjson[..], &array[..]] {
            let frames = encode(&upload, vars(), None, None, body).unwrap();
            let first_len =
                u32::from_be_bytes([frames[1], frames[2], frames[3], frames[4]]) as usize;
            let first = pb::UploadDocumentRequest::decode(&frames[5..5 + first_len]).unwrap();
            let second = pb::UploadDocumentRequest::decode(&frames[10 + first_len..]).unwrap();
            let Some(pb::upload_document_request::Part::Header(header)) = first.part else {
                panic!("header first");
            };
            assert_eq!(
                (header.claim.as_str(), header.file_name.as_str()),
                ("claims/9", "a.pdf")
            );
            assert_eq!(
                second.part,
                Some(pb::upload_document_request::Part::Chunk(vec![0, 1]))
            );
        }
    }
}
