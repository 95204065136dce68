//! Reads a node's Prometheus endpoint.

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::{client::legacy::Client, rt::TokioExecutor};

/// The text exposition of `http://127.0.0.1:{port}/metrics`.
pub async fn scrape(port: u16) -> crate::Result<String> {
	let url = format!("http://127.0.0.1:{port}/metrics");
	let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
	let uri = url.parse().map_err(|e| format!("bad url {url}: {e}"))?;
	let response = client.get(uri).await.map_err(|e| format!("GET {url}: {e}"))?;
	if !response.status().is_success() {
		return Err(format!("GET {url}: status {}", response.status()));
	}
	let body = response
		.into_body()
		.collect()
		.await
		.map_err(|e| format!("GET {url}: reading body: {e}"))?
		.to_bytes();
	String::from_utf8(body.to_vec()).map_err(|e| format!("GET {url}: body is not UTF-8: {e}"))
}

/// The value of the sample `name{labels…}` whose labels include `label`, e.g.
/// `sample(text, "substrate_block_height", "status=\"finalized\"")`.
pub fn sample(exposition: &str, name: &str, label: &str) -> Option<f64> {
	exposition
		.lines()
		.filter(|line| !line.starts_with('#'))
		.filter_map(|line| {
			let (series, value) = line.rsplit_once(' ')?;
			let (series_name, labels) = series.split_once('{').unwrap_or((series, ""));
			(series_name == name && labels.contains(label)).then(|| value.parse().ok())?
		})
		.next()
}

#[cfg(test)]
mod tests {
	use super::sample;

	#[test]
	fn sample_picks_the_labelled_series() {
		let text = "# HELP substrate_block_height Block height info of the chain\n\
			substrate_block_height{status=\"best\",chain=\"medchain_local\"} 12\n\
			substrate_block_height{status=\"finalized\",chain=\"medchain_local\"} 10\n";
		assert_eq!(sample(text, "substrate_block_height", "status=\"finalized\""), Some(10.0));
		assert_eq!(sample(text, "substrate_block_height", "status=\"best\""), Some(12.0));
		assert_eq!(sample(text, "substrate_block_height", "status=\"sync_target\""), None);
		assert_eq!(sample(text, "substrate_block_height_x", "status=\"best\""), None);
	}
}
