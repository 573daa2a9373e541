//! The contracts service, asked over gRPC for shipments, the claim terms in
//! force on a ship date, and refund candidates, and answering in the
//! claims service's own terms ([`ShipmentFacts`], [`ContractClaimTerms`],
//! [`RefundCandidate`]; decoded in `convert::contracts`). Calls carry the
//! trace context, what is left of the caller's deadline, and the caller's
//! token wherever what the caller may see matters (a shipment, a carrier's
//! refund candidates). The claim terms are read with the claims service's
//! own identity: applying the contract is this service's job, and a 3PL
//! filing a claim is not entitled to read the carrier's contract itself.
//!
//! An upstream failure keeps its code, message and details
//! (`client::upstream`): a shipment the caller may not see is the contracts
//! service's NOT_FOUND, worded as it words it, never a message of ours
//! naming somebody else's resources.

use chrono::NaiveDate;
use std::sync::Arc;

use recourse_claims_domain::claim::DocumentKind;
use recourse_claims_domain::deadline::{Anchor, Window};
use recourse_claims_domain::liability::LiabilityTerms;
use recourse_money::{Currency, Money};
use recourse_platform::auth::{Principal, Role, TokenKeys};
use recourse_platform::client::{OutboundInterceptor, upstream};
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::contracts as cpb;
use recourse_proto::contracts::contract_service_client::ContractServiceClient;
use recourse_proto::contracts::invoice_service_client::InvoiceServiceClient;
use recourse_proto::contracts::shipment_service_client::ShipmentServiceClient;
use recourse_proto::contracts::sla_service_client::SlaServiceClient;
use recourse_units::{Weight, WeightUnit};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

use crate::convert::contracts as decode;
use crate::error::ClaimsError;

type Authed = InterceptedService<Channel, OutboundInterceptor>;

/// What the claims service needs to know about a shipment.
#[derive(Debug, Clone, PartialEq)]
pub struct ShipmentFacts {
    pub id: String,
    pub carrier_id: String,
    pub tracking_number: String,
    pub service_level: String,
    /// The 3PL account that tendered it ("" when none).
    pub shipper_account: String,
    pub ship_date: NaiveDate,
    pub scheduled_delivery: Option<NaiveDate>,
    pub delivered: Option<NaiveDate>,
    pub invoiced: Option<NaiveDate>,
    /// Declared to the carrier at shipment (absent when 0 or none).
    pub declared_value: Option<Money>,
    pub billed_charge: Option<Money>,
    pub weight: Option<Weight>,
}

impl ShipmentFacts {
    /// The declared value in `currency` (another currency counts as none).
    pub fn declared_in(&self, currency: Currency) -> Option<Money> {
        self.declared_value.filter(|m| m.currency() == currency)
    }

    /// The weight in thousandths of `unit`, for a per-weight liability limit.
    pub fn weight_in(&self, unit: Option<WeightUnit>) -> Option<i64> {
        let unit = unit?;
        self.weight?.to_unit(unit).ok().map(|w| w.thousandths)
    }
}

/// The contract's claim terms in force on a ship date.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractClaimTerms {
    pub contract_version: String,
    pub currency: Currency,
    pub liability: LiabilityTerms,
    pub weight_unit: Option<WeightUnit>,
    pub named_anchor: Anchor,
    pub window: Window,
    pub required_documents: Vec<DocumentKind>,
    pub acknowledge_within_days: u32,
    pub decide_within_days: u32,
    pub appeal_window_days: u32,
    pub max_appeals: u32,
}

/// A carrier invoice as the contracts service audited it.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceFacts {
    pub id: String,
    pub carrier_id: String,
    pub number: String,
    pub currency: Currency,
    /// The last day to contest it.
    pub dispute_deadline: NaiveDate,
}

/// One audited line with its findings.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceLineFacts {
    pub line: u64,
    pub tracking_number: String,
    pub shipment_id: Option<String>,
    pub at_stake: Money,
    /// The finding causes, in the audit's order, each once.
    pub reasons: Vec<String>,
}

/// A late delivery on a guaranteed service whose refund window is open.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundCandidate {
    pub shipment_id: String,
    /// The transportation charge (fuel and accessorials only if the terms
    /// say so); none when no charge is known.
    pub refund_amount: Option<Money>,
    pub refund_basis: String,
    pub late_minutes: u32,
    pub request_deadline: Option<NaiveDate>,
    pub contract_version: String,
}

/// An SLA evaluation as the contracts feed's `sla.evaluated` carries it:
/// what the claims service keeps of it (bonuses payable, breaches with no
/// credit).
#[derive(Debug, Clone, PartialEq)]
pub struct SlaFact {
    /// "slaEvaluations/{id}".
    pub name: String,
    pub carrier_id: String,
    pub revision: u32,
    /// Owed to the carrier (0 without a bonus schedule), in the
    /// evaluation's currency.
    pub bonus: Money,
    /// Owed by the carrier.
    pub credit_minor: i64,
    pub breached: bool,
    pub period_end: NaiveDate,
    pub evaluated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone)]
pub struct ContractsClient {
    channel: Channel,
    keys: Arc<TokenKeys>,
}

/// The subject of the claims service's own calls.
const SERVICE_SUBJECT: &str = "service:claims";

impl ContractsClient {
    pub fn new(channel: Channel, keys: Arc<TokenKeys>) -> Self {
        Self { channel, keys }
    }

    /// A short-lived internal token for the service's own calls.
    fn service_token(&self) -> Result<String, ClaimsError> {
        let me =
            Principal::new(SERVICE_SUBJECT, Role::Internal, None).map_err(ClaimsError::internal)?;
        self.keys.mint(&me, 300).map_err(ClaimsError::internal)
    }

    fn authed(&self, token: Option<&str>) -> Result<Authed, ClaimsError> {
        let interceptor = OutboundInterceptor::new(token).map_err(ClaimsError::internal)?;
        Ok(InterceptedService::new(self.channel.clone(), interceptor))
    }

    /// The shipment, as the caller (`token`) may see it.
    pub async fn shipment(
        &self,
        token: Option<&str>,
        shipment_id: &str,
    ) -> Result<ShipmentFacts, ClaimsError> {
        let shipment = ShipmentServiceClient::new(self.authed(token)?)
            .get_shipment(cpb::GetShipmentRequest {
                name: format!("shipments/{shipment_id}"),
            })
            .await
            .map_err(|s| ClaimsError::from(upstream(s)))?
            .into_inner();
        decode::shipment(&shipment)
    }

    /// The claim terms of the contract in force for `carrier_id` on
    /// `ship_date`, read with the service's own identity.
    pub async fn claim_terms(
        &self,
        carrier_id: &str,
        service_level: &str,
        claim_type: recourse_claims_domain::claim::ClaimType,
        ship_date: NaiveDate,
    ) -> Result<ContractClaimTerms, ClaimsError> {
        let token = self.service_token()?;
        let terms = ContractServiceClient::new(self.authed(Some(&token))?)
            .get_claim_terms(cpb::GetClaimTermsRequest {
                carrier: format!("carriers/{carrier_id}"),
                service_level: service_level.to_owned(),
                claim_type: crate::convert::claim_type_to_proto(claim_type).into(),
                ship_date: Some(date_to_proto(ship_date)),
            })
            .await
            .map_err(|s| ClaimsError::from(upstream(s)))?
            .into_inner();
        decode::claim_terms(&terms)
    }

    /// An invoice, read with the service's own identity (the caller's role
    /// was checked here; carriers never make disputes).
    pub async fn invoice(&self, invoice_id: &str) -> Result<InvoiceFacts, ClaimsError> {
        let token = self.service_token()?;
        let invoice = InvoiceServiceClient::new(self.authed(Some(&token))?)
            .get_invoice(cpb::GetInvoiceRequest {
                name: format!("invoices/{invoice_id}"),
            })
            .await
            .map_err(|s| ClaimsError::from(upstream(s)))?
            .into_inner();
        decode::invoice(&invoice)
    }

    /// One page of an invoice's lines with findings, and the next token.
    pub async fn invoice_lines(
        &self,
        invoice_id: &str,
        page_token: &str,
    ) -> Result<(Vec<InvoiceLineFacts>, String), ClaimsError> {
        let token = self.service_token()?;
        let page = InvoiceServiceClient::new(self.authed(Some(&token))?)
            .list_invoice_lines(cpb::ListInvoiceLinesRequest {
                invoice: format!("invoices/{invoice_id}"),
                page_size: 500,
                page_token: page_token.to_owned(),
                only_findings: true,
            })
            .await
            .map_err(|s| ClaimsError::from(upstream(s)))?
            .into_inner();
        let lines = page
            .lines
            .iter()
            .map(decode::invoice_line)
            .collect::<Result<_, _>>()?;
        Ok((lines, page.next_page_token))
    }

    /// One page of a carrier's refund candidates open at `as_of`, read with
    /// the service's own identity (the escalation scan), and the next
    /// page's token.
    pub async fn refund_candidates_as_of(
        &self,
        carrier_id: &str,
        as_of: chrono::DateTime<chrono::Utc>,
        page_token: &str,
    ) -> Result<(Vec<RefundCandidate>, String), ClaimsError> {
        let token = self.service_token()?;
        let page = SlaServiceClient::new(self.authed(Some(&token))?)
            .list_refund_candidates(cpb::ListRefundCandidatesRequest {
                carrier: format!("carriers/{carrier_id}"),
                as_of: Some(recourse_platform::proto_types::timestamp_to_proto(as_of)),
                page_size: 500,
                page_token: page_token.to_owned(),
            })
            .await
            .map_err(|s| ClaimsError::from(upstream(s)))?
            .into_inner();
        Ok((
            page.candidates
                .iter()
                .map(decode::refund_candidate)
                .collect(),
            page.next_page_token,
        ))
    }

    /// One page of a carrier's SLA evaluations as (name, breached, service
    /// credit in minor units, period end, revision), read with the
    /// service's own identity, and the next page's token.
    pub async fn sla_breaches(
        &self,
        carrier_id: &str,
        page_token: &str,
    ) -> Result<(Vec<(String, bool, i64, NaiveDate, u32)>, String), ClaimsError> {
        let token = self.service_token()?;
        let page = SlaServiceClient::new(self.authed(Some(&token))?)
            .list_sla_evaluations(cpb::ListSlaEvaluationsRequest {
                carrier: format!("carriers/{carrier_id}"),
                page_size: 500,
                page_token: page_token.to_owned(),
            })
            .await
            .map_err(|s| ClaimsError::from(upstream(s)))?
            .into_inner();
        let mut out = Vec::with_capacity(page.evaluations.len());
        for e in &page.evaluations {
            let Some(end) = e
                .period_end
                .as_ref()
                .and_then(recourse_platform::proto_types::date_from_proto)
            else {
                continue;
            };
            let credit = e.service_credit.as_ref().map_or(0, |m| m.amount_minor);
            out.push((e.name.clone(), e.breached, credit, end, e.revision));
        }
        Ok((out, page.next_page_token))
    }

    /// The contracts feed's `sla.evaluated` events after `after`, then new
    /// ones as they commit, read with the service's own identity.
    pub async fn sla_events(
        &self,
        after: i64,
    ) -> Result<tonic::Streaming<cpb::Event>, ClaimsError> {
        let token = self.service_token()?;
        Ok(
            recourse_proto::contracts::event_service_client::EventServiceClient::new(
                self.authed(Some(&token))?,
            )
            .subscribe(cpb::SubscribeRequest {
                after_position: after,
                types: vec!["sla.evaluated".to_owned()],
            })
            .await
            .map_err(|s| ClaimsError::from(upstream(s)))?
            .into_inner(),
        )
    }

    /// One page of a carrier's open refund candidates, as the caller may
    /// see them, and the token of the next page ("" after the last).
    pub async fn refund_candidates(
        &self,
        token: Option<&str>,
        carrier_id: &str,
        page_token: &str,
    ) -> Result<(Vec<RefundCandidate>, String), ClaimsError> {
        let page = SlaServiceClient::new(self.authed(token)?)
            .list_refund_candidates(cpb::ListRefundCandidatesRequest {
                carrier: format!("carriers/{carrier_id}"),
                as_of: None,
                page_size: 500,
                page_token: page_token.to_owned(),
            })
            .await
            .map_err(|s| ClaimsError::from(upstream(s)))?
            .into_inner();
        Ok((
            page.candidates
                .iter()
                .map(decode::refund_candidate)
                .collect(),
            page.next_page_token,
        ))
    }
}
