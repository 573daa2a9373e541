//! Where a call goes: the gRPC path `/recourse.<name>.v1.Service/Method`
//! names the upstream `<name>` (configured as `gateway.upstreams.<name>`),
//! so no method needs code here. The shared descriptor set tells each
//! known method's kind (unary, client-, server- or bidi-streaming), which
//! decides the unary time limit and the feed cap.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use prost::Message as _;
use tonic::transport::Channel;

use super::Target;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    Unary,
    ClientStreaming,
    ServerStreaming,
    Bidi,
}

impl MethodKind {
    /// Long-lived responses (feeds) are capped by open streams.
    pub fn is_feed(self) -> bool {
        matches!(self, MethodKind::ServerStreaming | MethodKind::Bidi)
    }
}

#[derive(Debug, Clone)]
pub struct Upstream {
    pub name: Arc<str>,
    pub target: Target,
}

#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    upstreams: HashMap<String, Upstream>,
    kinds: HashMap<String, MethodKind>,
    services: Vec<(String, String)>,
}

/// The service part of `/pkg.Service/Method`.
pub fn service_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix('/')?;
    let (service, method) = rest.split_once('/')?;
    (!service.is_empty() && !method.is_empty() && !method.contains('/')).then_some(service)
}

/// `recourse.<name>.…` → `<name>`.
fn upstream_key(service: &str) -> Option<&str> {
    let mut parts = service.split('.');
    (parts.next()? == "recourse").then_some(())?;
    parts.next()
}

impl RouteTable {
    /// Reads method kinds and service names from encoded descriptor sets.
    pub fn new(descriptor_sets: &[&[u8]]) -> Self {
        let mut table = Self::default();
        for encoded in descriptor_sets {
            let Ok(set) = prost_types::FileDescriptorSet::decode(*encoded) else {
                continue;
            };
            for file in set.file {
                let package = file.package.clone().unwrap_or_default();
                for service in &file.service {
                    let full = format!("{package}.{}", service.name());
                    for method in &service.method {
                        let kind = match (method.client_streaming(), method.server_streaming()) {
                            (false, false) => MethodKind::Unary,
                            (true, false) => MethodKind::ClientStreaming,
                            (false, true) => MethodKind::ServerStreaming,
                            (true, true) => MethodKind::Bidi,
                        };
                        table
                            .kinds
                            .insert(format!("/{full}/{}", method.name()), kind);
                    }
                    table.services.push((package.clone(), full));
                }
            }
        }
        table
    }

    pub fn add(&mut self, name: &str, target: Target) {
        self.upstreams.insert(
            name.to_owned(),
            Upstream {
                name: Arc::from(name),
                target,
            },
        );
    }

    pub fn upstream(&self, service: &str) -> Option<&Upstream> {
        self.upstreams.get(upstream_key(service)?)
    }

    /// `None` for methods the descriptor set does not know (a service newer
    /// than this gateway): they get no unary limit and no feed cap.
    pub fn kind(&self, path: &str) -> Option<MethodKind> {
        self.kinds.get(path).copied()
    }

    /// Upstream name → URL-less list of the gRPC services it serves (by the
    /// descriptor set), for health and reflection.
    pub fn routed_services(&self) -> Vec<(Arc<str>, Vec<String>)> {
        let mut out: Vec<(Arc<str>, Vec<String>)> = self
            .upstreams
            .values()
            .map(|u| {
                let services = self
                    .services
                    .iter()
                    .filter(|(_, full)| upstream_key(full) == Some(&*u.name))
                    .map(|(_, full)| full.clone())
                    .collect();
                (u.name.clone(), services)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// The remote channels, by upstream name (for health polling).
    pub fn remotes(&self) -> Vec<(Arc<str>, Channel)> {
        self.upstreams
            .values()
            .filter_map(|u| match &u.target {
                Target::Remote(connections) => Some((u.name.clone(), connections.health_channel())),
                Target::Local(_) => None,
            })
            .collect()
    }
}

/// Parses a `grpc-timeout` header: up to 8 digits and a unit (H, M, S, m,
/// u, n).
pub fn parse_grpc_timeout(value: &str) -> Option<Duration> {
    let (digits, unit) = value.split_at_checked(value.len().checked_sub(1)?)?;
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// Renders a duration as `grpc-timeout` (milliseconds, rounded up, at most
/// 8 digits).
pub fn format_grpc_timeout(timeout: Duration) -> String {
    let ms = timeout.as_micros().div_ceil(1_000).clamp(1, 99_999_999);
    format!("{ms}m")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_their_upstream() {
        assert_eq!(
            service_of("/recourse.carriers.v1.CarrierService/GetCarrier"),
            Some("recourse.carriers.v1.CarrierService")
        );
        assert_eq!(service_of("/nope"), None);
        assert_eq!(service_of("//x"), None);
        assert_eq!(
            upstream_key("recourse.claims.v1.ClaimService"),
            Some("claims")
        );
        assert_eq!(upstream_key("grpc.health.v1.Health"), None);
    }

    #[test]
    fn descriptor_kinds_cover_every_rpc_kind() {
        let table = RouteTable::new(&[recourse_proto::FILE_DESCRIPTOR_SET]);
        assert_eq!(
            table.kind("/recourse.carriers.v1.CarrierService/GetCarrier"),
            Some(MethodKind::Unary)
        );
        assert_eq!(
            table.kind("/recourse.contracts.v1.ShipmentService/IngestTrackingEvents"),
            Some(MethodKind::ClientStreaming)
        );
        assert_eq!(
            table.kind("/recourse.claims.v1.EventService/Subscribe"),
            Some(MethodKind::ServerStreaming)
        );
        assert_eq!(table.kind("/recourse.x.v1.X/Y"), None);
    }

    #[test]
    fn grpc_timeouts_parse_and_render() {
        assert_eq!(parse_grpc_timeout("250m"), Some(Duration::from_millis(250)));
        assert_eq!(parse_grpc_timeout("2S"), Some(Duration::from_secs(2)));
        assert_eq!(parse_grpc_timeout("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_grpc_timeout("123456789m"), None);
        assert_eq!(parse_grpc_timeout("m"), None);
        assert_eq!(parse_grpc_timeout("10x"), None);
        assert_eq!(format_grpc_timeout(Duration::from_micros(1_500)), "2m");
        assert_eq!(format_grpc_timeout(Duration::from_secs(30)), "30000m");
    }
}
