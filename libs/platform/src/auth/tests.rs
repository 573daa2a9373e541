use super::keys::Claims;
use super::*;
use crate::config::AuthSettings;
use jsonwebtoken::Header;

fn keys() -> TokenKeys {
    TokenKeys::new(b"0123456789abcdef0123456789abcdef", "recourse")
}

#[test]
fn minted_token_verifies_to_the_same_principal() {
    let p = Principal::new("ops", Role::Carrier, Some("c1".into())).unwrap();
    let token = keys().mint(&p, 60).unwrap();
    assert_eq!(keys().verify(&token).unwrap(), p);
}

#[test]
fn token_signed_with_another_key_is_refused() {
    let other = TokenKeys::new(b"ffffffffffffffffffffffffffffffff", "recourse");
    let p = Principal::new("ops", Role::Admin, None).unwrap();
    let token = other.mint(&p, 60).unwrap();
    assert!(matches!(
        keys().verify(&token),
        Err(ApiError::Unauthenticated(_))
    ));
}

#[test]
fn a_foreign_signature_is_refused_with_how_to_mint_a_valid_token() {
    let other = TokenKeys::new(b"ffffffffffffffffffffffffffffffff", "recourse");
    let p = Principal::new("ops", Role::Admin, None).unwrap();
    let Err(ApiError::Unauthenticated(message)) = keys().verify(&other.mint(&p, 60).unwrap())
    else {
        panic!("refused");
    };
    assert!(
        message.contains("does not match this installation's key"),
        "{message}"
    );
    assert!(message.contains("recourse token"), "{message}");
    assert!(!message.contains("0123456789abcdef"), "no key material");
}

#[test]
fn existing_keys_are_never_created() {
    let dir = tempfile::tempdir().unwrap();
    let settings = AuthSettings::default();
    let err = TokenKeys::existing(&settings, dir.path()).unwrap_err();
    assert!(matches!(err, KeyError::Missing(_)));
    assert!(
        err.to_string()
            .contains(&dir.path().join("auth.key").display().to_string())
    );
    assert!(err.to_string().contains("--data-dir"));
    assert!(!dir.path().join("auth.key").exists());
    let created = TokenKeys::from_settings(&settings, dir.path()).unwrap();
    let (found, source) = TokenKeys::existing(&settings, dir.path()).unwrap();
    assert_eq!(source, KeySource::File(dir.path().join("auth.key")));
    let p = Principal::new("ops", Role::Internal, None).unwrap();
    assert_eq!(created.verify(&found.mint(&p, 60).unwrap()).unwrap(), p);
}

#[test]
fn expired_token_is_refused() {
    let p = Principal::new("ops", Role::Admin, None).unwrap();
    let claims = Claims {
        sub: p.subject,
        role: p.role,
        carrier: None,
        party: None,
        iss: "recourse".into(),
        iat: 0,
        exp: chrono::Utc::now().timestamp() - 3600,
    };
    let token = jsonwebtoken::encode(&Header::default(), &claims, &keys().encoding).unwrap();
    assert!(matches!(
        keys().verify(&token),
        Err(ApiError::Unauthenticated(_))
    ));
}

#[test]
fn subject_is_bounded_and_printable() {
    assert!(Principal::new("x".repeat(129), Role::Admin, None).is_err());
    assert!(Principal::new("a\nb", Role::Admin, None).is_err());
    assert!(Principal::new("x".repeat(128), Role::Admin, None).is_ok());
}

#[test]
fn partners_need_a_scope_and_others_cannot_have_one() {
    assert!(Principal::new("p", Role::Carrier, None).is_err());
    assert!(Principal::new("p", Role::ThirdParty, None).is_err());
    assert!(Principal::new("a", Role::Admin, Some("c1".into())).is_err());
}

#[test]
fn carrier_sees_only_its_own_carrier_and_a_3pl_none() {
    let p = Principal::new("p", Role::Carrier, Some("c1".into())).unwrap();
    assert!(p.can_see_carrier("c1"));
    assert!(!p.can_see_carrier("c2"));
    let tpl = Principal::new("t", Role::ThirdParty, Some("acct-1".into())).unwrap();
    assert!(!tpl.can_see_carrier("c1"));
    assert_eq!(tpl.party_scope(), Some("acct-1"));
    assert_eq!(tpl.carrier_scope(), None);
    let auditor = Principal::new("a", Role::Auditor, None).unwrap();
    assert!(auditor.can_see_carrier("c2"));
}

#[test]
fn key_file_is_created_once_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let settings = AuthSettings::default();
    let first = TokenKeys::from_settings(&settings, dir.path()).unwrap();
    let second = TokenKeys::from_settings(&settings, dir.path()).unwrap();
    let p = Principal::new("ops", Role::Internal, None).unwrap();
    let token = first.mint(&p, 60).unwrap();
    assert_eq!(second.verify(&token).unwrap(), p);
}
