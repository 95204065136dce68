//! What auditors need from a hospital node: the access log with refused attempts
//! ([`access_log`]), the index of refusals it keeps as blocks are finalized ([`refusals`]),
//! and the FHIR R5 export ([`export`]).

pub mod access_log;
pub mod export;
pub mod refusals;
