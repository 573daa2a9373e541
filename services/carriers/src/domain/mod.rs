//! The carriers domain: pure types and rules, no I/O. Values are built by
//! parsing, so anything held in these types is already valid.

mod carrier;
mod status;
mod values;

pub use carrier::{Capacity, Carrier, CarrierPatch, NewCarrier, PeakAllocation, ServiceLevel};
pub use status::{CarrierStatus, IllegalTransition};
pub use values::{
    CarrierCode, CarrierId, CarrierKind, ContactEmail, Etag, Region, ServiceLevelCode, TransitDays,
};

/// Why a carrier operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CarrierError {
    #[error("carrier `{0}` not found")]
    NotFound(String),
    #[error("a carrier with code `{0}` already exists")]
    CodeTaken(String),
    #[error("carrier `{id}` has changed since it was read (etag {given}, now {current})")]
    StaleEtag {
        id: String,
        given: Etag,
        current: Etag,
    },
    #[error(transparent)]
    IllegalTransition(#[from] IllegalTransition),
}
