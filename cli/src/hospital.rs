//! `medchain hospital` (the registry and its governance) and `medchain node status`.

use jsonrpsee::{core::client::ClientT, rpc_params};
use medchain_app_api::DISCOVER;
use medchain_client::{admission, tx, Chain};
use medchain_primitives::registry::HospitalRole;
use medchain_runtime::{Runtime, RuntimeCall, RuntimeEvent};
use pallet_hospitals::{HospitalStatus, Proposal as Change};
use serde_json::{json, Value};
use sp_core::{sr25519, Pair};

use crate::{
	args::{self, HospitalCommand, Proposal, Rotation},
	connect::{self, account, Context},
};

pub async fn run(context: &Context, command: HospitalCommand) -> crate::Result<Value> {
	let chain = context.chain()?;
	match command {
		HospitalCommand::List { from, limit } => list(&chain, from, limit).await,
		HospitalCommand::Propose(proposal) => {
			let (admin, call) = match proposal {
				Proposal::Admit { admission, keys, proof, node_proof, admin } => {
					let (keys, proofs) = admission::decode_session_keys(&keys, &proof)?;
					let node_proof = admission::decode_node_proof(&node_proof)?;
					(admin, admission_of(admission)?.propose_call(keys, proofs, node_proof)?)
				}
				Proposal::AdmitPharmacy { admission, node_proof, admin } => {
					let node_proof = admission::decode_node_proof(&node_proof)?;
					(admin, admission_of(admission)?.propose_pharmacy_call(node_proof)?)
				}
				Proposal::Suspend { hospital, admin } => {
					(admin, propose(Change::Suspend { hospital }))
				}
				Proposal::Reinstate { hospital, admin } => {
					(admin, propose(Change::Reinstate { hospital }))
				}
				Proposal::Remove { hospital, admin } => {
					(admin, propose(Change::Remove { hospital }))
				}
			};
			send(&chain, &connect::key(&admin, "a member admin's")?, call).await
		}
		HospitalCommand::Vote { proposal, admin } => {
			let admin = connect::key(&admin, "a member admin's")?;
			send(&chain, &admin, pallet_hospitals::Call::vote { id: proposal }).await
		}
		HospitalCommand::Rotate(Rotation::Operator { new_operator, admin }) => {
			let admin = connect::key(&admin, "the hospital admin's")?;
			let new_operator = account(&new_operator)?;
			send(&chain, &admin, pallet_hospitals::Call::rotate_operator { new_operator }).await
		}
		HospitalCommand::Rotate(Rotation::SessionKeys { admin }) => {
			let admin = connect::key(&admin, "the hospital admin's")?;
			let call = rotate_session_keys(&chain, &admin).await?;
			send(&chain, &admin, call).await
		}
		HospitalCommand::SessionKeys { admission, node_key_file } => {
			let admission = admission_of(admission)?;
			let node_key = admission::read_node_key(&node_key_file)?;
			let genesis = chain.genesis_hash().await?;
			let generated = admission::generate_session_keys(&chain, &admission).await?;
			let node_proof = admission.sign_as_node(&genesis, &node_key, &generated.keys)?;
			Ok(json!({
				"keys": generated.keys_hex,
				"proof": generated.proof_hex,
				"nodeProof": sp_core::bytes::to_hex(node_proof.as_ref(), false),
			}))
		}
		HospitalCommand::PharmacyNodeProof { admission, node_key_file } => {
			let admission = admission_of(admission)?;
			let node_key = admission::read_node_key(&node_key_file)?;
			let node_proof =
				admission.sign_pharmacy_as_node(&chain.genesis_hash().await?, &node_key)?;
			Ok(json!({ "nodeProof": sp_core::bytes::to_hex(node_proof.as_ref(), false) }))
		}
		HospitalCommand::RegisterPatient { patient, operator, issue_token_into } => {
			let operator = connect::key(&operator, "the hospital operator's")?;
			let patient = account(&patient)?;
			let pseudonym: [u8; 32] = patient.clone().into();
			let call = pallet_hospitals::Call::register_patient { patient };
			let mut report = send(&chain, &operator, call).await?;
			if let Some(file) = issue_token_into {
				let role = medchain_app_api::auth::Role::Patient;
				let token =
					medchain_app_api::auth::issue(&file, role, Some(&pseudonym), "registered")?;
				report["patientToken"] = serde_json::Value::String(token);
			}
			Ok(report)
		}
	}
}

fn propose(proposal: Change<Runtime>) -> pallet_hospitals::Call<Runtime> {
	pallet_hospitals::Call::propose { proposal }
}

fn admission_of(args: args::Admission) -> crate::Result<admission::Admission> {
	Ok(admission::Admission {
		name: args.name,
		admin: account(&args.admin)?,
		operator: account(&args.operator)?,
		peer_id: args.peer_id,
		address: args.address,
	})
}

/// Sends a registry call and reports its block, the proposal it opened (if any) and its
/// events.
async fn send(
	chain: &Chain,
	signer: &sr25519::Pair,
	call: pallet_hospitals::Call<Runtime>,
) -> crate::Result<Value> {
	let (block, events) = connect::submit(chain, signer, RuntimeCall::Hospitals(call)).await?;
	let proposal = tx::proposal_opened(&events);
	let events: Vec<String> = events
		.iter()
		.filter(|event| matches!(event, RuntimeEvent::Hospitals(_)))
		.map(|event| format!("{event:?}"))
		.collect();
	Ok(json!({ "block": format!("{block:?}"), "proposal": proposal, "events": events }))
}

/// The members (hospitals and pharmacies) with ids from `from`, up to `limit` ids, at the
/// finalized head.
async fn list(chain: &Chain, from: u32, limit: u32) -> crate::Result<Value> {
	let (head, _) = chain.finalized_head().await?;
	let next_id: u32 = chain
		.storage(&pallet_hospitals::NextHospitalId::<Runtime>::hashed_key(), Some(head))
		.await?
		.unwrap_or_default();
	let validators = chain.validators(Some(head)).await?;
	let mut members = Vec::new();
	let end = from.saturating_add(limit.min(100)).min(next_id);
	for id in from..end {
		let member = match chain.hospital(id, Some(head)).await? {
			Some(hospital) => (
				"hospital",
				hospital.name,
				hospital.status,
				hospital.admin,
				hospital.operator,
				hospital.nodes,
				hospital.joined,
			),
			None => {
				let key = pallet_hospitals::Pharmacies::<Runtime>::hashed_key_for(id);
				let pharmacy: Option<pallet_hospitals::Pharmacy<Runtime>> =
					chain.storage(&key, Some(head)).await?;
				let Some(pharmacy) = pharmacy else { continue };
				(
					"pharmacy",
					pharmacy.name,
					pharmacy.status,
					pharmacy.admin,
					pharmacy.operator,
					pharmacy.nodes,
					pharmacy.joined,
				)
			}
		};
		let (kind, name, status, admin, operator, nodes, joined) = member;
		let status = match status {
			HospitalStatus::Active => "active",
			HospitalStatus::Suspended => "suspended",
			HospitalStatus::Removed => "removed",
		};
		members.push(json!({
			"id": id,
			"kind": kind,
			"name": String::from_utf8_lossy(&name),
			"status": status,
			"validator": validators.contains(&id),
			"admin": admin.to_string(),
			"operator": operator.to_string(),
			"nodes": nodes.iter().map(|node| String::from_utf8_lossy(&node.peer_id).into_owned()).collect::<Vec<_>>(),
			"joined": joined,
		}));
	}
	Ok(json!({
		"hospitals": members,
		"next": (end < next_id).then_some(end),
	}))
}

/// New session keys generated in the node's keystore, proving possession for the admin's
/// hospital on this chain (`pallet_hospitals::rotation::key_rotation_message`).
async fn rotate_session_keys(
	chain: &Chain,
	admin: &sr25519::Pair,
) -> crate::Result<pallet_hospitals::Call<Runtime>> {
	let account: sp_runtime::AccountId32 = admin.public().into();
	let role = chain
		.storage::<(u32, HospitalRole)>(
			&pallet_hospitals::AccountRoles::<Runtime>::hashed_key_for(&account),
			None,
		)
		.await?;
	let Some((hospital, HospitalRole::Admin)) = role else {
		return Err(format!("{account} is no hospital's admin"));
	};
	let genesis = chain.genesis_hash().await?;
	let owner = pallet_hospitals::rotation::key_rotation_message::<Runtime>(&genesis, hospital);
	let generated = admission::rotate_keys_with_owner(chain, owner).await?;
	let (keys, (aura_proof, grandpa_proof)) = (generated.keys, generated.proofs);
	Ok(pallet_hospitals::Call::rotate_session_keys {
		aura: keys.aura,
		grandpa: keys.grandpa,
		aura_proof,
		grandpa_proof,
	})
}

/// The node's chain (heads, peers, validators, runtime) and its medchain RPC.
pub async fn node_status(context: &Context) -> crate::Result<Value> {
	let chain = context.chain()?;
	let health: Value = chain.rpc.call("system_health", rpc_params![]).await?;
	let name: String = chain.rpc.call("system_name", rpc_params![]).await?;
	let version: String = chain.rpc.call("system_version", rpc_params![]).await?;
	let (finalized_hash, finalized) = chain.finalized_head().await?;
	let best = chain.best_number().await?;
	let runtime = chain.runtime_version().await?;
	let api = match context.has_token() {
		false => "not checked (no token)".to_string(),
		true => match context.api()?.request::<Value, _>(DISCOVER, rpc_params![]).await {
			Ok(_) => "answers".to_string(),
			Err(error) => connect::api_error(DISCOVER, error),
		},
	};
	Ok(json!({
		"node": context.node_url(),
		"client": format!("{name} {version}"),
		"runtime": format!("{} v{}", runtime.spec_name, runtime.spec_version),
		"peers": health["peers"],
		"syncing": health["isSyncing"],
		"best": best,
		"finalized": finalized,
		"finalizedHash": format!("{finalized_hash:?}"),
		"validators": chain.validators(Some(finalized_hash)).await?,
		"grandpaSetId": chain.grandpa_set_id(Some(finalized_hash)).await?,
		"medchainRpc": context.api_url(),
		"medchainRpcStatus": api,
	}))
}
