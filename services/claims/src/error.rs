//! Why a claims or recovery operation was refused, and how each reason
//! reaches the client: one exhaustive match into the platform's
//! [`ApiError`] (and so into a gRPC status with its details).

use recourse_claims_domain::claim::ClaimType;
use recourse_claims_domain::lifecycle::{ClaimStatus, IllegalTransition};
use recourse_platform::error::UpstreamStatus;
use recourse_platform::{ApiError, etag};

/// The kinds of FAILED_PRECONDITION the claims service answers with (the
/// `type` of the `PreconditionFailure` violation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The filing deadline passed and no admin accepted it late.
    FilingDeadlinePassed,
    /// A document the contract requires is missing.
    MissingDocuments,
    /// The claim is not in the contract's currency.
    ClaimCurrency,
    /// A liability term of the contract cannot be applied (overflow).
    LiabilityTerms,
    /// The contracts service answered with something unusable.
    ContractTerms,
    /// Only a draft can be edited.
    ClaimNotDraft,
    /// A claim holds at most 100 documents.
    DocumentLimit,
    /// Approving above the cap needs an admin's override.
    AboveLiabilityCap,
    AppealWindowClosed,
    AppealLimitReached,
    AppealCannotLower,
    /// An appealed claim with money moved cannot be withdrawn.
    MoneyAlreadyMoved,
    /// Settled means fully recovered.
    NotRecovered,
    /// Closing an approved claim needs nothing outstanding.
    OutstandingBalance,
    /// An allocation the remittance or the claim does not allow.
    Allocation,
    /// A write-off of a claim that is not approved with money outstanding.
    WriteOff,
    /// The shipment is not an open refund candidate.
    NotARefundCandidate,
    /// A sum beyond the range of minor units (rows stored before the bound).
    AmountOverflow,
    /// A dispute move its status does not allow.
    DisputeStatus,
    /// The invoice's dispute deadline passed.
    DisputeDeadlinePassed,
    /// The subject already has an open escalation.
    EscalationOpen,
    /// An escalation holds at most 100 notes.
    NoteLimit,
    /// An answer accepting less than the carrier already credited.
    DisputeCredited,
    /// An X12 920 is sent for a submitted claim, never a draft.
    ClaimNotSubmitted,
}

impl Refusal {
    fn kind(self) -> &'static str {
        match self {
            Refusal::FilingDeadlinePassed => "FILING_DEADLINE_PASSED",
            Refusal::MissingDocuments => "MISSING_DOCUMENTS",
            Refusal::ClaimCurrency => "CLAIM_CURRENCY",
            Refusal::LiabilityTerms => "LIABILITY_TERMS",
            Refusal::ContractTerms => "CONTRACT_TERMS",
            Refusal::ClaimNotDraft => "CLAIM_NOT_DRAFT",
            Refusal::DocumentLimit => "DOCUMENT_LIMIT",
            Refusal::AboveLiabilityCap => "ABOVE_LIABILITY_CAP",
            Refusal::AppealWindowClosed => "APPEAL_WINDOW_CLOSED",
            Refusal::AppealLimitReached => "APPEAL_LIMIT_REACHED",
            Refusal::AppealCannotLower => "APPEAL_CANNOT_LOWER",
            Refusal::MoneyAlreadyMoved => "MONEY_ALREADY_MOVED",
            Refusal::NotRecovered => "NOT_RECOVERED",
            Refusal::OutstandingBalance => "OUTSTANDING_BALANCE",
            Refusal::Allocation => "ALLOCATION",
            Refusal::WriteOff => "WRITE_OFF",
            Refusal::NotARefundCandidate => "NOT_A_REFUND_CANDIDATE",
            Refusal::AmountOverflow => "AMOUNT_OVERFLOW",
            Refusal::DisputeStatus => "DISPUTE_STATUS_TRANSITION",
            Refusal::DisputeDeadlinePassed => "DISPUTE_DEADLINE_PASSED",
            Refusal::EscalationOpen => "ESCALATION_OPEN",
            Refusal::NoteLimit => "NOTE_LIMIT",
            Refusal::DisputeCredited => "DISPUTE_CREDITED",
            Refusal::ClaimNotSubmitted => "CLAIM_NOT_SUBMITTED",
        }
    }
}

/// The open claim a new one (or a draft's new type) would duplicate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenClaim {
    pub id: String,
    pub number: String,
    pub status: ClaimStatus,
    pub shipment_id: String,
    pub claim_type: ClaimType,
}

#[derive(Debug, thiserror::Error)]
pub enum ClaimsError {
    /// Absent, or not visible to the caller: the same answer either way
    /// (AIP-211), so names cannot be probed.
    #[error("{resource} `{name}` not found")]
    NotFound {
        resource: &'static str,
        name: String,
    },
    #[error(
        "shipments/{} already has an open {} claim: claims/{} ({}, {}); withdraw or close it \
         before filing another",
        .0.shipment_id, .0.claim_type, .0.id, .0.number, .0.status
    )]
    AlreadyOpen(OpenClaim),
    #[error("remittance `{reference}` of carriers/{carrier_id} is already recorded")]
    RemittanceRecorded {
        carrier_id: String,
        reference: String,
    },
    /// Optimistic concurrency: the caller read an older revision.
    #[error("{name} has changed since it was read")]
    Stale {
        name: String,
        given: i64,
        current: i64,
    },
    /// Lost a race that a retry will settle.
    #[error("{0}; retry")]
    Conflict(String),
    #[error(transparent)]
    IllegalTransition(#[from] IllegalTransition),
    /// A rule of the contract or the books refuses the call.
    #[error("{message}")]
    Refused {
        refusal: Refusal,
        subject: String,
        message: String,
    },
    /// The caller's role may not do this to something it may see.
    #[error("{0}")]
    Forbidden(String),
    /// A field of the request is wrong in a way only the use case can tell.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The contracts service's answer, passed on unchanged.
    #[error("{}", .0.message)]
    Upstream(UpstreamStatus),
    /// The platform refused (idempotency conflicts, a request id in use).
    #[error(transparent)]
    Platform(ApiError),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// A bug or a corrupt row: logged, never shown.
    #[error("{0}")]
    Internal(String),
}

impl ClaimsError {
    pub fn not_found(resource: &'static str, collection: &str, id: &str) -> Self {
        ClaimsError::NotFound {
            resource,
            name: format!("{collection}/{id}"),
        }
    }

    pub fn claim_not_found(id: &str) -> Self {
        Self::not_found("claim", "claims", id)
    }

    pub fn refused(
        refusal: Refusal,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ClaimsError::Refused {
            refusal,
            subject: subject.into(),
            message: message.into(),
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ClaimsError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn internal(err: impl std::fmt::Display) -> Self {
        ClaimsError::Internal(err.to_string())
    }
}

impl From<ApiError> for ClaimsError {
    fn from(err: ApiError) -> Self {
        match err {
            ApiError::Upstream(status) => ClaimsError::Upstream(status),
            ApiError::InvalidArgument(_)
            | ApiError::NotFound { .. }
            | ApiError::AlreadyExists { .. }
            | ApiError::FailedPrecondition { .. }
            | ApiError::Aborted { .. }
            | ApiError::PermissionDenied(_)
            | ApiError::Unauthenticated(_)
            | ApiError::Unavailable(_)
            | ApiError::Internal(_) => ClaimsError::Platform(err),
        }
    }
}

impl From<ClaimsError> for ApiError {
    fn from(err: ClaimsError) -> Self {
        let message = err.to_string();
        match err {
            ClaimsError::NotFound { resource, name } => ApiError::NotFound { resource, name },
            ClaimsError::AlreadyOpen(open) => ApiError::AlreadyExists {
                resource: "claim",
                name: format!("claims/{}", open.id),
                message,
            },
            ClaimsError::RemittanceRecorded { reference, .. } => ApiError::AlreadyExists {
                resource: "remittance",
                name: reference,
                message,
            },
            ClaimsError::Stale {
                name,
                given,
                current,
            } => etag::stale(&name, given, current),
            ClaimsError::Conflict(_) => ApiError::Aborted { message },
            ClaimsError::IllegalTransition(t) => ApiError::FailedPrecondition {
                kind: "CLAIM_STATUS_TRANSITION",
                subject: format!("{} -> {}", t.from, t.to),
                message,
            },
            ClaimsError::Refused {
                refusal,
                subject,
                message,
            } => ApiError::FailedPrecondition {
                kind: refusal.kind(),
                subject,
                message,
            },
            ClaimsError::Forbidden(message) => ApiError::PermissionDenied(message),
            ClaimsError::Invalid { field, message } => ApiError::invalid(field, message),
            ClaimsError::Upstream(status) => ApiError::Upstream(status),
            ClaimsError::Platform(err) => err,
            // A lost race (serialization failure, deadlock) is ABORTED.
            ClaimsError::Db(err) => ApiError::from(err),
            ClaimsError::Internal(detail) => ApiError::Internal(detail),
        }
    }
}

impl From<ClaimsError> for tonic::Status {
    fn from(err: ClaimsError) -> Self {
        ApiError::from(err).into()
    }
}
