//! The carrier aggregate: what registering makes, what an update patches,
//! and its capacity with peak windows.

use chrono::{DateTime, NaiveDate, Utc};

use super::status::CarrierStatus;
use super::values::{
    CarrierCode, CarrierId, CarrierKind, ContactEmail, Etag, Region, ServiceLevelCode, TransitDays,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceLevel {
    pub code: ServiceLevelCode,
    pub display_name: String,
    pub guaranteed: bool,
    pub transit_days: TransitDays,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeakAllocation {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub daily_parcels: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capacity {
    pub daily_parcels: u32,
    /// Sorted by start date, non-overlapping.
    pub peaks: Vec<PeakAllocation>,
}

impl Capacity {
    /// Sorts the peak windows and refuses inverted or overlapping ones; the
    /// error names the offending window by its index in the input.
    pub fn new(
        daily_parcels: u32,
        mut peaks: Vec<(usize, PeakAllocation)>,
    ) -> Result<Self, (usize, String)> {
        for (index, peak) in &peaks {
            if peak.end < peak.start {
                return Err((*index, "end_date must not be before start_date".to_owned()));
            }
        }
        peaks.sort_by_key(|(_, peak)| peak.start);
        for pair in peaks.windows(2) {
            if let [(_, earlier), (index, later)] = pair
                && later.start <= earlier.end
            {
                return Err((*index, "overlaps another peak allocation".to_owned()));
            }
        }
        Ok(Self {
            daily_parcels,
            peaks: peaks.into_iter().map(|(_, peak)| peak).collect(),
        })
    }

    /// The allocation in force on `date`: a peak window's if one covers it.
    pub fn daily_parcels_on(&self, date: NaiveDate) -> u32 {
        self.peaks
            .iter()
            .find(|peak| peak.start <= date && date <= peak.end)
            .map_or(self.daily_parcels, |peak| peak.daily_parcels)
    }
}

/// A valid request to register a carrier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCarrier {
    pub code: CarrierCode,
    pub display_name: String,
    pub kind: CarrierKind,
    pub regions: Vec<Region>,
    pub service_levels: Vec<ServiceLevel>,
    pub capacity: Capacity,
    pub contact_email: Option<ContactEmail>,
}

impl NewCarrier {
    /// The carrier as first stored: onboarding, version 1.
    pub fn into_carrier(self, id: CarrierId, now: DateTime<Utc>) -> Carrier {
        Carrier {
            id,
            code: self.code,
            display_name: self.display_name,
            kind: self.kind,
            status: CarrierStatus::Onboarding,
            status_reason: String::new(),
            regions: self.regions,
            service_levels: self.service_levels,
            capacity: self.capacity,
            contact_email: self.contact_email,
            created_at: now,
            updated_at: now,
            etag: Etag(1),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carrier {
    pub id: CarrierId,
    pub code: CarrierCode,
    pub display_name: String,
    pub kind: CarrierKind,
    pub status: CarrierStatus,
    pub status_reason: String,
    pub regions: Vec<Region>,
    pub service_levels: Vec<ServiceLevel>,
    pub capacity: Capacity,
    pub contact_email: Option<ContactEmail>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub etag: Etag,
}

/// The mutable fields an update replaces; `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CarrierPatch {
    pub display_name: Option<String>,
    pub kind: Option<CarrierKind>,
    pub regions: Option<Vec<Region>>,
    pub service_levels: Option<Vec<ServiceLevel>>,
    pub capacity: Option<Capacity>,
    pub contact_email: Option<Option<ContactEmail>>,
}

impl CarrierPatch {
    /// Whether the patch replaces the child collections (so the store must
    /// rewrite them).
    pub fn touches_children(&self) -> bool {
        self.regions.is_some() || self.service_levels.is_some() || self.capacity.is_some()
    }
}

impl Carrier {
    pub fn apply(mut self, patch: CarrierPatch, now: DateTime<Utc>) -> Self {
        if let Some(v) = patch.display_name {
            self.display_name = v;
        }
        if let Some(v) = patch.kind {
            self.kind = v;
        }
        if let Some(v) = patch.regions {
            self.regions = v;
        }
        if let Some(v) = patch.service_levels {
            self.service_levels = v;
        }
        if let Some(v) = patch.capacity {
            self.capacity = v;
        }
        if let Some(v) = patch.contact_email {
            self.contact_email = v;
        }
        self.updated_at = now;
        self.etag = self.etag.next();
        self
    }

    pub fn change_status(
        mut self,
        to: CarrierStatus,
        reason: String,
        now: DateTime<Utc>,
    ) -> Result<Self, super::IllegalTransition> {
        self.status = self.status.transition(to)?;
        self.status_reason = reason;
        self.updated_at = now;
        self.etag = self.etag.next();
        Ok(self)
    }
}

#[cfg(test)]
mod tests;
