//! Every hospital node serves Prometheus metrics, and its finalized-height metric matches RPC.

use std::time::Duration;

use medchain_tests::{
	metrics::{sample, scrape},
	network::LocalNetwork,
	rpc::wait_until,
};

#[tokio::test(flavor = "multi_thread")]
async fn prometheus_finalized_height_matches_rpc() -> medchain_tests::Result<()> {
	let net = LocalNetwork::start()?;
	net.wait_finalized(&[0, 1, 2, 3], 2, Duration::from_secs(180)).await?;

	for node in &net.nodes {
		let chain = node.chain()?;
		let port = node.prometheus_port;
		// Finality moves on between calls, so compare within a window where RPC is stable.
		let height = wait_until(
			&format!("{}'s finalized metric to match RPC", node.spec.name),
			Duration::from_secs(30),
			|| {
				let chain = chain.clone();
				async move {
					let before = chain.finalized_number().await?;
					let text = scrape(port).await?;
					let metric = sample(&text, "substrate_block_height", "status=\"finalized\"")
						.ok_or("no substrate_block_height{status=\"finalized\"} sample")?;
					let after = chain.finalized_number().await?;
					Ok((before == after && metric == f64::from(before)).then_some(before))
				}
			},
		)
		.await?;
		assert!(height >= 2, "{} reported finalized height {height}", node.spec.name);
		println!("{}: finalized #{height} on RPC and Prometheus (port {port})", node.spec.name);
	}
	Ok(())
}
