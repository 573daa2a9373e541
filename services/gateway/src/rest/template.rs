//! `google.api.http` path templates (`/v1/{name=claims/*}:submit`): parsed
//! once from the descriptors, matched against request paths. The grammar is
//! googleapis' (http.proto):
//!
//! ```text
//! Template = "/" Segments [ Verb ] ;
//! Segments = Segment { "/" Segment } ;
//! Segment  = "*" | "**" | LITERAL | Variable ;
//! Variable = "{" FieldPath [ "=" Segments ] "}" ;
//! Verb     = ":" LITERAL ;
//! ```

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// `*`: one segment.
    One,
    /// `**`: the rest of the path (only last).
    Rest,
}

/// A variable binding a request field to segments `start..end` of the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub field_path: String,
    start: usize,
    end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    segments: Vec<Segment>,
    variables: Vec<Variable>,
    verb: Option<String>,
    source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("path template `{template}`: {reason}")]
pub struct TemplateError {
    template: String,
    reason: &'static str,
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

fn parse_segment(text: &str) -> Option<Segment> {
    match text {
        "" => None,
        "*" => Some(Segment::One),
        "**" => Some(Segment::Rest),
        literal if literal.chars().all(|c| !matches!(c, '{' | '}' | '=' | '*')) => {
            Some(Segment::Literal(literal.to_owned()))
        }
        _ => None,
    }
}

impl Template {
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        let error = |reason| TemplateError {
            template: source.to_owned(),
            reason,
        };
        let body = source
            .strip_prefix('/')
            .ok_or_else(|| error("must start with `/`"))?;
        // The verb follows the last `:` outside braces.
        let mut depth = 0_i32;
        let mut verb_at = None;
        for (i, c) in body.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ':' if depth == 0 => verb_at = Some(i),
                _ => {}
            }
        }
        let (path, verb) = match verb_at {
            Some(i) => (&body[..i], Some(body[i + 1..].to_owned())),
            None => (body, None),
        };
        if verb
            .as_deref()
            .is_some_and(|v| v.is_empty() || v.contains('/'))
        {
            return Err(error("empty or malformed verb"));
        }
        let mut segments = Vec::new();
        let mut variables = Vec::new();
        let mut rest = path;
        while !rest.is_empty() {
            if let Some(inner) = rest.strip_prefix('{') {
                let close = inner.find('}').ok_or_else(|| error("unclosed `{`"))?;
                let (field_path, pattern) = match inner[..close].split_once('=') {
                    Some((field, pattern)) => (field, pattern),
                    None => (&inner[..close], "*"),
                };
                let valid_field = !field_path.is_empty()
                    && field_path.split('.').all(|p| {
                        !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    });
                if !valid_field {
                    return Err(error("bad field path in a variable"));
                }
                let start = segments.len();
                for part in pattern.split('/') {
                    segments.push(parse_segment(part).ok_or_else(|| error("bad segment"))?);
                }
                variables.push(Variable {
                    field_path: field_path.to_owned(),
                    start,
                    end: segments.len(),
                });
                rest = &inner[close + 1..];
            } else {
                let end = rest.find('/').unwrap_or(rest.len());
                if rest[..end].contains('{') {
                    return Err(error("a variable must fill a whole segment"));
                }
                segments.push(parse_segment(&rest[..end]).ok_or_else(|| error("bad segment"))?);
                rest = &rest[end..];
            }
            rest = match rest.strip_prefix('/') {
                Some("") => return Err(error("trailing `/`")),
                Some(next) => next,
                None if rest.is_empty() => rest,
                None => return Err(error("expected `/` between segments")),
            };
        }
        if segments.is_empty() {
            return Err(error("no segments"));
        }
        let rest_at = segments.iter().position(|s| *s == Segment::Rest);
        if rest_at.is_some_and(|i| i + 1 != segments.len()) {
            return Err(error("`**` must be the last segment"));
        }
        Ok(Self {
            segments,
            variables,
            verb,
            source: source.to_owned(),
        })
    }

    pub fn variables(&self) -> impl Iterator<Item = &Variable> {
        self.variables.iter()
    }

    /// How specific a template is: matched first when several could match
    /// (more literal segments, then a verb).
    pub fn specificity(&self) -> (usize, bool) {
        let literals = self
            .segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count();
        (literals, self.verb.is_some())
    }

    /// The OpenAPI path: `/v1/{name}:submit` with the variable's pattern
    /// folded into the parameter (the value carries its slashes).
    pub fn openapi_path(&self) -> String {
        let mut out = String::new();
        let mut i = 0;
        while i < self.segments.len() {
            out.push('/');
            if let Some(var) = self.variables.iter().find(|v| v.start == i) {
                out.push('{');
                out.push_str(&var.field_path);
                out.push('}');
                i = var.end.max(i + 1);
                continue;
            }
            match &self.segments[i] {
                Segment::Literal(l) => out.push_str(l),
                Segment::One | Segment::Rest => out.push_str(&format!("{{segment{i}}}")),
            }
            i += 1;
        }
        if let Some(verb) = &self.verb {
            out.push(':');
            out.push_str(verb);
        }
        out
    }

    /// The names `openapi_path` gives wildcards outside any variable (matched,
    /// never bound to a field, as googleapis specifies).
    pub fn unbound_segments(&self) -> Vec<String> {
        (0..self.segments.len())
            .filter(|i| {
                !matches!(self.segments[*i], Segment::Literal(_))
                    && !self.variables.iter().any(|v| (v.start..v.end).contains(i))
            })
            .map(|i| format!("segment{i}"))
            .collect()
    }

    /// The variable's pattern as text (`claims/*`), for documentation.
    pub fn pattern_of(&self, var: &Variable) -> String {
        self.segments[var.start..var.end]
            .iter()
            .map(|s| match s {
                Segment::Literal(l) => l.as_str(),
                Segment::One => "*",
                Segment::Rest => "**",
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Matches `path` (not yet percent-decoded); on success the variables'
    /// values, decoded, in template order.
    pub fn matches(&self, path: &str) -> Option<Vec<(String, String)>> {
        let path = path.strip_prefix('/')?;
        let path = match &self.verb {
            Some(verb) => path.strip_suffix(verb.as_str())?.strip_suffix(':')?,
            None => path,
        };
        let parts: Vec<&str> = path.split('/').collect();
        let mut spans = Vec::with_capacity(self.segments.len());
        let mut at = 0;
        for segment in &self.segments {
            match segment {
                Segment::Literal(l) => {
                    if parts.get(at)? != l {
                        return None;
                    }
                    spans.push((at, at + 1));
                    at += 1;
                }
                Segment::One => {
                    if parts.get(at)?.is_empty() {
                        return None;
                    }
                    spans.push((at, at + 1));
                    at += 1;
                }
                Segment::Rest => {
                    if at >= parts.len() || parts[at..].iter().any(|p| p.is_empty()) {
                        return None;
                    }
                    spans.push((at, parts.len()));
                    at = parts.len();
                }
            }
        }
        if at != parts.len() {
            return None;
        }
        self.variables
            .iter()
            .map(|var| {
                let from = spans.get(var.start)?.0;
                let to = spans.get(var.end.checked_sub(1)?)?.1;
                let raw = parts[from..to].join("/");
                Some((var.field_path.clone(), percent_decode(&raw)?))
            })
            .collect()
    }
}

/// Decodes `%XX` escapes; `None` for a malformed escape or non-UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(t: &str, path: &str) -> Option<Vec<(String, String)>> {
        Template::parse(t).unwrap().matches(path)
    }

    #[test]
    fn literal_paths_and_verbs() {
        assert_eq!(vars("/v1/claims", "/v1/claims"), Some(vec![]));
        assert_eq!(vars("/v1/claims", "/v1/claims/"), None);
        assert_eq!(vars("/v1/claims", "/v1/claims:overdue"), None);
        assert_eq!(
            vars("/v1/claims:overdue", "/v1/claims:overdue"),
            Some(vec![])
        );
        assert_eq!(vars("/v1/claims:overdue", "/v1/claims"), None);
    }

    #[test]
    fn variables_bind_their_segments_decoded() {
        let got = vars("/v1/{name=claims/*}:submit", "/v1/claims/a%2Db:submit").unwrap();
        assert_eq!(got, vec![("name".to_owned(), "claims/a-b".to_owned())]);
        assert_eq!(
            vars("/v1/{name=claims/*}", "/v1/claims/x:submit").unwrap()[0].1,
            "claims/x:submit"
        );
        assert_eq!(vars("/v1/{name=claims/*}", "/v1/claims/x/y"), None);
        assert_eq!(vars("/v1/{name=claims/*}", "/v1/carriers/x"), None);
        assert_eq!(vars("/v1/{name=claims/*}", "/v1/claims/"), None);
        let got = vars("/v1/{claim.name=claims/*}", "/v1/claims/7").unwrap();
        assert_eq!(got[0].0, "claim.name");
        let got = vars(
            "/v1/{parent=carriers/*}/contracts/{id}",
            "/v1/carriers/c/contracts/k",
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                ("parent".into(), "carriers/c".into()),
                ("id".into(), "k".into())
            ]
        );
        assert_eq!(
            vars("/v1/{path=files/**}", "/v1/files/a/b/c").unwrap()[0].1,
            "files/a/b/c"
        );
        assert_eq!(vars("/v1/{name=claims/*}", "/v1/claims/%zz"), None);
    }

    #[test]
    fn malformed_templates_are_refused() {
        for bad in [
            "v1/claims",
            "/v1/{name",
            "/v1/{=x}",
            "/v1/**/x",
            "/v1/claims/",
            "/v1/x:",
            "/v1/a{b}",
        ] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn openapi_paths_fold_patterns_into_parameters() {
        let t = Template::parse("/v1/{name=claims/*}:submit").unwrap();
        assert_eq!(t.openapi_path(), "/v1/{name}:submit");
        let var = t.variables().next().unwrap();
        assert_eq!(t.pattern_of(var), "claims/*");
        assert_eq!(
            Template::parse("/v1/claims").unwrap().specificity(),
            (2, false)
        );
    }
}
