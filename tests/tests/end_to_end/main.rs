//! The end-to-end tests: real `medchain-node` processes (most on a four-hospital network), the
//! `medchain` command line, the operator scripts and the container entrypoint. One test binary
//! with a module per story, so a cold build compiles and links the harness once;
//! `scripts/multi-node-tests.sh` runs the modules in lanes, each test by its full name.

mod backup;
mod chain_specs;
mod cli;
mod custodian;
mod custodian_crash;
mod entrypoint;
mod fhir_export;
mod finality;
mod full_disk;
mod metrics;
mod node_flags;
mod node_security;
mod partition;
mod pharmacy;
mod portal;
mod rogue_endpoint;
mod rolling_restart;
mod rpc_docs;
mod runtime_upgrade;
mod shares;
mod sharing;
mod slow_link;
mod stall_recovery;
mod start_network;
mod validator_set;
mod wrong_clock;
