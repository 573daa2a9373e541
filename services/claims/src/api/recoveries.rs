//! `recourse.claims.v1.RecoveryService`, for finance.

use chrono::NaiveDate;
use recourse_money::Currency;
use recourse_platform::auth::{Principal, principal};
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::pagination::PageRequest;
use recourse_platform::proto_types::{date_from_proto, date_to_proto, money_from_proto};
use recourse_platform::{ApiError, Violations};
use recourse_proto::claims as pb;
use recourse_proto::claims::recovery_service_server::RecoveryService;
use tonic::{Request, Response, Status, Streaming};

use super::{FINANCE, FINANCE_READERS, carrier_id, claim_id, resource_id};
use crate::claims::date_or_today;
use crate::recoveries::{NewLine, NewRemittance, RecoveryDesk};

/// Largest remittance file accepted in one import.
const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;
const CSV_HEADER: [&str; 10] = [
    "carrier",
    "kind",
    "reference",
    "invoice_reference",
    "date",
    "currency",
    "amount_minor",
    "claim",
    "tracking_number",
    "line_amount_minor",
];

#[derive(Debug, Clone)]
pub struct RecoveryApi {
    desk: RecoveryDesk,
}

impl RecoveryApi {
    pub fn new(desk: RecoveryDesk) -> Self {
        Self { desk }
    }
}

fn invalid() -> Status {
    ApiError::invalid("request", "is invalid").into()
}

fn text(v: &mut Violations, field: &str, value: &str, max: usize, required: bool) -> String {
    let value = value.trim();
    v.check(
        (!required || !value.is_empty()) && value.len() <= max,
        field,
        format!("must be {}-{max} characters", u8::from(required)),
    );
    value.to_owned()
}

/// Validates a remittance message into the use case's input.
pub fn new_remittance(r: Option<&pb::Remittance>) -> Result<NewRemittance, ApiError> {
    let Some(r) = r else {
        return Err(ApiError::invalid("remittance", "is required"));
    };
    let mut v = Violations::new();
    let carrier = carrier_id(&mut v, "remittance.carrier", &r.carrier);
    let kind = pb::RemittanceKind::try_from(r.kind)
        .ok()
        .filter(|k| *k != pb::RemittanceKind::Unspecified);
    v.check(
        kind.is_some(),
        "remittance.kind",
        "must be PAYMENT or CREDIT_MEMO",
    );
    let reference = text(&mut v, "remittance.reference", &r.reference, 64, true);
    let invoice_reference = text(
        &mut v,
        "remittance.invoice_reference",
        &r.invoice_reference,
        64,
        false,
    );
    if kind == Some(pb::RemittanceKind::CreditMemo) {
        v.check(
            !invoice_reference.is_empty(),
            "remittance.invoice_reference",
            "is required for a credit memo",
        );
    }
    let date = r.remittance_date.as_ref().and_then(date_from_proto);
    v.check(
        date.is_some(),
        "remittance.remittance_date",
        "must be a valid calendar date",
    );
    let amount = money_from_proto(&mut v, "remittance.amount", r.amount.as_ref(), None, false);
    if let Some(a) = amount {
        v.check(
            a.amount_minor() > 0,
            "remittance.amount.amount_minor",
            "must be positive",
        );
    }
    let mut lines = Vec::new();
    let mut total = 0i64;
    for (i, l) in r.lines.iter().enumerate() {
        let at = format!("remittance.lines[{i}]");
        v.check(
            !l.claim.is_empty() || !l.tracking_number.is_empty(),
            format!("{at}.claim"),
            "name a claim or a tracking number",
        );
        v.check(
            l.claim.len() <= 64,
            format!("{at}.claim"),
            "must be at most 64 characters",
        );
        v.check(
            l.tracking_number.len() <= 64,
            format!("{at}.tracking_number"),
            "must be at most 64 characters",
        );
        if let Some(m) = money_from_proto(
            &mut v,
            &format!("{at}.amount"),
            l.amount.as_ref(),
            amount.map(|a| a.currency()),
            false,
        ) {
            v.check(
                m.amount_minor() > 0,
                format!("{at}.amount.amount_minor"),
                "must be positive",
            );
            total = total.saturating_add(m.amount_minor());
            lines.push(NewLine {
                claim_ref: l.claim.trim().to_owned(),
                tracking_number: l.tracking_number.trim().to_owned(),
                amount: m,
            });
        }
    }
    if let Some(a) = amount {
        v.check(
            total <= a.amount_minor(),
            "remittance.lines",
            "must not add up to more than the remittance",
        );
    }
    v.into_result()?;
    let (Some(carrier_id), Some(kind), Some(date), Some(amount)) = (carrier, kind, date, amount)
    else {
        return Err(ApiError::invalid("remittance", "is invalid"));
    };
    Ok(NewRemittance {
        carrier_id,
        kind,
        reference,
        invoice_reference,
        date,
        amount,
        lines,
    })
}

/// One CSV row, as the remittance line it describes.
struct Row {
    line: u64,
    remittance: pb::Remittance,
}

fn parse_row(record: &csv::StringRecord) -> Result<pb::Remittance, String> {
    let field = |i: usize| record.get(i).unwrap_or_default().trim();
    let kind = match field(1).to_ascii_uppercase().as_str() {
        "PAYMENT" => pb::RemittanceKind::Payment,
        "CREDIT_MEMO" => pb::RemittanceKind::CreditMemo,
        other => return Err(format!("kind `{other}` is not PAYMENT or CREDIT_MEMO")),
    };
    let date = NaiveDate::parse_from_str(field(4), "%Y-%m-%d")
        .map_err(|_| format!("date `{}` is not YYYY-MM-DD", field(4)))?;
    let currency = Currency::parse(field(5))
        .map_err(|_| format!("currency `{}` is not an ISO-4217 code", field(5)))?;
    let int = |i: usize, name: &str| {
        field(i)
            .parse::<i64>()
            .map_err(|_| format!("{name} `{}` is not a whole number of minor units", field(i)))
    };
    let money = |amount_minor| {
        Some(recourse_proto::common::Money {
            amount_minor,
            currency_code: currency.as_str().to_owned(),
        })
    };
    Ok(pb::Remittance {
        carrier: field(0).to_owned(),
        kind: kind.into(),
        reference: field(2).to_owned(),
        invoice_reference: field(3).to_owned(),
        remittance_date: Some(date_to_proto(date)),
        amount: money(int(6, "amount_minor")?),
        lines: vec![pb::RemittanceLine {
            claim: field(7).to_owned(),
            tracking_number: field(8).to_owned(),
            amount: money(int(9, "line_amount_minor")?),
            ..Default::default()
        }],
        ..Default::default()
    })
}

fn describe(err: &ApiError) -> String {
    err.to_string()
}

#[tonic::async_trait]
impl RecoveryService for RecoveryApi {
    async fn record_remittance(
        &self,
        request: Request<pb::RecordRemittanceRequest>,
    ) -> Result<Response<pb::Remittance>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(FINANCE)?;
        let body = request.into_inner();
        let key = IdempotencyKey::new("RecordRemittance", &caller, &body.request_id, &body)?;
        let new = new_remittance(body.remittance.as_ref())?;
        Ok(Response::new(self.desk.record(key, &caller, new).await?))
    }

    async fn get_remittance(
        &self,
        request: Request<pb::GetRemittanceRequest>,
    ) -> Result<Response<pb::Remittance>, Status> {
        principal(&request)?.require(FINANCE_READERS)?;
        let mut v = Violations::new();
        let id = resource_id(&mut v, "name", "remittances", &request.get_ref().name);
        v.into_result()?;
        Ok(Response::new(
            self.desk.get(&id.ok_or_else(invalid)?).await?,
        ))
    }

    async fn list_remittances(
        &self,
        request: Request<pb::ListRemittancesRequest>,
    ) -> Result<Response<pb::ListRemittancesResponse>, Status> {
        principal(&request)?.require(FINANCE_READERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let carrier = match body.carrier.as_str() {
            "" => None,
            name => carrier_id(&mut v, "carrier", name),
        };
        v.into_result()?;
        let page = PageRequest::parse(
            body.page_size,
            &body.page_token,
            carrier.clone().unwrap_or_default(),
        )?;
        let rows = self
            .desk
            .list(
                carrier.as_deref(),
                page.after.as_deref(),
                page.fetch_limit(),
            )
            .await?;
        let (remittances, next_page_token) = page.finish(rows, |r| {
            r.name.trim_start_matches("remittances/").to_owned()
        });
        Ok(Response::new(pb::ListRemittancesResponse {
            remittances,
            next_page_token,
        }))
    }

    async fn allocate_remittance(
        &self,
        request: Request<pb::AllocateRemittanceRequest>,
    ) -> Result<Response<pb::Remittance>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(FINANCE)?;
        let body = request.into_inner();
        let key = IdempotencyKey::new("AllocateRemittance", &caller, &body.request_id, &body)?;
        let mut v = Violations::new();
        let remittance = resource_id(&mut v, "remittance", "remittances", &body.remittance);
        let claim = claim_id(&mut v, "claim", &body.claim);
        let amount = body
            .amount
            .as_ref()
            .and_then(|m| money_from_proto(&mut v, "amount", Some(m), None, false));
        v.into_result()?;
        let (Some(remittance), Some(claim)) = (remittance, claim) else {
            return Err(invalid());
        };
        Ok(Response::new(
            self.desk
                .allocate(key, &caller, &remittance, &claim, amount)
                .await?,
        ))
    }

    async fn import_remittances(
        &self,
        request: Request<Streaming<pb::ImportRemittancesRequest>>,
    ) -> Result<Response<pb::ImportRemittancesResponse>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(FINANCE)?;
        let mut stream = request.into_inner();
        let mut bytes = Vec::new();
        while let Some(chunk) = stream.message().await? {
            bytes.extend_from_slice(&chunk.csv);
            if bytes.len() > MAX_IMPORT_BYTES {
                return Err(ApiError::invalid(
                    "csv",
                    format!("a remittance file may be at most {MAX_IMPORT_BYTES} bytes"),
                )
                .into());
            }
        }
        Ok(Response::new(self.import(&caller, &bytes).await?))
    }

    async fn write_off_claim(
        &self,
        request: Request<pb::WriteOffClaimRequest>,
    ) -> Result<Response<pb::WriteOff>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(FINANCE)?;
        let body = request.into_inner();
        let key = IdempotencyKey::new("WriteOffClaim", &caller, &body.request_id, &body)?;
        let mut v = Violations::new();
        let claim = claim_id(&mut v, "claim", &body.claim);
        let reason = text(&mut v, "reason", &body.reason, 1_000, true);
        let amount = body
            .amount
            .as_ref()
            .and_then(|m| money_from_proto(&mut v, "amount", Some(m), None, false));
        v.into_result()?;
        Ok(Response::new(
            self.desk
                .write_off(key, &caller, &claim.ok_or_else(invalid)?, reason, amount)
                .await?,
        ))
    }

    async fn get_reconciliation(
        &self,
        request: Request<pb::GetReconciliationRequest>,
    ) -> Result<Response<pb::Reconciliation>, Status> {
        principal(&request)?.require(FINANCE_READERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let carrier = match body.carrier.as_str() {
            "" => None,
            name => carrier_id(&mut v, "carrier", name),
        };
        let currency = match body.currency_code.as_str() {
            "" => None,
            code => Currency::parse(code)
                .map_err(|_| v.add("currency_code", "must be an ISO-4217 code"))
                .ok(),
        };
        v.into_result()?;
        let as_of = date_or_today(body.as_of.as_ref())?;
        Ok(Response::new(
            self.desk
                .reconciliation(carrier.as_deref(), currency, as_of)
                .await?,
        ))
    }
}

impl RecoveryApi {
    /// Parses the file, groups rows into remittances (carrier + reference),
    /// records each group, and reports bad rows by line without losing the
    /// good ones.
    async fn import(
        &self,
        caller: &Principal,
        bytes: &[u8],
    ) -> Result<pb::ImportRemittancesResponse, ApiError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(bytes);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| ApiError::invalid("csv", format!("unreadable header: {e}")))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        if header != CSV_HEADER {
            return Err(ApiError::invalid(
                "csv",
                format!("the header must be: {}", CSV_HEADER.join(",")),
            ));
        }
        let mut response = pb::ImportRemittancesResponse::default();
        let mut groups: Vec<(String, Vec<Row>)> = Vec::new();
        for record in reader.records() {
            response.rows += 1;
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, csv::Position::line);
                    response.errors.push(pb::ImportError {
                        line,
                        message: e.to_string(),
                    });
                    continue;
                }
            };
            let line = record.position().map_or(0, csv::Position::line);
            if record.len() != CSV_HEADER.len() {
                response.errors.push(pb::ImportError {
                    line,
                    message: format!(
                        "expected {} fields, found {}",
                        CSV_HEADER.len(),
                        record.len()
                    ),
                });
                continue;
            }
            match parse_row(&record) {
                Ok(remittance) => {
                    let key = format!("{}|{}", remittance.carrier, remittance.reference);
                    let row = Row { line, remittance };
                    match groups.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, rows)) => rows.push(row),
                        None => groups.push((key, vec![row])),
                    }
                }
                Err(message) => response.errors.push(pb::ImportError { line, message }),
            }
        }
        for (key, rows) in groups {
            let Some(first) = rows.first() else { continue };
            let mut remittance = first.remittance.clone();
            remittance.lines.clear();
            let consistent = rows.iter().all(|r| {
                r.remittance.kind == remittance.kind
                    && r.remittance.invoice_reference == remittance.invoice_reference
                    && r.remittance.remittance_date == remittance.remittance_date
                    && r.remittance.amount == remittance.amount
            });
            let fail = |response: &mut pb::ImportRemittancesResponse, message: &str| {
                for r in &rows {
                    response.errors.push(pb::ImportError {
                        line: r.line,
                        message: message.to_owned(),
                    });
                }
            };
            if !consistent {
                fail(
                    &mut response,
                    "rows of one remittance disagree on kind, invoice, date or amount",
                );
                continue;
            }
            remittance.lines = rows
                .iter()
                .flat_map(|r| r.remittance.lines.clone())
                .collect();
            let recorded = match new_remittance(Some(&remittance)) {
                Ok(new) => {
                    let body = pb::RecordRemittanceRequest {
                        request_id: format!("import:{key}"),
                        remittance: Some(remittance.clone()),
                    };
                    match IdempotencyKey::new(
                        "ImportRemittances",
                        caller,
                        &body.request_id.chars().take(128).collect::<String>(),
                        &body,
                    ) {
                        Ok(k) => self.desk.record(k, caller, new).await,
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            };
            match recorded {
                Ok(r) => {
                    response.imported_rows += rows.len() as u64;
                    response.remittances.push(r.name);
                }
                Err(ApiError::Internal(detail)) => return Err(ApiError::Internal(detail)),
                Err(err) => fail(&mut response, &describe(&err)),
            }
        }
        response.errors.sort_by_key(|e| e.line);
        Ok(response)
    }
}
