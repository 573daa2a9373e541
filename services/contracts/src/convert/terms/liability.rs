//! Liability terms and the claim-related enums.

use std::collections::HashSet;

use recourse_contracts_domain::terms::{
    ClaimType, DocumentKind, FilingAnchor, FilingWindow, LiabilityTerms, RequiredDocuments,
    WindowLength,
};
use recourse_money::Currency;
use recourse_proto::contracts as pb;

use super::super::Parser;
use super::super::common::money_to_proto;
use super::super::limits;

pub fn claim_type(value: i32) -> Option<ClaimType> {
    match pb::ClaimType::try_from(value).ok()? {
        pb::ClaimType::Loss => Some(ClaimType::Loss),
        pb::ClaimType::Damage => Some(ClaimType::Damage),
        pb::ClaimType::Delay => Some(ClaimType::Delay),
        pb::ClaimType::Shortage => Some(ClaimType::Shortage),
        pb::ClaimType::ConcealedDamage => Some(ClaimType::ConcealedDamage),
        pb::ClaimType::Unspecified => None,
    }
}

pub fn claim_type_to_proto(t: ClaimType) -> pb::ClaimType {
    match t {
        ClaimType::Loss => pb::ClaimType::Loss,
        ClaimType::Damage => pb::ClaimType::Damage,
        ClaimType::Delay => pb::ClaimType::Delay,
        ClaimType::Shortage => pb::ClaimType::Shortage,
        ClaimType::ConcealedDamage => pb::ClaimType::ConcealedDamage,
    }
}

fn anchor(value: i32) -> Option<FilingAnchor> {
    match pb::FilingAnchor::try_from(value).ok()? {
        pb::FilingAnchor::ShipDate => Some(FilingAnchor::ShipDate),
        pb::FilingAnchor::ScheduledDelivery => Some(FilingAnchor::ScheduledDelivery),
        pb::FilingAnchor::ActualDelivery => Some(FilingAnchor::ActualDelivery),
        pb::FilingAnchor::InvoiceDate => Some(FilingAnchor::InvoiceDate),
        pb::FilingAnchor::Unspecified => None,
    }
}

fn anchor_to_proto(a: FilingAnchor) -> pb::FilingAnchor {
    match a {
        FilingAnchor::ShipDate => pb::FilingAnchor::ShipDate,
        FilingAnchor::ScheduledDelivery => pb::FilingAnchor::ScheduledDelivery,
        FilingAnchor::ActualDelivery => pb::FilingAnchor::ActualDelivery,
        FilingAnchor::InvoiceDate => pb::FilingAnchor::InvoiceDate,
    }
}

fn document(value: i32) -> Option<DocumentKind> {
    match pb::DocumentKind::try_from(value).ok()? {
        pb::DocumentKind::Invoice => Some(DocumentKind::Invoice),
        pb::DocumentKind::Photo => Some(DocumentKind::Photo),
        pb::DocumentKind::ProofOfDelivery => Some(DocumentKind::ProofOfDelivery),
        pb::DocumentKind::PackagingPhoto => Some(DocumentKind::PackagingPhoto),
        pb::DocumentKind::CustomerStatement => Some(DocumentKind::CustomerStatement),
        pb::DocumentKind::Unspecified => None,
    }
}

pub fn document_to_proto(d: DocumentKind) -> pb::DocumentKind {
    match d {
        DocumentKind::Invoice => pb::DocumentKind::Invoice,
        DocumentKind::Photo => pb::DocumentKind::Photo,
        DocumentKind::ProofOfDelivery => pb::DocumentKind::ProofOfDelivery,
        DocumentKind::PackagingPhoto => pb::DocumentKind::PackagingPhoto,
        DocumentKind::CustomerStatement => pb::DocumentKind::CustomerStatement,
    }
}

fn filing_window(p: &mut Parser<'_>, at: &str, w: &pb::FilingWindow) -> Option<FilingWindow> {
    let kind = claim_type(w.claim_type);
    p.check(
        kind.is_some(),
        format!("{at}.claim_type"),
        "must be a claim type",
    );
    // Exactly one of days and months: Carmack's 9 months are calendar
    // months, which no number of days states.
    let length = match (w.days, w.months) {
        (0, 0) => {
            p.add(
                format!("{at}.days"),
                "set days (1-3650) or calendar months (1-120)",
            );
            None
        }
        (days, 0) => {
            p.check(
                days <= limits::WINDOW_DAYS,
                format!("{at}.days"),
                "must be 1-3650",
            );
            Some(WindowLength::Days(days))
        }
        (0, months) => {
            p.check(months <= 120, format!("{at}.months"), "must be 1-120");
            Some(WindowLength::Months(months))
        }
        (_, _) => {
            p.add(
                format!("{at}.months"),
                "set either days or months, not both",
            );
            None
        }
    };
    let anchor = anchor(w.anchor);
    p.check(
        anchor.is_some(),
        format!("{at}.anchor"),
        "must name the date the window counts from",
    );
    Some(FilingWindow {
        claim_type: kind?,
        length: length?,
        anchor: anchor?,
    })
}

fn days(p: &mut Parser<'_>, field: String, value: u32, default: &str) {
    p.check(
        value <= limits::WINDOW_DAYS,
        field,
        format!("must be at most {} ({default})", limits::WINDOW_DAYS),
    );
}

/// The domain liability terms (defaults filled in), or `None` with its
/// violations recorded under `at`.
pub fn parse(
    p: &mut Parser<'_>,
    at: &str,
    l: &pb::LiabilityTerms,
    cur: Currency,
) -> Option<LiabilityTerms> {
    let before = p.len();
    let default_limit = p.money(
        &format!("{at}.default_per_package_limit"),
        l.default_per_package_limit.as_ref(),
        Some(cur),
    );
    let max_declared = match (l.declared_value_coverage, &l.max_declared_value) {
        (true, value) => p.money(
            &format!("{at}.max_declared_value"),
            value.as_ref(),
            Some(cur),
        ),
        (false, Some(value)) => {
            p.money(&format!("{at}.max_declared_value"), Some(value), Some(cur))
        }
        (false, None) => None,
    };
    let per_weight = l
        .per_weight_unit_limit
        .as_ref()
        .and_then(|m| p.money(&format!("{at}.per_weight_unit_limit"), Some(m), Some(cur)));
    let windows_field = format!("{at}.filing_windows");
    let mut filing_windows = Vec::new();
    if p.at_most(
        l.filing_windows.len(),
        limits::CLAIM_TYPE_ENTRIES,
        &windows_field,
        "filing windows",
    ) {
        let mut types = HashSet::new();
        for (i, w) in l.filing_windows.iter().enumerate() {
            let wat = format!("{windows_field}[{i}]");
            if let Some(window) = filing_window(p, &wat, w) {
                p.check(
                    types.insert(window.claim_type),
                    format!("{wat}.claim_type"),
                    "has two filing windows",
                );
                filing_windows.push(window);
            }
        }
    }
    days(
        p,
        format!("{at}.acknowledge_within_days"),
        l.acknowledge_within_days,
        "0 = 30",
    );
    days(
        p,
        format!("{at}.decide_within_days"),
        l.decide_within_days,
        "0 = 120",
    );
    days(
        p,
        format!("{at}.appeal_window_days"),
        l.appeal_window_days,
        "0 = 30",
    );
    p.check(
        l.max_appeals <= 20,
        format!("{at}.max_appeals"),
        "must be at most 20 (0 = 1)",
    );
    let docs_field = format!("{at}.required_documents");
    let mut required_documents = Vec::new();
    if p.at_most(
        l.required_documents.len(),
        limits::CLAIM_TYPE_ENTRIES,
        &docs_field,
        "entries",
    ) {
        let mut doc_types = HashSet::new();
        for (i, r) in l.required_documents.iter().enumerate() {
            let rat = format!("{docs_field}[{i}]");
            let kind = claim_type(r.claim_type);
            p.check(
                kind.is_some(),
                format!("{rat}.claim_type"),
                "must be a claim type",
            );
            p.check(
                kind.is_none_or(|k| doc_types.insert(k)),
                format!("{rat}.claim_type"),
                "is listed twice",
            );
            if !p.at_most(
                r.kinds.len(),
                limits::CLAIM_TYPE_ENTRIES,
                &format!("{rat}.kinds"),
                "kinds",
            ) {
                continue;
            }
            let mut kinds = Vec::with_capacity(r.kinds.len());
            for (k, value) in r.kinds.iter().enumerate() {
                match document(*value) {
                    Some(d) => kinds.push(d),
                    None => p.add(format!("{rat}.kinds[{k}]"), "must be a document kind"),
                }
            }
            if let Some(claim_type) = kind {
                required_documents.push(RequiredDocuments { claim_type, kinds });
            }
        }
    }
    if p.len() != before {
        return None;
    }
    Some(
        LiabilityTerms {
            default_per_package_limit: default_limit?,
            declared_value_coverage: l.declared_value_coverage,
            max_declared_value: max_declared,
            per_weight_unit_limit: per_weight,
            filing_windows,
            required_documents,
            acknowledge_within_days: l.acknowledge_within_days,
            decide_within_days: l.decide_within_days,
            appeal_window_days: l.appeal_window_days,
            max_appeals: l.max_appeals,
        }
        .with_defaults(),
    )
}

pub fn window_to_proto(w: &FilingWindow) -> pb::FilingWindow {
    let (days, months) = match w.length {
        WindowLength::Days(d) => (d, 0),
        WindowLength::Months(m) => (0, m),
    };
    pb::FilingWindow {
        claim_type: claim_type_to_proto(w.claim_type).into(),
        days,
        anchor: anchor_to_proto(w.anchor).into(),
        months,
    }
}

pub fn render(l: &LiabilityTerms) -> pb::LiabilityTerms {
    pb::LiabilityTerms {
        default_per_package_limit: Some(money_to_proto(l.default_per_package_limit)),
        declared_value_coverage: l.declared_value_coverage,
        max_declared_value: l.max_declared_value.map(money_to_proto),
        per_weight_unit_limit: l.per_weight_unit_limit.map(money_to_proto),
        filing_windows: l.filing_windows.iter().map(window_to_proto).collect(),
        required_documents: l
            .required_documents
            .iter()
            .map(|r| pb::RequiredDocuments {
                claim_type: claim_type_to_proto(r.claim_type).into(),
                kinds: r
                    .kinds
                    .iter()
                    .map(|k| i32::from(document_to_proto(*k)))
                    .collect(),
            })
            .collect(),
        acknowledge_within_days: l.acknowledge_within_days,
        decide_within_days: l.decide_within_days,
        appeal_window_days: l.appeal_window_days,
        max_appeals: l.max_appeals,
    }
}
