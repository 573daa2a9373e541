//! AIP resource names: `{collection}/{uuid}`.

use crate::error::Violations;

/// The id of `{collection}/{uuid}` (a bare UUID is accepted too), or a
/// violation recorded under `field`.
pub fn resource_id(
    v: &mut Violations,
    field: &str,
    collection: &str,
    name: &str,
) -> Option<String> {
    let id = name
        .strip_prefix(collection)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or(name);
    match uuid::Uuid::parse_str(id) {
        Ok(uuid) => Some(uuid.hyphenated().to_string()),
        Err(_) => {
            v.add(
                field,
                format!("must be `{collection}/{{id}}` with a UUID id"),
            );
            None
        }
    }
}

/// The id of `carriers/{uuid}`.
pub fn carrier_id(v: &mut Violations, field: &str, name: &str) -> Option<String> {
    resource_id(v, field, "carriers", name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_bare_ids_and_names_the_field_otherwise() {
        let mut v = Violations::new();
        let id = "01900000-0000-7000-8000-000000000000";
        assert_eq!(
            resource_id(&mut v, "f", "claims", &format!("claims/{id}")).as_deref(),
            Some(id)
        );
        assert_eq!(resource_id(&mut v, "f", "claims", id).as_deref(), Some(id));
        assert!(v.is_empty());
        assert_eq!(resource_id(&mut v, "claim", "claims", "claims/../x"), None);
        assert!(
            matches!(v.into_result(), Err(crate::ApiError::InvalidArgument(f)) if f[0].field == "claim")
        );
    }
}
