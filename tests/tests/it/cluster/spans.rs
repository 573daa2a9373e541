//! The spans a rotel collector printed (its debug exporter, detailed), read
//! back from its output: which process (`service.name`) sent each, its
//! trace, its own id and its parent's.

/// One span as the collector printed it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub service: String,
    pub name: String,
    pub trace_id: String,
    pub span_id: String,
    pub parent_id: String,
}

/// Parses rotel's detailed debug output: `ResourceSpans #n` blocks whose
/// `Resource attributes:` name the service, each holding `Span #n` blocks
/// of `Key : value` lines.
pub fn parse(output: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut service = String::new();
    let mut in_resource = false;
    let mut current: Option<Span> = None;
    for line in output.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("ResourceSpans #") {
            spans.extend(current.take());
            in_resource = true;
            service.clear();
            continue;
        }
        if trimmed.starts_with("ScopeSpans #") {
            in_resource = false;
            continue;
        }
        if trimmed.starts_with("Span #") {
            spans.extend(current.take());
            current = Some(Span {
                service: service.clone(),
                ..Span::default()
            });
            continue;
        }
        if in_resource {
            if let Some(value) = trimmed.strip_prefix("-> service.name: Str(") {
                service = value.trim_end_matches(')').to_owned();
            }
            continue;
        }
        let Some(span) = current.as_mut() else {
            continue;
        };
        let Some((key, value)) = trimmed.split_once(':') else {
            continue;
        };
        let value = value.trim().to_owned();
        match key.trim() {
            "Trace ID" => span.trace_id = value,
            "Parent ID" => span.parent_id = value,
            "ID" => span.span_id = value,
            "Name" => span.name = value,
            _ => {}
        }
    }
    spans.extend(current);
    spans
}

/// Whether `span` descends from `ancestor`: the same trace, reached by
/// following parent ids.
pub fn descends(spans: &[Span], span: &Span, ancestor: &Span) -> bool {
    let mut current = span;
    for _ in 0..32 {
        if current.trace_id != ancestor.trace_id {
            return false;
        }
        if current.parent_id == ancestor.span_id {
            return true;
        }
        match spans
            .iter()
            .find(|s| s.span_id == current.parent_id && s.trace_id == current.trace_id)
        {
            Some(parent) => current = parent,
            None => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
ResourceSpans #0
Resource SchemaURL: 
Resource attributes:
     -> telemetry.sdk.language: Str(rust)
     -> service.name: Str(recourse-gateway)
ScopeSpans #0
InstrumentationScope recourse 
Span #0
    Trace ID       : 4bf92f3577b34da6a3ce929d0e0e4736
    Parent ID      : 00f067aa0ba902b7
    ID             : 1111111111111111
    Name           : gateway /recourse.claims.v1.ClaimService/SubmitClaim
    Kind           : SPAN_KIND_SERVER
Attributes:
     -> rpc.method: Str(SubmitClaim)
ResourceSpans #1
Resource attributes:
     -> service.name: Str(recourse-claims)
ScopeSpans #0
Span #0
    Trace ID       : 4bf92f3577b34da6a3ce929d0e0e4736
    Parent ID      : 1111111111111111
    ID             : 2222222222222222
    Name           : /recourse.claims.v1.ClaimService/SubmitClaim
";

    #[test]
    fn reads_service_ids_and_parents_from_rotel_output() {
        let spans = parse(SAMPLE);
        assert_eq!(spans.len(), 2, "{spans:?}");
        assert_eq!(spans[0].service, "recourse-gateway");
        assert_eq!(
            spans[0].name,
            "gateway /recourse.claims.v1.ClaimService/SubmitClaim"
        );
        assert_eq!(spans[0].parent_id, "00f067aa0ba902b7");
        assert_eq!(spans[1].service, "recourse-claims");
        assert_eq!(spans[1].span_id, "2222222222222222");
        assert!(descends(&spans, &spans[1], &spans[0]));
        assert!(!descends(&spans, &spans[0], &spans[1]));
    }
}
