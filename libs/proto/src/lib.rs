//! Generated protobuf messages and gRPC clients/servers for every Recourse API,
//! compiled from `proto/` at build time.

#![allow(clippy::all, clippy::pedantic, unreachable_pub, missing_docs)]

pub mod recourse {
    pub mod claims {
        pub mod v1 {
            tonic::include_proto!("recourse.claims.v1");
        }
    }
    pub mod common {
        pub mod v1 {
            tonic::include_proto!("recourse.common.v1");
        }
    }
    pub mod carriers {
        pub mod v1 {
            tonic::include_proto!("recourse.carriers.v1");
        }
    }
    pub mod contracts {
        pub mod v1 {
            tonic::include_proto!("recourse.contracts.v1");
        }
    }
    pub mod gateway {
        pub mod v1 {
            tonic::include_proto!("recourse.gateway.v1");
        }
    }
    pub mod reporting {
        pub mod v1 {
            tonic::include_proto!("recourse.reporting.v1");
        }
    }
    pub mod webhooks {
        pub mod v1 {
            tonic::include_proto!("recourse.webhooks.v1");
        }
    }
}

pub use recourse::carriers::v1 as carriers;
pub use recourse::claims::v1 as claims;
pub use recourse::common::v1 as common;
pub use recourse::contracts::v1 as contracts;
pub use recourse::gateway::v1 as gateway;
pub use recourse::reporting::v1 as reporting;
pub use recourse::webhooks::v1 as webhooks;

/// Encoded `FileDescriptorSet` of every Recourse proto and its imports, served
/// by gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/recourse_descriptor.bin"));
