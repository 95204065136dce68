//! The medchain app RPC (`medchain-app-api`), served by the custodian on its own
//! authenticated listener.

use std::{net::SocketAddr, sync::Arc};

use jsonrpsee::{
	core::{async_trait, RpcResult},
	server::{
		serve_with_graceful_shutdown, BatchRequestConfig, RpcServiceBuilder, Server, ServerHandle,
	},
	types::ErrorObjectOwned,
};
use medchain_app_api::{
	auth::{Holder, Role},
	challenge, fields,
	types::{
		from_hex32, to_hex, AccessShared, AnchorStatus, CreateShare, CreatedShare, ErasureReceipt,
		ErasureStatus, GetRecord, PatientApproval, RecordChallenge, RecordFields, RecordStatus,
		RetryAccess, RevokedShare, ShareConsent, ShareTerms, SharedFields, SubmitRecord,
		SubmittedRecord, SubscribeFilter, MAX_HOSPITALS_PAGE,
	},
	AccessLogPage, AccessLogQuery, ErrorCode, ExportFhir, Health, HospitalEntry, HospitalsPage,
	HospitalsQuery, MedchainApiServer,
};
use medchain_primitives::{
	commitment::{verify_field, RecordId},
	FieldMask,
};
use medchain_store::{
	AnchorState, NewRecord, StoreError, StoredReceipt, StoredRecord, MAX_BULK_RECORDS,
};
use sc_client_api::HeaderBackend;
use sha2::Digest;

use super::{
	auth::{BearerAuthLayer, RoleGuard, TokenFile},
	connections::{Slots, MAX_CONNECTIONS},
	limits::{Limited, Limits},
	timing::Timed,
	tls::Acceptor,
};
use crate::custodian::{
	chain, chain_error,
	patient_read::{logs_patient_read, signed_by_patient, within_lifetime, CHALLENGE_LIFETIME},
	Custodian, Progress,
};
use crate::{audit::access_log, network::release::RELEASE_LIFETIME_BLOCKS};

/// The largest request body the listener reads: a full bulk import of maximal records would
/// not fit, so bulk imports of large records are split by the client.
pub const MAX_REQUEST_BYTES: u32 = 64 << 20;

/// Most calls in one JSON-RPC batch.
pub const MAX_BATCH: u32 = 32;

/// Most `medchain_subscribe` streams one connection may hold.
pub const MAX_SUBSCRIPTIONS_PER_CONNECTION: u32 = 4;

/// How long a client may take over the TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Starts the medchain RPC on `addr`, with TLS when `tls` is given.
pub async fn start(
	addr: SocketAddr,
	tokens: TokenFile,
	tls: Option<Acceptor>,
	custodian: Arc<Custodian>,
) -> Result<ServerHandle, String> {
	let metrics = custodian.metrics.clone();
	let limits = Arc::new(Limits::default());
	let tokens = Arc::new(tokens);
	let guard_tokens = tokens.clone();
	let services = Server::builder()
		.max_request_body_size(MAX_REQUEST_BYTES)
		.max_connections(MAX_CONNECTIONS as u32)
		.set_batch_request_config(BatchRequestConfig::Limit(MAX_BATCH))
		.max_subscriptions_per_connection(MAX_SUBSCRIPTIONS_PER_CONNECTION)
		.set_http_middleware(tower::ServiceBuilder::new().layer(BearerAuthLayer {
			tokens,
			limits: limits.clone(),
			max_request_bytes: MAX_REQUEST_BYTES,
		}))
		.set_rpc_middleware(
			RpcServiceBuilder::new()
				.layer_fn(move |service| Timed { service, metrics: metrics.clone() })
				.layer_fn(move |service| RoleGuard { service, tokens: guard_tokens.clone() })
				.layer_fn(move |service| Limited { service, limits: limits.clone() }),
		)
		.to_service_builder();
	let audits = Arc::new(tokio::sync::Semaphore::new(AUDITS_AT_ONCE));
	let mut module = AppRpc { custodian, audits }.into_rpc();
	module.merge(medchain_app_api::discover_module()).map_err(|error| error.to_string())?;
	let methods: jsonrpsee::Methods = module.into();
	let listener = tokio::net::TcpListener::bind(addr)
		.await
		.map_err(|error| format!("medchain RPC on {addr}: {error}"))?;
	let scheme = if tls.is_some() { "https/wss" } else { "http/ws, loopback only" };
	log::info!(target: "medchain::rpc", "medchain RPC listening on {addr} ({scheme})");
	let (stop, handle) = jsonrpsee::server::stop_channel();
	let slots = Arc::new(Slots::default());
	let tls = tls.map(Arc::new);
	tokio::spawn(async move {
		loop {
			let accepted = tokio::select! {
				accepted = listener.accept() => accepted,
				() = stop.clone().shutdown() => break,
			};
			let (socket, peer) = match accepted {
				Ok(accepted) => accepted,
				Err(error) => {
					// Out of file descriptors, usually: give connections time to end.
					log::warn!(target: "medchain::rpc", "medchain RPC accept: {error}");
					tokio::time::sleep(std::time::Duration::from_millis(100)).await;
					continue;
				}
			};
			// Past the caps the socket is closed at once.
			let Some(slot) = slots.take(peer.ip()) else { continue };
			let service = services.clone().build(methods.clone(), stop.clone());
			let stopped = stop.clone().shutdown();
			let acceptor = tls.as_ref().and_then(|tls| tls.current());
			let tls_required = tls.is_some();
			tokio::spawn(async move {
				let _slot = slot;
				let served = match (acceptor, tls_required) {
					(None, false) => serve_with_graceful_shutdown(socket, service, stopped).await,
					(Some(acceptor), _) => {
						let handshake = acceptor.accept(socket);
						match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, handshake).await {
							Ok(Ok(stream)) => {
								serve_with_graceful_shutdown(stream, service, stopped).await
							}
							_ => return,
						}
					}
					(None, true) => return,
				};
				if let Err(error) = served {
					log::debug!(target: "medchain::rpc", "medchain RPC connection: {error}");
				}
			});
		}
	});
	Ok(handle)
}

struct AppRpc {
	custodian: Arc<Custodian>,
	/// Audit queries run at most [`AUDITS_AT_ONCE`] at a time; the others wait their turn.
	audits: Arc<tokio::sync::Semaphore>,
}

/// How many `accessLog` and `exportFhir` calls the node works on at once: each reads up to a
/// page of entries and scans up to 10,000 indexed refusals.
pub const AUDITS_AT_ONCE: usize = 2;

#[async_trait]
impl MedchainApiServer for AppRpc {
	async fn submit_record(
		&self,
		ext: &jsonrpsee::Extensions,
		record: SubmitRecord,
	) -> RpcResult<SubmittedRecord> {
		let mut submitted = self.submit(holder(ext)?, vec![record]).await?;
		submitted
			.pop()
			.ok_or_else(|| ErrorCode::StoreUnavailable.error("the store returned no receipt"))
	}

	async fn submit_records(
		&self,
		ext: &jsonrpsee::Extensions,
		records: Vec<SubmitRecord>,
	) -> RpcResult<Vec<SubmittedRecord>> {
		if records.len() > MAX_BULK_RECORDS {
			return Err(ErrorCode::TooManyRecords.error(format!(
				"{} records; submitRecords takes at most {MAX_BULK_RECORDS}",
				records.len()
			)));
		}
		self.submit(holder(ext)?, records).await
	}

	async fn record_status(&self, record_id: String) -> RpcResult<RecordStatus> {
		let id = parse_record_id(&record_id)?;
		let (stored, due) = self.stored(id).await?;
		let mut status = RecordStatus {
			record_id: to_hex(&id),
			status: AnchorStatus::Stored,
			field_root: to_hex(&stored.field_root),
			block_number: None,
			transaction: None,
			reason: None,
			erasure: self.erasure(id, &stored, due),
		};
		match stored.state {
			AnchorState::Anchored { block } => {
				status.status = AnchorStatus::Finalized;
				status.block_number = Some(block);
			}
			AnchorState::Failed { reason } => {
				status.status = AnchorStatus::Failed;
				status.reason = Some(reason);
			}
			AnchorState::Stored => match self.custodian.tracker.get(&id) {
				Some(Progress::Submitted { tx }) => {
					status.status = AnchorStatus::Submitted;
					status.transaction = Some(to_hex(tx.as_bytes()));
				}
				Some(Progress::InBlock { tx, block }) => {
					status.status = AnchorStatus::InBlock;
					status.transaction = Some(to_hex(tx.as_bytes()));
					status.block_number = Some(block);
				}
				Some(Progress::Retrying { error }) => status.reason = Some(error),
				None => {}
			},
		}
		Ok(status)
	}

	async fn record_challenge(
		&self,
		ext: &jsonrpsee::Extensions,
		record_id: String,
	) -> RpcResult<RecordChallenge> {
		let id = parse_record_id(&record_id)?;
		let holder = holder(ext)?;
		let (stored, _) = self.stored(id).await?;
		acting_for(&holder, &stored)?;
		let challenge = self.custodian.challenges.issue(id, holder.id);
		let genesis = self.custodian.client.info().genesis_hash;
		let lifetime = u64::try_from(CHALLENGE_LIFETIME.as_millis()).unwrap_or(u64::MAX);
		Ok(RecordChallenge {
			record_id: to_hex(&id),
			challenge: to_hex(&challenge),
			message: to_hex(&challenge::message(&genesis.0, &id, &challenge)),
			erase_message: to_hex(&challenge::erase_message(&genesis.0, &id, &challenge)),
			expires_at: unix_millis().saturating_add(lifetime),
		})
	}

	async fn get_record(
		&self,
		ext: &jsonrpsee::Extensions,
		request: GetRecord,
	) -> RpcResult<RecordFields> {
		let id = parse_record_id(&request.record_id)?;
		let holder = holder(ext)?;
		let (stored, _) = self.stored(id).await?;
		acting_for(&holder, &stored)?;
		if stored.erased.is_some() {
			return Err(ErrorCode::RecordErased.error(format!("record {} is erased", to_hex(&id))));
		}
		self.check_patient_signature(
			id,
			&holder,
			&stored,
			&request.challenge,
			&request.signature,
			challenge::message,
		)?;
		let client = &self.custodian.client;
		let info = client.info();
		let finalized = info.finalized_hash;
		let entry = chain::access_entry(client, finalized, request.access_id)
			.map_err(|error| ErrorCode::StoreUnavailable.error(error))?
			.filter(|entry| logs_patient_read(entry, &id, &stored.patient, self.custodian.hospital))
			.ok_or_else(|| {
				ErrorCode::AccessNotLogged.error(format!(
					"no finalized patient access entry {} for this record and patient; submit \
					 access_log.patient_access first and wait for finality",
					request.access_id
				))
			})?;
		let claimed = self.custodian.receipts.claimed(request.access_id).await;
		if entry.release.is_some() || claimed.map_err(|e| ErrorCode::StoreUnavailable.error(e))? {
			return Err(ErrorCode::AccessAlreadyServed
				.error(format!("access entry {} was served already", request.access_id)));
		}
		if !within_lifetime(entry.block, info.finalized_number) {
			return Err(ErrorCode::AccessExpired.error(format!(
				"access entry {} is older than its release lifetime ({RELEASE_LIFETIME_BLOCKS} blocks): log a new patient_access",
				request.access_id
			)));
		}
		let anchor = chain::anchor(client, finalized, id)
			.map_err(|error| ErrorCode::StoreUnavailable.error(error))?
			.ok_or_else(|| ErrorCode::RecordNotAnchored.error("the record is not anchored"))?;
		// Erased on chain but not shredded here yet (the node is catching up): never serve it.
		if !matches!(anchor.status, medchain_primitives::records::RecordStatus::Active) {
			return Err(ErrorCode::RecordErased
				.error(format!("record {} is not active on chain", to_hex(&id))));
		}

		let store = self.custodian.store.clone();
		let opened = tokio::task::spawn_blocking(move || store.open_record(&id))
			.await
			.map_err(|error| ErrorCode::StoreUnavailable.error(error.to_string()))?
			.map_err(store_error)?;
		let record_type = opened.fields.record_type;
		let disclosed = opened
			.fields
			.disclose(&id, FieldMask::all(record_type))
			.map_err(|error| ErrorCode::StoreUnavailable.error(format!("{error:?}")))?;
		let verified =
			disclosed.iter().all(|field| verify_field(&anchor.field_root, &id, record_type, field));
		if !verified {
			log::error!(target: "medchain::rpc", "record 0x{} does not match its anchor", hex::encode(id));
			return Err(
				ErrorCode::StoreUnavailable.error("the stored record does not match its anchor")
			);
		}
		let mut fields = serde_json::Map::new();
		for (name, value) in record_type.fields().iter().zip(&opened.fields.values) {
			let value = value.as_ref().map_or(serde_json::Value::Null, |bytes| {
				serde_json::Value::String(String::from_utf8_lossy(bytes).into_owned())
			});
			fields.insert((*name).to_owned(), value);
		}
		let response_hash: [u8; 32] =
			sha2::Sha256::digest(codec::Encode::encode(&disclosed)).into();
		// Claimed only now, when the fields are ready, durably: never served twice, not even
		// across a restart. Given back if the receipt can't be sent, so a failed read does not
		// use up the patient's access entry.
		let receipts = &self.custodian.receipts;
		let access = request.access_id;
		let store_error = |error: String| ErrorCode::StoreUnavailable.error(error);
		if !receipts.claim(access, entry.block, response_hash).await.map_err(store_error)? {
			return Err(ErrorCode::AccessAlreadyServed
				.error(format!("access entry {access} was served already")));
		}
		let release_transaction = match receipts.sent(access, response_hash).await {
			Ok(transaction) => transaction,
			Err(error) => {
				receipts.unclaim(access).await.map_err(store_error)?;
				return Err(
					ErrorCode::TransactionRefused.error(format!("confirm_release: {error}"))
				);
			}
		};
		Ok(RecordFields {
			record_id: to_hex(&id),
			record_type: fields::type_name(record_type).to_owned(),
			fields,
			field_root: to_hex(&anchor.field_root),
			access_id: request.access_id,
			custodian: self.custodian.hospital,
			verified,
			release_transaction: to_hex(release_transaction.as_bytes()),
		})
	}

	async fn prepare_share(&self, terms: ShareTerms) -> RpcResult<ShareConsent> {
		crate::custodian::grants::prepare(&self.custodian, terms)
	}

	async fn create_share(&self, share: CreateShare) -> RpcResult<CreatedShare> {
		let created = crate::custodian::grants::create(&self.custodian, share).await?;
		self.custodian.metrics.shares_created.inc();
		Ok(created)
	}

	async fn health(&self) -> RpcResult<Health> {
		use sc_network::service::traits::NetworkStatusProvider;
		let custodian = &self.custodian;
		let info = custodian.client.info();
		let peers = custodian.network.status().await.map_or(0, |status| status.num_connected_peers);
		Ok(Health {
			hospital: custodian.hospital,
			best_block: info.best_number,
			finalized_block: info.finalized_number,
			peers: u32::try_from(peers).unwrap_or(u32::MAX),
			// As the metrics task last sampled it: no store read per health check.
			outbox_depth: custodian.metrics.outbox_depth.get(),
		})
	}

	async fn hospitals(&self, query: Option<HospitalsQuery>) -> RpcResult<HospitalsPage> {
		let query = query.unwrap_or_default();
		let limit = query.limit.unwrap_or(MAX_HOSPITALS_PAGE);
		if limit == 0 || limit > MAX_HOSPITALS_PAGE {
			return Err(ErrorObjectOwned::owned(
				jsonrpsee::types::error::INVALID_PARAMS_CODE,
				format!("limit {limit}; a page holds 1 to {MAX_HOSPITALS_PAGE} hospitals"),
				None::<()>,
			));
		}
		let client = &self.custodian.client;
		let at = client.info().finalized_hash;
		let (hospitals, next) =
			chain::hospitals(client, at, query.from.unwrap_or(0), limit).map_err(chain_error)?;
		let validators = if hospitals.is_empty() {
			Vec::new()
		} else {
			chain::validators(client, at).map_err(chain_error)?
		};
		let hospitals = hospitals
			.into_iter()
			.map(|(id, hospital)| HospitalEntry {
				id,
				name: String::from_utf8_lossy(&hospital.name).into_owned(),
				status: match hospital.status {
					pallet_hospitals::HospitalStatus::Active => "active",
					pallet_hospitals::HospitalStatus::Suspended => "suspended",
					pallet_hospitals::HospitalStatus::Removed => "removed",
				}
				.into(),
				validator: validators.contains(&id),
				nodes: hospital
					.nodes
					.iter()
					.map(|node| String::from_utf8_lossy(&node.peer_id).into_owned())
					.collect(),
			})
			.collect();
		Ok(HospitalsPage { hospitals, next })
	}

	async fn revoke_share(&self, grant_id: u64) -> RpcResult<RevokedShare> {
		crate::custodian::grants::revoke(&self.custodian, grant_id).await
	}

	async fn access_shared(&self, request: AccessShared) -> RpcResult<SharedFields> {
		let record_id = parse_record_id(&request.record_id)?;
		let result =
			crate::custodian::sharing::access_shared(&self.custodian, request, record_id).await;
		let (outcome, reason) = access_outcome(&result);
		self.custodian.metrics.accesses.with_label_values(&[outcome, &reason]).inc();
		result
	}

	async fn retry_access(&self, request: RetryAccess) -> RpcResult<SharedFields> {
		crate::custodian::sharing::retry(&self.custodian, request).await
	}

	async fn access_log(&self, query: AccessLogQuery) -> RpcResult<AccessLogPage> {
		let query = access_log::Query::parse(&query)?;
		let _turn = self.audit_turn().await?;
		let custodian = &self.custodian;
		let page = access_log::page(&custodian.client, &custodian.refusals, query).await?;
		access_log::to_json(&custodian.client, page)
	}

	async fn export_fhir(&self, request: ExportFhir) -> RpcResult<serde_json::Value> {
		let _turn = self.audit_turn().await?;
		crate::audit::export::bundle(&self.custodian, request).await
	}

	async fn subscribe_events(
		&self,
		pending: jsonrpsee::PendingSubscriptionSink,
		ext: &jsonrpsee::Extensions,
		filter: SubscribeFilter,
	) -> jsonrpsee::core::SubscriptionResult {
		use crate::custodian::notifications::Subject;
		let own = self.custodian.hospital;
		let holder = match holder(ext) {
			Ok(holder) => holder,
			Err(error) => {
				pending.reject(error).await;
				return Ok(());
			}
		};
		if let Some(bound) = holder.patient {
			let asked = filter.patient.as_deref().map(fields::patient);
			if !matches!(asked, Some(Ok(asked)) if asked == bound) || filter.hospital.is_some() {
				pending
					.reject(ErrorCode::Forbidden.error(format!(
						"a patient token follows its own patient only (0x{})",
						hex::encode(bound)
					)))
					.await;
				return Ok(());
			}
		}
		let subject = match (filter.patient, filter.hospital) {
			(Some(patient), None) => match self.own_patient(&patient) {
				Ok(patient) => Subject::Patient(patient),
				Err(error) => {
					pending.reject(error).await;
					return Ok(());
				}
			},
			(None, Some(hospital)) if hospital == own => Subject::Hospital(hospital),
			(None, Some(hospital)) => {
				pending
					.reject(ErrorCode::Forbidden.error(format!(
						"this node follows hospital {own}, not hospital {hospital}"
					)))
					.await;
				return Ok(());
			}
			_ => {
				pending
					.reject(
						ErrorCode::InvalidSubscribeFilter
							.error("name exactly one of patient and hospital"),
					)
					.await;
				return Ok(());
			}
		};
		let sink = pending.accept().await?;
		let feed = self.custodian.notifications.subscribe();
		crate::custodian::notifications::stream(feed, subject, sink).await;
		Ok(())
	}

	async fn erase_record(
		&self,
		ext: &jsonrpsee::Extensions,
		record_id: String,
		patient_approval: Option<PatientApproval>,
	) -> RpcResult<ErasureReceipt> {
		let id = parse_record_id(&record_id)?;
		let holder = holder(ext)?;
		let (stored, due) = self.stored(id).await?;
		acting_for(&holder, &stored)?;
		// An admin erases on the hospital's authority; an app or the patient's own token only
		// with the patient's approval.
		if holder.role != Role::Admin {
			let approval = patient_approval.ok_or_else(|| {
				ErrorCode::Forbidden.error(format!(
					"role {} may erase a record only with the patient's approval (patientApproval)",
					holder.role.name()
				))
			})?;
			self.check_patient_signature(
				id,
				&holder,
				&stored,
				&approval.challenge,
				&approval.signature,
				challenge::erase_message,
			)?;
		}
		if let Some(erasure) = self.erasure(id, &stored, due) {
			return Ok(erasure);
		}
		match stored.state {
			AnchorState::Anchored { .. } => {}
			// Never on chain and never will be: the data key is destroyed here, with no chain
			// event, so a record sent with a wrong pseudonym does not stay readable.
			AnchorState::Failed { .. } => return self.shred_unanchored(id).await,
			AnchorState::Stored => {
				return Err(ErrorCode::RecordNotAnchored.error(format!(
					"record {record_id} is not anchored on chain yet; erase it once its status is finalized or failed"
				)))
			}
		}
		let _permit = self.custodian.app_transaction_permit()?;
		let tx = self.custodian.erasures.request(id).await.map_err(|error| {
			ErrorCode::TransactionRefused.error(format!("the pool refused the erase: {error}"))
		})?;
		if let Ok(mut requested) = self.custodian.erase_requests.lock() {
			requested.insert(id, tx);
		}
		Ok(ErasureReceipt {
			record_id: to_hex(&id),
			status: ErasureStatus::Requested,
			transaction: Some(to_hex(tx.as_bytes())),
			due_block: None,
			key_id: None,
			retired_epoch: None,
		})
	}
}

impl AppRpc {
	/// Destroys the data key of record `id`, whose anchor failed.
	async fn shred_unanchored(&self, id: RecordId) -> RpcResult<ErasureReceipt> {
		let store = self.custodian.store.clone();
		let receipts = tokio::task::spawn_blocking(move || store.shred(&[id]))
			.await
			.map_err(|error| ErrorCode::StoreUnavailable.error(error.to_string()))?
			.map_err(store_error)?;
		let receipt = receipts
			.into_iter()
			.next()
			.ok_or_else(|| ErrorCode::StoreUnavailable.error("the store returned no receipt"))?;
		log::info!(
			target: "medchain::erasure",
			"record 0x{} (anchor failed) erased: data key {} destroyed with KEK epoch {}",
			hex::encode(id),
			hex::encode(receipt.key_id),
			receipt.retired_epoch
		);
		Ok(ErasureReceipt {
			record_id: to_hex(&id),
			status: ErasureStatus::Erased,
			transaction: None,
			due_block: None,
			key_id: Some(to_hex(&receipt.key_id)),
			retired_epoch: Some(receipt.retired_epoch),
		})
	}

	/// Waits for a turn to run an audit query.
	async fn audit_turn(&self) -> RpcResult<tokio::sync::SemaphorePermit<'_>> {
		self.audits
			.acquire()
			.await
			.map_err(|error| ErrorCode::StoreUnavailable.error(error.to_string()))
	}

	/// `patient` (SS58 or hex), if this hospital registered it: a node streams only its own
	/// patients' events.
	fn own_patient(&self, patient: &str) -> Result<medchain_runtime::AccountId, ErrorObjectOwned> {
		let patient = medchain_runtime::AccountId::from(fields::patient(patient)?);
		let client = &self.custodian.client;
		let registered =
			chain::registering_hospital(client, client.info().finalized_hash, &patient)
				.map_err(|error| ErrorCode::StoreUnavailable.error(error))?;
		if registered != Some(self.custodian.hospital) {
			return Err(ErrorCode::Forbidden.error("this hospital did not register this patient"));
		}
		Ok(patient)
	}

	/// Uses up `challenge` and checks that `signature` is the record's patient's signature of
	/// the message `message` makes of it.
	fn check_patient_signature(
		&self,
		id: RecordId,
		holder: &Holder,
		stored: &StoredRecord,
		challenge: &str,
		signature: &str,
		message: fn(&[u8; 32], &[u8; 32], &[u8; 32]) -> Vec<u8>,
	) -> Result<(), ErrorObjectOwned> {
		let challenge = from_hex32(challenge)
			.filter(|challenge| self.custodian.challenges.redeem(challenge, &id, &holder.id))
			.ok_or_else(|| {
				ErrorCode::ChallengeInvalid
					.error("unknown, used or expired challenge, or one for another record or token")
			})?;
		let genesis = self.custodian.client.info().genesis_hash;
		let signature = parse_signature(signature)?;
		if !signed_by_patient(&stored.patient, &message(&genesis.0, &id, &challenge), &signature) {
			return Err(ErrorCode::SignatureInvalid.error(
				"the signature is not the record's patient's signature of the challenge message",
			));
		}
		Ok(())
	}

	/// Record `id` as stored, and when its scheduled erasure is due.
	async fn stored(&self, id: RecordId) -> RpcResult<(StoredRecord, Option<u32>)> {
		let store = self.custodian.store.clone();
		let (stored, due) = tokio::task::spawn_blocking(move || {
			Ok::<_, StoreError>((store.record(&id)?, store.erasure_due(&id)?))
		})
		.await
		.map_err(|error| ErrorCode::StoreUnavailable.error(error.to_string()))?
		.map_err(store_error)?;
		let stored = stored
			.ok_or_else(|| ErrorCode::RecordNotFound.error(format!("no record {}", to_hex(&id))))?;
		Ok((stored, due))
	}

	/// Where record `id`'s erasure stands, if one was asked for.
	fn erasure(
		&self,
		id: RecordId,
		stored: &StoredRecord,
		due: Option<u32>,
	) -> Option<ErasureReceipt> {
		let mut receipt = ErasureReceipt {
			record_id: to_hex(&id),
			status: ErasureStatus::Requested,
			transaction: None,
			due_block: None,
			key_id: None,
			retired_epoch: None,
		};
		if let Some(shred) = &stored.erased {
			receipt.status = ErasureStatus::Erased;
			receipt.key_id = Some(to_hex(&shred.key_id));
			receipt.retired_epoch = Some(shred.retired_epoch);
		} else if let Some(due) = due {
			receipt.status = ErasureStatus::Scheduled;
			receipt.due_block = Some(due);
		} else {
			let requested = self.custodian.erase_requests.lock().ok()?.get(&id).copied()?;
			receipt.transaction = Some(to_hex(requested.as_bytes()));
		}
		Some(receipt)
	}

	async fn submit(
		&self,
		submitter: Holder,
		records: Vec<SubmitRecord>,
	) -> RpcResult<Vec<SubmittedRecord>> {
		let new_records = records
			.iter()
			.map(|record| new_record(submitter.id, record))
			.collect::<Result<Vec<_>, _>>()?;
		let store = self.custodian.store.clone();
		let receipts = tokio::task::spawn_blocking(move || store.submit(&new_records))
			.await
			.map_err(|error| ErrorCode::StoreUnavailable.error(error.to_string()))?
			.map_err(store_error)?;
		let created = receipts.iter().filter(|receipt| receipt.created).count();
		if created > 0 {
			self.custodian
				.metrics
				.records_stored
				.inc_by(u64::try_from(created).unwrap_or(u64::MAX));
			self.custodian.wake.notify_one();
		}
		Ok(receipts.into_iter().map(submitted).collect())
	}
}

/// The caller's token, as the bearer layer found it.
fn holder(ext: &jsonrpsee::Extensions) -> Result<Holder, ErrorObjectOwned> {
	ext.get::<Holder>().copied().ok_or_else(|| ErrorCode::Unauthorized.error("no token"))
}

/// Refuses a `patient` token asking about another patient's record.
fn acting_for(holder: &Holder, stored: &StoredRecord) -> Result<(), ErrorObjectOwned> {
	if holder.may_act_for(&stored.patient) {
		return Ok(());
	}
	Err(ErrorCode::Forbidden.error("this patient token acts for another patient"))
}

/// An `accessShared` result as the metrics count it: `granted` once the chain logged the entry
/// (even if the fields did not arrive), `pending` while the transaction waits in the pool, else
/// `refused` with the error's name.
fn access_outcome(result: &RpcResult<SharedFields>) -> (&'static str, String) {
	let Err(error) = result else { return ("granted", String::new()) };
	match ErrorCode::from_code(error.code()) {
		Some(
			code @ (ErrorCode::CustodianUnavailable
			| ErrorCode::ReleaseRefused
			| ErrorCode::FieldsUnverified),
		) => ("granted", format!("{code:?}")),
		// Logged in a block that is not final yet, or still in the pool with nothing logged.
		Some(code @ ErrorCode::NotFinalYet) => {
			let logged = error
				.data()
				.and_then(|data| serde_json::from_str::<serde_json::Value>(data.get()).ok())
				.is_some_and(|data| data["accessId"].is_u64());
			(if logged { "granted" } else { "pending" }, format!("{code:?}"))
		}
		Some(code) => ("refused", format!("{code:?}")),
		None => ("refused", error.code().to_string()),
	}
}

fn parse_record_id(text: &str) -> Result<RecordId, ErrorObjectOwned> {
	from_hex32(text).ok_or_else(|| {
		ErrorCode::InvalidRecordId.error("a record id is 0x-prefixed hex of 32 bytes")
	})
}

fn parse_signature(text: &str) -> Result<[u8; 64], ErrorObjectOwned> {
	let mut signature = [0u8; 64];
	text.strip_prefix("0x")
		.and_then(|hex_text| hex::decode_to_slice(hex_text, &mut signature).ok())
		.map(|()| signature)
		.ok_or_else(|| {
			ErrorCode::SignatureInvalid.error("a signature is 0x-prefixed hex of 64 bytes")
		})
}

fn unix_millis() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map_or(0, |elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
}

/// `record` as the store takes it, its request id scoped to the `submitter` token.
fn new_record(submitter: [u8; 32], record: &SubmitRecord) -> Result<NewRecord, ErrorObjectOwned> {
	let record_type = fields::record_type(&record.record_type)?;
	Ok(NewRecord {
		submitter,
		client_request_id: fields::client_request_id(&record.client_request_id)?.to_owned(),
		patient: fields::patient(&record.patient)?,
		record_type,
		values: fields::values(record_type, &record.fields)?,
	})
}

fn submitted(receipt: StoredReceipt) -> SubmittedRecord {
	let status = match receipt.state {
		AnchorState::Stored => AnchorStatus::Stored,
		AnchorState::Anchored { .. } => AnchorStatus::Finalized,
		AnchorState::Failed { .. } => AnchorStatus::Failed,
	};
	SubmittedRecord {
		record_id: to_hex(&receipt.record_id),
		field_root: to_hex(&receipt.field_root),
		status,
	}
}

fn store_error(error: StoreError) -> ErrorObjectOwned {
	match error {
		StoreError::RecordTooLarge { index, size, max } => ErrorCode::RecordTooLarge
			.error(format!("record {index} (counting from 0) holds {size} bytes of field values; the most is {max}")),
		StoreError::TooManyRecords { count, max } => {
			ErrorCode::TooManyRecords.error(format!("{count} records; the most is {max}"))
		}
		StoreError::RequestIdConflict(id) => {
			ErrorCode::RequestIdConflict.error(format!("clientRequestId {id:?} was used for a different record"))
		}
		StoreError::NotFound(id) => ErrorCode::RecordNotFound.error(format!("no record {}", to_hex(&id))),
		StoreError::Erased(id) => ErrorCode::RecordErased.error(format!("record {} is erased", to_hex(&id))),
		StoreError::WrongFieldCount { .. } => ErrorCode::MissingField.error(error.to_string()),
		other => {
			log::error!(target: "medchain::rpc", "record store: {other}");
			ErrorCode::StoreUnavailable.error("the record store failed; nothing was stored")
		}
	}
}
