//! The OpenAPI 3 document of the REST surface, generated from the same
//! bindings the transcoder serves (so the two cannot disagree) and served
//! at [`PATH`]. Schemas follow the canonical protobuf JSON mapping: 64-bit
//! integers as decimal strings, enums by name, well-known types in their
//! JSON forms.
//!
//! A path variable holding a resource name (`{name=claims/*}`) is written
//! with its literal segments spelled out (`/v1/claims/{name}`), each `*` a
//! parameter: an OpenAPI path parameter cannot carry a `/`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};
use serde_json::{Value as Json, json};

use super::bindings::Binding;

/// Where the document is served.
pub const PATH: &str = "/v1/openapi.json";

/// How deep query parameters reach into nested request messages.
const QUERY_DEPTH: usize = 3;

fn well_known(message: &MessageDescriptor) -> Option<Json> {
    Some(match message.full_name() {
        "google.protobuf.Timestamp" => json!({"type": "string", "format": "date-time"}),
        "google.protobuf.Duration" => {
            json!({"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]{1,9})?s$"})
        }
        "google.protobuf.FieldMask" => json!({"type": "string"}),
        "google.protobuf.Struct" | "google.protobuf.Any" | "google.protobuf.Empty" => {
            json!({"type": "object"})
        }
        "google.protobuf.Value" => json!({}),
        "google.protobuf.ListValue" => json!({"type": "array", "items": {}}),
        "google.protobuf.BoolValue" => json!({"type": "boolean"}),
        "google.protobuf.StringValue" => json!({"type": "string"}),
        "google.protobuf.BytesValue" => json!({"type": "string", "format": "byte"}),
        "google.protobuf.Int32Value" => json!({"type": "integer", "format": "int32"}),
        "google.protobuf.UInt32Value" => {
            json!({"type": "integer", "minimum": 0, "maximum": 4_294_967_295_u64})
        }
        "google.protobuf.Int64Value" | "google.protobuf.UInt64Value" => {
            json!({"type": "string", "pattern": "^-?[0-9]+$"})
        }
        "google.protobuf.FloatValue" | "google.protobuf.DoubleValue" => json!({"type": "number"}),
        _ => return None,
    })
}

fn scalar(kind: &Kind, refs: &mut VecDeque<MessageDescriptor>) -> Json {
    match kind {
        Kind::Double | Kind::Float => json!({"type": "number"}),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
            json!({"type": "integer", "format": "int32"})
        }
        Kind::Uint32 | Kind::Fixed32 => {
            json!({"type": "integer", "minimum": 0, "maximum": 4_294_967_295_u64})
        }
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => {
            json!({"type": "string", "pattern": "^-?[0-9]{1,19}$"})
        }
        Kind::Uint64 | Kind::Fixed64 => json!({"type": "string", "pattern": "^[0-9]{1,20}$"}),
        Kind::Bool => json!({"type": "boolean"}),
        Kind::String => json!({"type": "string"}),
        Kind::Bytes => json!({"type": "string", "format": "byte"}),
        Kind::Enum(e) => json!({
            "type": "string",
            "enum": e.values().map(|v| v.name().to_owned()).collect::<Vec<_>>(),
        }),
        Kind::Message(m) => well_known(m).unwrap_or_else(|| {
            refs.push_back(m.clone());
            json!({"$ref": format!("#/components/schemas/{}", m.full_name())})
        }),
    }
}

fn field_schema(field: &FieldDescriptor, refs: &mut VecDeque<MessageDescriptor>) -> Json {
    if field.is_map() {
        let value = field
            .kind()
            .as_message()
            .and_then(|entry| entry.get_field_by_name("value"))
            .map_or_else(|| json!({}), |v| scalar(&v.kind(), refs));
        return json!({"type": "object", "additionalProperties": value});
    }
    let schema = scalar(&field.kind(), refs);
    if field.is_list() {
        json!({"type": "array", "items": schema})
    } else {
        schema
    }
}

fn message_schema(message: &MessageDescriptor, refs: &mut VecDeque<MessageDescriptor>) -> Json {
    let properties: serde_json::Map<String, Json> = message
        .fields()
        .map(|f| (f.json_name().to_owned(), field_schema(&f, refs)))
        .collect();
    json!({"type": "object", "properties": properties})
}

/// Query parameters: the scalar leaves of `message` (to `depth`), dotted,
/// skipping `bound` top-level fields.
fn query_params(
    message: &MessageDescriptor,
    prefix: &str,
    depth: usize,
    bound: &BTreeSet<String>,
    out: &mut Vec<Json>,
) {
    for field in message.fields() {
        let name = format!("{prefix}{}", field.name());
        if bound.contains(&name) || field.is_map() {
            continue;
        }
        let mut ignored = VecDeque::new();
        let kind = field.kind();
        match kind
            .as_message()
            .filter(|inner| well_known(inner).is_none())
        {
            Some(inner) => {
                if depth > 1 && !field.is_list() {
                    query_params(inner, &format!("{name}."), depth - 1, bound, out);
                }
            }
            None => {
                let schema = if field.is_list() {
                    json!({"type": "array", "items": scalar(&kind, &mut ignored)})
                } else {
                    scalar(&kind, &mut ignored)
                };
                out.push(json!({"name": name, "in": "query", "required": false, "schema": schema}));
            }
        }
    }
}

/// The OpenAPI path and the path parameters of a binding. A `*` after a
/// literal collection segment is named after it (`carriers/*` →
/// `{carriersId}`), so every RPC on one resource shares one OpenAPI path.
fn path_and_params(binding: &Binding) -> (String, Vec<Json>) {
    let mut path = binding.template.openapi_path();
    let mut params = Vec::new();
    let mut used = BTreeSet::new();
    for var in binding.template.variables() {
        let pattern = binding.template.pattern_of(var);
        let mut expanded = Vec::new();
        let mut previous: Option<&str> = None;
        for segment in pattern.split('/') {
            if segment.starts_with('*') {
                let base = previous.map_or_else(
                    || var.field_path.replace('.', "_"),
                    |collection| format!("{collection}Id"),
                );
                let mut name = base.clone();
                let mut n = 1;
                while !used.insert(name.clone()) {
                    n += 1;
                    name = format!("{base}{n}");
                }
                expanded.push(format!("{{{name}}}"));
                params.push(json!({
                    "name": name,
                    "in": "path",
                    "required": true,
                    "description": format!("`{}` is `{pattern}` with this in place of `*`", var.field_path),
                    "schema": {"type": "string"},
                }));
                previous = None;
            } else {
                expanded.push(segment.to_owned());
                previous = Some(segment);
            }
        }
        path = path.replace(&format!("{{{}}}", var.field_path), &expanded.join("/"));
    }
    for name in binding.template.unbound_segments() {
        params.push(json!({
            "name": name, "in": "path", "required": true,
            "description": "matched by the route, not read", "schema": {"type": "string"},
        }));
    }
    (path, params)
}

fn error_schema() -> Json {
    json!({
        "type": "object",
        "properties": {"error": {"type": "object", "properties": {
            "code": {"type": "integer"},
            "status": {"type": "string"},
            "message": {"type": "string"},
            "details": {"type": "array", "items": {"type": "object"}},
        }}},
    })
}

fn operation(
    binding: &Binding,
    id: String,
    refs: &mut VecDeque<MessageDescriptor>,
) -> (String, Json) {
    let (path, mut parameters) = path_and_params(binding);
    let input = binding.method.input();
    let bound: BTreeSet<String> = binding
        .template
        .variables()
        .map(|v| v.field_path.clone())
        .chain(binding.body.iter().cloned())
        .collect();
    if binding.body.as_deref() != Some("*") {
        query_params(&input, "", QUERY_DEPTH, &bound, &mut parameters);
    }
    parameters.push(json!({
        "name": "Idempotency-Key", "in": "header", "required": false,
        "description": "Sets request_id where the request has one: a retry gets the first answer.",
        "schema": {"type": "string"},
    }));
    let mut op = json!({
        "operationId": id,
        "tags": [binding.method.parent_service().name()],
        "summary": binding.method.full_name(),
        "parameters": parameters,
    });
    let body_schema = match binding.body.as_deref() {
        Some("*") => Some(message_schema(&input, refs)),
        Some(field) => input
            .get_field_by_name(field)
            .map(|f| field_schema(&f, refs)),
        None => None,
    };
    if let Some(schema) = body_schema {
        let content = if binding.method.is_client_streaming() {
            json!({"application/json": {"schema": {"type": "array", "items": schema}}})
        } else {
            json!({"application/json": {"schema": schema}})
        };
        op["requestBody"] = json!({"required": true, "content": content});
    }
    let output = binding.method.output();
    let out_schema = binding
        .response_body
        .as_deref()
        .and_then(|f| output.get_field_by_name(f))
        .map(|f| field_schema(&f, refs))
        .unwrap_or_else(|| scalar(&Kind::Message(output.clone()), refs));
    let media = if binding.method.is_server_streaming() {
        "application/x-ndjson"
    } else {
        "application/json"
    };
    op["responses"] = json!({
        "200": {"description": "OK", "content": {media: {"schema": out_schema}}},
        "default": {"description": "An error (AIP-193)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    });
    (path, op)
}

/// The whole document.
pub fn document(bindings: &[Binding]) -> Json {
    let mut refs = VecDeque::new();
    let mut paths: BTreeMap<String, serde_json::Map<String, Json>> = BTreeMap::new();
    let mut ids = BTreeSet::new();
    for binding in bindings {
        let mut id = binding.method.name().to_owned();
        let mut n = 1;
        while !ids.insert(id.clone()) {
            n += 1;
            id = format!("{}{n}", binding.method.name());
        }
        let (path, op) = operation(binding, id, &mut refs);
        paths
            .entry(path)
            .or_default()
            .insert(binding.verb.as_str().to_ascii_lowercase(), op);
    }
    let mut schemas = serde_json::Map::new();
    schemas.insert("Error".into(), error_schema());
    while let Some(message) = refs.pop_front() {
        if schemas.contains_key(message.full_name()) {
            continue;
        }
        let schema = message_schema(&message, &mut refs);
        schemas.insert(message.full_name().to_owned(), schema);
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Recourse REST API",
            "version": "v1",
            "description": "REST/JSON transcoding of the Recourse gRPC API (google.api.http annotations). Errors follow AIP-193; server streams are NDJSON.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "An API key (rk_…) or a token"}},
        },
    })
}
