//! Why a contracts use case refused, mapped into the platform's boundary
//! error by one exhaustive match (the `From` below): adding a reason means
//! deciding its gRPC status here.

use chrono::NaiveDate;
use recourse_contracts_domain::rating::RatingError;
use recourse_contracts_domain::terms::ClaimType;
use recourse_contracts_domain::versions::LifecycleError;
use recourse_money::{Currency, Money, MoneyError};
use recourse_platform::ApiError;
use recourse_platform::error::Violation;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ContractsError {
    /// Does not exist, or is not the caller's to see (AIP-211: one answer).
    #[error("{resource} `{name}` not found")]
    NotFound {
        resource: &'static str,
        name: String,
    },
    #[error("the carrier already has a contract `{0}`")]
    ReferenceTaken(String),
    #[error(
        "invoice `{0}` of this carrier was already imported with other content; correct it with a credit, or import it under another number"
    )]
    InvoiceTaken(String),
    #[error("tracking number `{0}` is already registered for this carrier")]
    TrackingNumberTaken(String),
    #[error(
        "{name} has changed since it was read (etag \"{given}\", now \"{current}\"); read it again"
    )]
    StaleEtag {
        name: String,
        given: i64,
        current: i64,
    },
    /// A concurrent write won (unique number, exclusion constraint,
    /// serialization failure): retry.
    #[error("{0} changed concurrently; read again and retry")]
    Concurrent(&'static str),
    #[error("{version}: {error}")]
    Lifecycle {
        version: String,
        error: LifecycleError,
    },
    #[error("no contract version of the carrier is in force on {0}")]
    NoContractInForce(NaiveDate),
    #[error("{version} has no rate card for service level {service_level}")]
    NoRateCard {
        version: String,
        service_level: String,
    },
    #[error("{version} has no SLA terms for service level {service_level}")]
    NoSlaTerms {
        version: String,
        service_level: String,
    },
    #[error(
        "cannot compute the promised delivery: {version} {what} service level {service_level}; an admin may give promised_delivery_time"
    )]
    NoTransitCommitment {
        version: String,
        service_level: String,
        what: String,
    },
    #[error("{version}: {error}")]
    NotRated { version: String, error: RatingError },
    #[error("{0} has no billed charge; send `billed`")]
    NothingBilled(String),
    #[error("{version} sets no filing window for {} claims", .claim_type.as_str())]
    NoFilingWindow {
        version: String,
        claim_type: ClaimType,
    },
    #[error(
        "{first} and {second} measure {service_level} over different periods; evaluate a day after the change"
    )]
    PeriodChanges {
        first: String,
        second: String,
        service_level: String,
    },
    #[error("{version}: the figures overflow: {error}")]
    Overflow { version: String, error: MoneyError },
    /// Input that only the use case can judge (a service level the carrier
    /// does not sell, an amount in another currency than the contract's).
    #[error("invalid argument")]
    Invalid(Vec<Violation>),
}

impl ContractsError {
    pub fn invalid(field: impl Into<String>, description: impl Into<String>) -> Self {
        ContractsError::Invalid(vec![Violation {
            field: field.into(),
            description: description.into(),
        }])
    }
}

/// `money` if it is in `currency` (`whose`: "the contract's", "the
/// shipment's"); otherwise `None` and a violation on
/// `{field}.currency_code` for the use case to return with the others.
pub fn in_currency(
    found: &mut Vec<Violation>,
    field: &str,
    money: Option<Money>,
    currency: Currency,
    whose: &str,
) -> Option<Money> {
    let money = money?;
    if money.currency() == currency {
        return Some(money);
    }
    found.push(Violation {
        field: format!("{field}.currency_code"),
        description: format!("must be {}, {whose} currency", currency.as_str()),
    });
    None
}

impl From<ContractsError> for ApiError {
    fn from(err: ContractsError) -> Self {
        let message = err.to_string();
        let precondition = |kind: &'static str, subject: String| ApiError::FailedPrecondition {
            kind,
            subject,
            message: message.clone(),
        };
        match err {
            ContractsError::NotFound { resource, name } => ApiError::NotFound { resource, name },
            ContractsError::ReferenceTaken(reference) => ApiError::AlreadyExists {
                resource: "contract",
                name: reference,
                message,
            },
            ContractsError::InvoiceTaken(number) => ApiError::AlreadyExists {
                resource: "invoice",
                name: number,
                message,
            },
            ContractsError::TrackingNumberTaken(number) => ApiError::AlreadyExists {
                resource: "shipment",
                name: number,
                message,
            },
            ContractsError::StaleEtag { .. } | ContractsError::Concurrent(_) => {
                ApiError::Aborted { message }
            }
            ContractsError::Lifecycle { version, error } => {
                let kind = match error {
                    LifecycleError::NotDraft { .. } | LifecycleError::NotActive(_) => {
                        "CONTRACT_VERSION_STATUS"
                    }
                    LifecycleError::Overlap { .. } => "CONTRACT_VERSION_OVERLAP",
                    LifecycleError::EndBeforeStart(_) | LifecycleError::ExtendsVersion(_) => {
                        "CONTRACT_VERSION_DATES"
                    }
                };
                precondition(kind, version)
            }
            ContractsError::NoContractInForce(date) => {
                precondition("NO_CONTRACT_IN_FORCE", date.to_string())
            }
            ContractsError::NoRateCard { version, .. } => precondition("NO_RATE_CARD", version),
            ContractsError::NoSlaTerms { version, .. } => precondition("NO_SLA_TERMS", version),
            ContractsError::NoTransitCommitment { version, .. } => {
                precondition("NO_TRANSIT_COMMITMENT", version)
            }
            ContractsError::NotRated { version, error } => rating(error, version, &message),
            ContractsError::NothingBilled(shipment) => precondition("NOTHING_BILLED", shipment),
            ContractsError::NoFilingWindow { version, .. } => {
                precondition("NO_FILING_WINDOW", version)
            }
            ContractsError::PeriodChanges { second, .. } => precondition("PERIOD_CHANGES", second),
            ContractsError::Overflow { version, .. } => precondition("AMOUNT_OVERFLOW", version),
            ContractsError::Invalid(violations) => ApiError::InvalidArgument(violations),
        }
    }
}

/// A parcel the card cannot price: the request's fault names the field at
/// fault (an unknown accessorial, an overflowing box is not the weight's);
/// the contract's is FAILED_PRECONDITION on the version.
fn rating(error: RatingError, version: String, message: &str) -> ApiError {
    let precondition = |kind: &'static str| ApiError::FailedPrecondition {
        kind,
        subject: version.clone(),
        message: message.to_owned(),
    };
    match error {
        RatingError::NoZone { .. } => precondition("NO_ZONE"),
        RatingError::NoRatesForZone(_) | RatingError::WeightBeyondCard { .. } => {
            precondition("NOT_RATED")
        }
        RatingError::Money(_) => precondition("CHARGE_OVERFLOW"),
        RatingError::UnknownAccessorial(code) => ApiError::invalid(
            "accessorials",
            format!("`{code}` is not an accessorial of {version}"),
        ),
        RatingError::InvalidWeight(_) | RatingError::WeightOverflow => {
            ApiError::invalid("weight", error.to_string())
        }
        RatingError::InvalidDimensions | RatingError::DimensionsOverflow => {
            ApiError::invalid("dimensions", error.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use recourse_contracts_domain::rating::RatingError;

    fn field(err: ApiError) -> String {
        if let ApiError::InvalidArgument(v) = err {
            v[0].field.clone()
        } else {
            format!("{err:?}")
        }
    }

    #[test]
    fn a_rating_failure_names_the_field_at_fault() {
        let v = || "contracts/x/versions/1".to_owned();
        let not_rated = |error| {
            ApiError::from(ContractsError::NotRated {
                version: v(),
                error,
            })
        };
        assert_eq!(
            field(not_rated(RatingError::DimensionsOverflow)),
            "dimensions"
        );
        assert_eq!(field(not_rated(RatingError::WeightOverflow)), "weight");
        assert_eq!(
            field(not_rated(RatingError::UnknownAccessorial("X".into()))),
            "accessorials"
        );
        assert!(matches!(
            not_rated(RatingError::Money(MoneyError::Overflow)),
            ApiError::FailedPrecondition {
                kind: "CHARGE_OVERFLOW",
                ..
            }
        ));
    }
}
