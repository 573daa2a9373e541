//! AIP-134 update masks: which fields an update replaces. Paths are the
//! protobuf field names (`display_name`); the JSON form of a FieldMask (what
//! grpcurl and REST clients write) uses lowerCamelCase (`displayName`) and
//! is accepted too, so a path means the same however it was written. `*`
//! alone replaces every mutable field.

use prost_types::FieldMask;

use crate::error::Violations;

/// The fields an update names, checked against what may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateMask {
    all: bool,
    paths: Vec<String>,
}

/// `displayName` → `display_name`; snake_case paths are unchanged.
pub fn snake_case(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 4);
    for c in path.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

impl UpdateMask {
    /// Parses `mask` (recording violations under `update_mask`): it must
    /// name at least one field, each among `mutable` (or be `*` alone).
    pub fn parse(v: &mut Violations, mask: Option<&FieldMask>, mutable: &[&str]) -> Self {
        let listed = || mutable.join(", ");
        let paths: Vec<String> = mask
            .map(|m| m.paths.iter().map(|p| snake_case(p.trim())).collect())
            .unwrap_or_default();
        if paths.is_empty() {
            v.add(
                "update_mask",
                format!("must name the fields to change: {} or *", listed()),
            );
        }
        let all = paths.iter().any(|p| p == "*");
        if all && paths.len() > 1 {
            v.add("update_mask", "`*` must be the only path");
        }
        for path in &paths {
            if path != "*" && !mutable.contains(&path.as_str()) {
                v.add(
                    "update_mask",
                    format!("`{path}` cannot be updated (mutable: {})", listed()),
                );
            }
        }
        Self { all, paths }
    }

    /// Whether the update replaces `field`.
    pub fn names(&self, field: &str) -> bool {
        self.all || self.paths.iter().any(|p| p == field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(paths: &[&str]) -> FieldMask {
        FieldMask {
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    const MUTABLE: &[&str] = &["display_name", "kind"];

    #[test]
    fn camel_case_paths_mean_the_snake_case_fields() {
        let mut v = Violations::new();
        let m = UpdateMask::parse(&mut v, Some(&mask(&["displayName"])), MUTABLE);
        assert!(v.is_empty());
        assert!(m.names("display_name"));
        assert!(!m.names("kind"));
    }

    #[test]
    fn star_names_everything_and_must_stand_alone() {
        let mut v = Violations::new();
        let m = UpdateMask::parse(&mut v, Some(&mask(&["*"])), MUTABLE);
        assert!(v.is_empty() && m.names("kind") && m.names("display_name"));
        UpdateMask::parse(&mut v, Some(&mask(&["*", "kind"])), MUTABLE);
        assert_eq!(v.len(), 1);
    }

    #[test]
    fn empty_and_unknown_paths_are_violations() {
        let mut v = Violations::new();
        UpdateMask::parse(&mut v, None, MUTABLE);
        UpdateMask::parse(&mut v, Some(&mask(&["code", "kind"])), MUTABLE);
        assert_eq!(v.len(), 2);
    }
}
