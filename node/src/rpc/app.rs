//! The medchain app RPC (`medchain-app-api`), served by the custodian on its own
//! authenticated listener: each method parses its parameters, calls `medchain_custodian` and
//! maps the answer.

use std::{net::SocketAddr, sync::Arc};

use jsonrpsee::{
	core::{async_trait, RpcResult},
	server::{
		serve_with_graceful_shutdown, BatchRequestConfig, RpcServiceBuilder, Server, ServerHandle,
	},
	types::ErrorObjectOwned,
	PendingSubscriptionSink, SubscriptionMessage, SubscriptionSink,
};
use medchain_app_api::{
	auth::{Holder, Role},
	limits::{
		MAX_BATCH_CALLS, MAX_BULK_RECORDS, MAX_REQUEST_BYTES, MAX_SUBSCRIPTIONS_PER_CONNECTION,
	},
	types::{
		AccessShared, CreateShare, CreatedShare, ErasureReceipt, FillPrescription,
		FilledPrescription, GetRecord, PatientApproval, PrescriptionVerification, RecordChallenge,
		RecordFields, RecordStatus, RetryAccess, RevokedShare, ShareConsent, ShareTerms,
		SharedFields, SubmitRecord, SubmittedRecord, SubscribeFilter, VerifyPrescription,
		MAX_HOSPITALS_PAGE,
	},
	AccessLogPage, AccessLogQuery, ErrorCode, ExportFhir, Hash32, Health, HospitalsPage,
	HospitalsQuery, MedchainApiServer, RecordId, RecordTypeFields, Session, WsTicket,
};
use medchain_custodian::{
	grants,
	notifications::{BlockNotifications, Subject},
	sharing, Custodian,
};

use super::{
	auth::{BearerAuthLayer, RoleGuard, TokenFile},
	connections::{Slots, MAX_CONNECTIONS},
	limits::{Limited, Limits},
	portal::PortalLayer,
	tickets::{Tickets, TICKET_LIFETIME},
	timing::Timed,
	tls::Acceptor,
};

/// How long a client may take over the TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Starts the medchain RPC on `addr`, with TLS when `tls` is given.
pub async fn start(
	addr: SocketAddr,
	tokens: TokenFile,
	tls: Option<Acceptor>,
	custodian: Arc<Custodian>,
) -> Result<ServerHandle, String> {
	let metrics = custodian.metrics().clone();
	let limits = Arc::new(Limits::default());
	let tokens = Arc::new(tokens);
	let guard_tokens = tokens.clone();
	let tickets = Arc::new(Tickets::default());
	let services = Server::builder()
		.max_request_body_size(MAX_REQUEST_BYTES)
		.max_connections(MAX_CONNECTIONS as u32)
		.set_batch_request_config(BatchRequestConfig::Limit(MAX_BATCH_CALLS))
		.max_subscriptions_per_connection(MAX_SUBSCRIPTIONS_PER_CONNECTION)
		.set_http_middleware(tower::ServiceBuilder::new().layer(PortalLayer).layer(
			BearerAuthLayer {
				tokens,
				limits: limits.clone(),
				max_request_bytes: MAX_REQUEST_BYTES,
				tickets: tickets.clone(),
			},
		))
		.set_rpc_middleware(
			RpcServiceBuilder::new()
				.layer_fn(move |service| Timed { service, metrics: metrics.clone() })
				.layer_fn(move |service| RoleGuard { service, tokens: guard_tokens.clone() })
				.layer_fn(move |service| Limited { service, limits: limits.clone() }),
		)
		.to_service_builder();
	let mut module = AppRpc { custodian, tickets }.into_rpc();
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
	tickets: Arc<Tickets>,
}

#[async_trait]
impl MedchainApiServer for AppRpc {
	async fn submit_record(
		&self,
		ext: &jsonrpsee::Extensions,
		record: SubmitRecord,
	) -> RpcResult<SubmittedRecord> {
		let mut submitted = self.custodian.submit(&holder(ext)?, vec![record]).await?;
		submitted.pop().ok_or_else(|| {
			ErrorCode::StoreUnavailable.error("the store returned no receipt").into()
		})
	}

	async fn submit_records(
		&self,
		ext: &jsonrpsee::Extensions,
		records: Vec<SubmitRecord>,
	) -> RpcResult<Vec<SubmittedRecord>> {
		if records.len() > MAX_BULK_RECORDS {
			return Err(ErrorCode::TooManyRecords
				.error(format!(
					"{} records; submitRecords takes at most {MAX_BULK_RECORDS}",
					records.len()
				))
				.into());
		}
		Ok(self.custodian.submit(&holder(ext)?, records).await?)
	}

	async fn record_status(&self, record_id: RecordId) -> RpcResult<RecordStatus> {
		Ok(self.custodian.record_status(record_id.0).await?)
	}

	async fn record_challenge(
		&self,
		ext: &jsonrpsee::Extensions,
		record_id: RecordId,
	) -> RpcResult<RecordChallenge> {
		Ok(self.custodian.record_challenge(&holder(ext)?, record_id.0).await?)
	}

	async fn get_record(
		&self,
		ext: &jsonrpsee::Extensions,
		request: GetRecord,
	) -> RpcResult<RecordFields> {
		Ok(self.custodian.get_record(&holder(ext)?, request).await?)
	}

	async fn prepare_share(&self, terms: ShareTerms) -> RpcResult<ShareConsent> {
		Ok(grants::prepare(&self.custodian, terms)?)
	}

	async fn create_share(&self, share: CreateShare) -> RpcResult<CreatedShare> {
		Ok(grants::create(&self.custodian, share).await?)
	}

	async fn health(&self) -> RpcResult<Health> {
		Ok(self.custodian.health().await)
	}

	async fn session(&self, ext: &jsonrpsee::Extensions) -> RpcResult<Session> {
		Ok(self.custodian.session(&holder(ext)?)?)
	}

	async fn ws_ticket(&self, ext: &jsonrpsee::Extensions) -> RpcResult<WsTicket> {
		let ticket = self
			.tickets
			.issue(holder(ext)?)
			.map_err(|refusal| ErrorCode::Busy.error(refusal.to_string()))?;
		Ok(WsTicket {
			ticket: Hash32(ticket),
			expires_in_seconds: u32::try_from(TICKET_LIFETIME.as_secs()).unwrap_or(u32::MAX),
		})
	}

	async fn record_types(&self) -> RpcResult<Vec<RecordTypeFields>> {
		Ok(medchain_app_api::fields::record_types())
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
		Ok(self.custodian.hospitals(query.from.unwrap_or(0), limit)?)
	}

	async fn revoke_share(&self, grant_id: u64) -> RpcResult<RevokedShare> {
		Ok(grants::revoke(&self.custodian, grant_id).await?)
	}

	async fn access_shared(&self, request: AccessShared) -> RpcResult<SharedFields> {
		Ok(sharing::access_shared(&self.custodian, request).await?)
	}

	async fn retry_access(&self, request: RetryAccess) -> RpcResult<SharedFields> {
		Ok(sharing::retry(&self.custodian, request).await?)
	}

	async fn verify_prescription(
		&self,
		ext: &jsonrpsee::Extensions,
		request: VerifyPrescription,
	) -> RpcResult<PrescriptionVerification> {
		Ok(self.custodian.verify_prescription(&holder(ext)?, request).await?)
	}

	async fn fill_prescription(&self, request: FillPrescription) -> RpcResult<FilledPrescription> {
		Ok(self.custodian.fill_prescription(request).await?)
	}

	async fn access_log(
		&self,
		ext: &jsonrpsee::Extensions,
		query: AccessLogQuery,
	) -> RpcResult<AccessLogPage> {
		let holder = holder(ext)?;
		let own_patient_only = query.patient.map(<[u8; 32]>::from) == holder.patient
			&& query.hospital.is_none()
			&& query.custodian.is_none()
			&& query.record.is_none();
		if holder.role == Role::Patient && !own_patient_only {
			return Err(ErrorCode::Forbidden
				.error("a patient token reads the accesses to its own patient's records only: {\"patient\": its pseudonym}")
				.into());
		}
		Ok(self.custodian.access_log(query).await?)
	}

	async fn export_fhir(&self, request: ExportFhir) -> RpcResult<serde_json::Value> {
		Ok(self.custodian.export_fhir(request).await?)
	}

	async fn subscribe_events(
		&self,
		pending: PendingSubscriptionSink,
		ext: &jsonrpsee::Extensions,
		filter: SubscribeFilter,
	) -> jsonrpsee::core::SubscriptionResult {
		let subscribed = holder(ext).and_then(|holder| {
			self.custodian.subscribe(&holder, filter).map_err(ErrorObjectOwned::from)
		});
		match subscribed {
			Ok((subject, feed)) => stream(feed, subject, pending.accept().await?).await,
			Err(error) => pending.reject(error).await,
		}
		Ok(())
	}

	async fn erase_record(
		&self,
		ext: &jsonrpsee::Extensions,
		record_id: RecordId,
		patient_approval: Option<PatientApproval>,
	) -> RpcResult<ErasureReceipt> {
		Ok(self.custodian.erase_record(&holder(ext)?, record_id.0, patient_approval).await?)
	}
}

/// Sends `subject`'s notifications from `feed` to `sink`, until the subscriber leaves or falls
/// `FEED_BLOCKS` blocks behind.
async fn stream(
	mut feed: tokio::sync::broadcast::Receiver<BlockNotifications>,
	subject: Subject,
	mut sink: SubscriptionSink,
) {
	use futures::future::Either;
	loop {
		let block =
			match futures::future::select(Box::pin(sink.closed()), Box::pin(feed.recv())).await {
				Either::Left(_) | Either::Right((Err(_), _)) => return,
				Either::Right((Ok(block), _)) => block,
			};
		for notification in block.iter().filter(|notification| subject.concerned(notification)) {
			let Ok(message) = SubscriptionMessage::from_json(notification) else { continue };
			// A subscriber that does not keep up is dropped, not waited for.
			if sink.try_send(message).is_err() {
				return;
			}
		}
	}
}

/// The caller's token, as the bearer layer found it.
fn holder(ext: &jsonrpsee::Extensions) -> Result<Holder, ErrorObjectOwned> {
	ext.get::<Holder>().copied().ok_or_else(|| ErrorCode::Unauthorized.error("no token").into())
}
