//! The REST routes, read from the `google.api.http` annotations of the
//! descriptor set: one [`Binding`] per rule (and additional binding). No
//! route is written by hand; a new annotated RPC is a new route.

use prost_reflect::{DescriptorPool, DynamicMessage, MethodDescriptor, Value};

use super::template::{Template, TemplateError};

/// One HTTP verb + path bound to one RPC.
#[derive(Debug, Clone)]
pub struct Binding {
    pub method: MethodDescriptor,
    pub verb: http::Method,
    pub template: Template,
    /// `None`: no body; `Some("*")`: every field not bound by the path;
    /// `Some(field)`: that field.
    pub body: Option<String>,
    /// The response field that is the HTTP body (`None`: all of it).
    pub response_body: Option<String>,
}

impl Binding {
    /// `/recourse.claims.v1.ClaimService/GetClaim`.
    pub fn grpc_path(&self) -> String {
        format!(
            "/{}/{}",
            self.method.parent_service().full_name(),
            self.method.name()
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BindingError {
    #[error("{method}: {source}")]
    Template {
        method: String,
        source: TemplateError,
    },
    #[error("{method}: `{field}` is not a field of the request")]
    Field { method: String, field: String },
}

fn text(rule: &DynamicMessage, field: &str) -> String {
    rule.get_field_by_name(field)
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn pattern(rule: &DynamicMessage) -> Option<(http::Method, String)> {
    for (field, verb) in [
        ("get", http::Method::GET),
        ("put", http::Method::PUT),
        ("post", http::Method::POST),
        ("delete", http::Method::DELETE),
        ("patch", http::Method::PATCH),
    ] {
        if rule.has_field_by_name(field) {
            return Some((verb, text(rule, field)));
        }
    }
    let custom = rule.get_field_by_name("custom")?;
    let custom = custom.as_message()?;
    let verb = http::Method::from_bytes(text(custom, "kind").as_bytes()).ok()?;
    Some((verb, text(custom, "path")))
}

/// Whether `path` (dotted) names a field of `method`'s input.
fn has_field(method: &MethodDescriptor, path: &str) -> bool {
    let mut message = method.input();
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let Some(field) = message.get_field_by_name(part) else {
            return false;
        };
        if parts.peek().is_some() {
            match field.kind().as_message() {
                Some(inner) => message = inner.clone(),
                None => return false,
            }
        }
    }
    true
}

fn binding(
    method: &MethodDescriptor,
    rule: &DynamicMessage,
) -> Result<Option<Binding>, BindingError> {
    let Some((verb, path)) = pattern(rule) else {
        return Ok(None);
    };
    let name = method.full_name().to_owned();
    let template = Template::parse(&path).map_err(|source| BindingError::Template {
        method: name.clone(),
        source,
    })?;
    let body = non_empty(text(rule, "body"));
    let fields = template
        .variables()
        .map(|v| v.field_path.clone())
        .chain(body.iter().filter(|b| *b != "*").cloned());
    for field in fields {
        if !has_field(method, &field) {
            return Err(BindingError::Field {
                method: name,
                field,
            });
        }
    }
    Ok(Some(Binding {
        method: method.clone(),
        verb,
        template,
        body,
        response_body: non_empty(text(rule, "response_body")),
    }))
}

/// Every annotated method of the pool's `recourse.*` services, most
/// specific templates first.
pub fn read(pool: &DescriptorPool) -> Result<Vec<Binding>, BindingError> {
    let Some(http) = pool.get_extension_by_name("google.api.http") else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for service in pool.services() {
        if !service.full_name().starts_with("recourse.") {
            continue;
        }
        for method in service.methods() {
            let options = method.options();
            if !options.has_extension(&http) {
                continue;
            }
            let Value::Message(rule) = options.get_extension(&http).into_owned() else {
                continue;
            };
            out.extend(binding(&method, &rule)?);
            if let Some(extra) = rule.get_field_by_name("additional_bindings")
                && let Some(list) = extra.as_list()
            {
                for item in list {
                    if let Some(rule) = item.as_message() {
                        out.extend(binding(&method, rule)?);
                    }
                }
            }
        }
    }
    out.sort_by_key(|b| std::cmp::Reverse(b.template.specificity()));
    Ok(out)
}
