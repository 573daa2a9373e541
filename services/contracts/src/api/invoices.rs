//! `recourse.contracts.v1.InvoiceService`: finance imports carrier
//! invoices; finance, auditors and the invoice's own carrier read them
//! (another carrier's invoice is the NOT_FOUND of a made-up one).

use prost::Message as _;
use recourse_platform::auth::{Role, authorize};
use recourse_platform::pagination::PageRequest;
use recourse_platform::{ApiError, Violations, visibility};
use recourse_proto::contracts as pb;
use recourse_proto::contracts::invoice_service_server::InvoiceService;
use tonic::{Request, Response, Status, Streaming};

use super::invalid_request;
use crate::convert::common::resource_id;
use crate::convert::invoice::{
    header, invoice_to_proto, line_to_proto, outcome_to_proto, parse_csv,
};
use crate::convert::limits::INVOICE_BYTES;
use crate::invoices::{Imported, InvoiceDesk};

/// Roles that import invoices.
const IMPORTERS: &[Role] = &[Role::Admin, Role::Internal, Role::Finance];
/// Roles that read them (carriers: their own).
const READERS: &[Role] = &[
    Role::Admin,
    Role::Internal,
    Role::Finance,
    Role::Auditor,
    Role::Carrier,
];

#[derive(Debug, Clone)]
pub struct InvoiceApi {
    desk: InvoiceDesk,
}

impl InvoiceApi {
    pub fn new(desk: InvoiceDesk) -> Self {
        Self { desk }
    }
}

#[tonic::async_trait]
impl InvoiceService for InvoiceApi {
    async fn import_invoice(
        &self,
        request: Request<Streaming<pb::ImportInvoiceRequest>>,
    ) -> Result<Response<pb::ImportInvoiceResponse>, Status> {
        let caller = authorize(&request, IMPORTERS)?.clone();
        let mut stream = request.into_inner();
        let first = stream
            .message()
            .await?
            .ok_or_else(|| ApiError::invalid("header", "is required in the first message"))?;
        let head = header(first.header.as_ref())?;
        visibility::carrier(&caller, &head.carrier_id)?;
        let mut bytes = first.csv;
        while let Some(chunk) = stream.message().await? {
            bytes.extend_from_slice(&chunk.csv);
            if bytes.len() > INVOICE_BYTES {
                return Err(ApiError::invalid(
                    "csv",
                    format!("the file must be at most {INVOICE_BYTES} bytes"),
                )
                .into());
            }
        }
        let file = parse_csv(&head, &bytes)?;
        drop(bytes);
        let answer = self
            .desk
            .import(head, file, |o| outcome_to_proto(o).encode_to_vec())
            .await?;
        let response = match answer {
            Imported::New(outcome) => outcome_to_proto(&outcome),
            Imported::Replayed(stored) => {
                let mut first = pb::ImportInvoiceResponse::decode(stored.as_slice())
                    .map_err(ApiError::internal)?;
                first.replayed = true;
                first
            }
        };
        Ok(Response::new(response))
    }

    async fn get_invoice(
        &self,
        request: Request<pb::GetInvoiceRequest>,
    ) -> Result<Response<pb::Invoice>, Status> {
        let caller = authorize(&request, READERS)?;
        let mut v = Violations::new();
        let id = resource_id(&mut v, "name", "invoices", &request.get_ref().name);
        v.into_result()?;
        let id = id.ok_or_else(invalid_request)?;
        let found = self.desk.get(&id, visibility::lookup_scope(caller)).await?;
        Ok(Response::new(invoice_to_proto(&found)))
    }

    async fn list_invoice_lines(
        &self,
        request: Request<pb::ListInvoiceLinesRequest>,
    ) -> Result<Response<pb::ListInvoiceLinesResponse>, Status> {
        let caller = authorize(&request, READERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let id = resource_id(&mut v, "invoice", "invoices", &body.invoice);
        v.into_result()?;
        let id = id.ok_or_else(invalid_request)?;
        let fingerprint = format!("{id}|{}", body.only_findings);
        let page = PageRequest::parse(body.page_size, &body.page_token, fingerprint)?;
        let (invoice, rows, next_page_token) = self
            .desk
            .lines(
                &id,
                visibility::lookup_scope(caller),
                body.only_findings,
                &page,
            )
            .await?;
        Ok(Response::new(pb::ListInvoiceLinesResponse {
            lines: rows
                .iter()
                .map(|(l, f)| line_to_proto(&invoice.currency, l, f))
                .collect(),
            next_page_token,
        }))
    }
}
