//! Registering a return: the outbound shipment it returns must exist and
//! be the caller's to see (a 3PL: its own account's), be the same
//! carrier's and not itself a return; the return's service level must be
//! one of the contract's return levels, whose label cost and payer are
//! fixed on the return. The return carries the outbound's shipper account
//! (so returns are counted per merchant).

use recourse_contracts_domain::versions::ContractVersion;
use recourse_platform::ApiError;
use sea_orm::DatabaseConnection;

use super::NewShipment;
use crate::error::ContractsError;
use crate::repo::shipments::{self as repo, ReturnLink, ShipmentScope};

pub(super) async fn link(
    db: &DatabaseConnection,
    new: &mut NewShipment,
    version: &ContractVersion,
) -> Result<Option<ReturnLink>, ApiError> {
    let Some(outbound_id) = new.return_of.clone() else {
        return Ok(None);
    };
    let scope = ShipmentScope {
        carrier_id: Some(new.carrier_id.clone()),
        shipper_account: new.caller_account.clone(),
    };
    // Another carrier's shipment, or another 3PL's, reads as one that
    // does not exist (AIP-211).
    let outbound =
        repo::find(db, &outbound_id, &scope)
            .await?
            .ok_or_else(|| ContractsError::NotFound {
                resource: "shipment",
                name: format!("shipments/{outbound_id}"),
            })?;
    if outbound.return_link.is_some() {
        return Err(ContractsError::invalid(
            "shipment.return_of",
            format!("shipments/{outbound_id} is itself a return"),
        )
        .into());
    }
    if new.shipper_account.is_empty() {
        new.shipper_account = outbound.shipper_account.clone();
    } else if new.shipper_account != outbound.shipper_account {
        return Err(ContractsError::invalid(
            "shipment.shipper_account",
            "must be the outbound shipment's",
        )
        .into());
    }
    let terms = version
        .terms
        .return_terms(&new.service_level)
        .ok_or_else(|| {
            ContractsError::invalid(
                "shipment.service_level",
                format!(
                    "`{}` is not a return service level of {}",
                    new.service_level,
                    version.name()
                ),
            )
        })?;
    Ok(Some(ReturnLink {
        outbound_id,
        label_cost_minor: terms.label_cost.amount_minor(),
        payer: terms.payer.as_str().to_owned(),
    }))
}
