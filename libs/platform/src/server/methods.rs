//! Which gRPC methods stream, read from the served descriptor sets, so the
//! stack can tell a unary call (timed out, counted as a call) from a feed or
//! an upload (never timed out by the server, counted as a stream) by its
//! path alone.

use std::collections::HashMap;

use prost::Message as _;

/// The shape of a gRPC method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    Unary,
    ServerStreaming,
    ClientStreaming,
    Bidi,
}

impl MethodKind {
    pub fn is_streaming(self) -> bool {
        !matches!(self, MethodKind::Unary)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MethodKind::Unary => "unary",
            MethodKind::ServerStreaming => "server_streaming",
            MethodKind::ClientStreaming => "client_streaming",
            MethodKind::Bidi => "bidi_streaming",
        }
    }
}

/// `/package.Service/Method` → kind.
#[derive(Debug, Clone, Default)]
pub struct MethodTable(HashMap<String, MethodKind>);

impl MethodTable {
    /// Adds every method of an encoded `FileDescriptorSet`.
    pub fn register(&mut self, encoded: &[u8]) -> Result<(), prost::DecodeError> {
        let set = prost_types::FileDescriptorSet::decode(encoded)?;
        for file in set.file {
            let package = file.package();
            for service in &file.service {
                let full = if package.is_empty() {
                    service.name().to_owned()
                } else {
                    format!("{package}.{}", service.name())
                };
                for method in &service.method {
                    let kind = match (method.client_streaming(), method.server_streaming()) {
                        (false, false) => MethodKind::Unary,
                        (false, true) => MethodKind::ServerStreaming,
                        (true, false) => MethodKind::ClientStreaming,
                        (true, true) => MethodKind::Bidi,
                    };
                    self.0.insert(format!("/{full}/{}", method.name()), kind);
                }
            }
        }
        Ok(())
    }

    /// The kind of the method at `path`; unknown paths are unary (tonic
    /// answers them UNIMPLEMENTED at once).
    pub fn kind(&self, path: &str) -> MethodKind {
        self.0.get(path).copied().unwrap_or(MethodKind::Unary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeds_and_uploads_stream_and_the_rest_is_unary() {
        let mut table = MethodTable::default();
        table.register(recourse_proto::FILE_DESCRIPTOR_SET).unwrap();
        table
            .register(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .unwrap();
        assert_eq!(
            table.kind("/recourse.carriers.v1.CarrierService/CreateCarrier"),
            MethodKind::Unary
        );
        assert_eq!(
            table.kind("/recourse.contracts.v1.EventService/Subscribe"),
            MethodKind::ServerStreaming
        );
        assert_eq!(
            table.kind("/recourse.contracts.v1.ShipmentService/IngestTrackingEvents"),
            MethodKind::ClientStreaming
        );
        assert_eq!(
            table.kind("/grpc.health.v1.Health/Watch"),
            MethodKind::ServerStreaming
        );
    }
}
