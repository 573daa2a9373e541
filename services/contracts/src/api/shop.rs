//! `recourse.contracts.v1.ShopService`: roles, parsing, rendering.
//! A carrier principal shops only its own carrier (its contract and its
//! standing): other carriers' options are never shown to it. 3PLs cannot
//! read contracts or the carriers registry: PERMISSION_DENIED.

use recourse_platform::auth::{bearer_token, principal};
use recourse_platform::visibility::lookup_scope;
use recourse_proto::contracts as pb;
use recourse_proto::contracts::shop_service_server::ShopService;
use tonic::{Request, Response, Status};

use super::READERS;
use crate::convert::shop::{shop_input, shop_to_proto};
use crate::shop::RateShop;

#[derive(Debug, Clone)]
pub struct ShopApi {
    shop: RateShop,
}

impl ShopApi {
    pub fn new(shop: RateShop) -> Self {
        Self { shop }
    }
}

#[tonic::async_trait]
impl ShopService for ShopApi {
    async fn shop_rates(
        &self,
        request: Request<pb::ShopRatesRequest>,
    ) -> Result<Response<pb::ShopRatesResponse>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let token = bearer_token(&request);
        let input = shop_input(request.get_ref())?;
        let today = chrono::Utc::now().date_naive();
        let result = self
            .shop
            .shop(token, lookup_scope(caller), &input, today)
            .await?;
        Ok(Response::new(shop_to_proto(&result)))
    }
}
