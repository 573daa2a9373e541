//! The collector's view of the flow: one trace, across every process.

use std::time::{Duration, Instant};

use super::Cluster;
use super::client::{CALLER_SPAN, TRACE_ID};
use super::spans::{self, Span};

fn find<'a>(
    spans: &'a [Span],
    service: &str,
    name: &str,
    pick: impl Fn(&Span) -> bool,
) -> Option<&'a Span> {
    spans
        .iter()
        .find(|s| s.service == service && s.name == name && pick(s))
}

/// The hops the trace must show, each with its parent: a claim submission
/// gateway → claims → contracts, and a shipment registration gateway →
/// contracts → carriers, all in the flow's one trace. (No single call goes
/// claims → contracts → carriers: claims asks contracts only for what
/// contracts holds.) `None` until the collector has printed them all.
fn trace_hops(spans: &[Span]) -> Option<Vec<Span>> {
    let ours: Vec<Span> = spans
        .iter()
        .filter(|s| s.trace_id == TRACE_ID)
        .cloned()
        .collect();
    let mut hops = Vec::new();
    for (client, service, downstream) in [
        (
            "/recourse.claims.v1.ClaimService/SubmitClaim",
            "recourse-claims",
            (
                "recourse-contracts",
                "/recourse.contracts.v1.ContractService/GetClaimTerms",
            ),
        ),
        (
            "/recourse.contracts.v1.ShipmentService/RegisterShipment",
            "recourse-contracts",
            (
                "recourse-carriers",
                "/recourse.carriers.v1.CarrierService/GetCarrier",
            ),
        ),
    ] {
        let found = ours.iter().find_map(|gateway| {
            if gateway.service != "recourse-gateway"
                || gateway.name != format!("gateway {client}")
                || gateway.parent_id != CALLER_SPAN
            {
                return None;
            }
            let server = find(&ours, service, client, |s| s.parent_id == gateway.span_id)?;
            let next = find(&ours, downstream.0, downstream.1, |s| {
                spans::descends(&ours, s, server)
            })?;
            Some([gateway.clone(), server.clone(), next.clone()])
        })?;
        hops.extend(found);
    }
    Some(hops)
}

/// Waits for the collector to have printed the whole trace, then checks
/// it spans the gateway and every service, each hop a child of the last.
pub async fn check_trace(cluster: &Cluster) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let hops = loop {
        let spans = spans::parse(&cluster.collector_output());
        if let Some(hops) = trace_hops(&spans) {
            break hops;
        }
        assert!(
            Instant::now() < deadline,
            "the collector's output lacks a hop of trace {TRACE_ID}; spans of it: {:#?}",
            spans
                .iter()
                .filter(|s| s.trace_id == TRACE_ID)
                .map(|s| format!("{} {} {} <- {}", s.service, s.name, s.span_id, s.parent_id))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let mut services: Vec<_> = hops.iter().map(|s| s.service.as_str()).collect();
    services.sort_unstable();
    services.dedup();
    assert_eq!(
        services,
        [
            "recourse-carriers",
            "recourse-claims",
            "recourse-contracts",
            "recourse-gateway"
        ],
        "one trace through every process"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(service: &str, name: &str, id: &str, parent: &str) -> Span {
        Span {
            service: service.into(),
            name: name.into(),
            trace_id: TRACE_ID.into(),
            span_id: id.into(),
            parent_id: parent.into(),
        }
    }

    fn whole_trace() -> Vec<Span> {
        let claims = "/recourse.claims.v1.ClaimService/SubmitClaim";
        let register = "/recourse.contracts.v1.ShipmentService/RegisterShipment";
        vec![
            span(
                "recourse-gateway",
                &format!("gateway {claims}"),
                "g1",
                CALLER_SPAN,
            ),
            span("recourse-claims", claims, "c1", "g1"),
            span("recourse-claims", "claims → contracts", "c2", "c1"),
            span(
                "recourse-contracts",
                "/recourse.contracts.v1.ContractService/GetClaimTerms",
                "k1",
                "c2",
            ),
            span(
                "recourse-gateway",
                &format!("gateway {register}"),
                "g2",
                CALLER_SPAN,
            ),
            span("recourse-contracts", register, "k2", "g2"),
            span(
                "recourse-carriers",
                "/recourse.carriers.v1.CarrierService/GetCarrier",
                "r1",
                "k2",
            ),
        ]
    }

    #[test]
    fn every_hop_must_be_a_descendant_in_the_one_trace() {
        assert_eq!(trace_hops(&whole_trace()).map(|h| h.len()), Some(6));
        // A carriers span that is not under the contracts span: no hop.
        let mut orphan = whole_trace();
        orphan[6].parent_id = "elsewhere".into();
        assert!(trace_hops(&orphan).is_none());
        // The claims span in another trace: no hop.
        let mut other = whole_trace();
        other[1].trace_id = "0".repeat(32);
        assert!(trace_hops(&other).is_none());
        // A gateway span that did not continue the caller's context: no hop.
        let mut fresh = whole_trace();
        fresh[4].parent_id = String::new();
        assert!(trace_hops(&fresh).is_none());
    }
}
