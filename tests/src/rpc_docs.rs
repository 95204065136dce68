//! The JSON examples of `docs/rpc.md`, read for the test that sends them to a live node
//! (`tests/rpc_docs.rs`): which are requests, which answer them, how a request's shortened or
//! stand-in values are filled with live ones, and whether an answer has the documented shape.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// A documented request, and the documented answer with the same id that follows it.
#[derive(Clone, Debug)]
pub struct Example {
	/// The request, as documented.
	pub request: Value,
	/// The answer's `result`, or `{"error": …}`; `None` if the page shows none.
	pub answer: Option<Value>,
}

impl Example {
	/// The request's method.
	pub fn method(&self) -> &str {
		self.request["method"].as_str().unwrap_or_default()
	}
}

/// What `docs/rpc.md` shows: its requests with their answers, the notification examples, and
/// the answers that follow no request of their id (error examples).
#[derive(Debug, Default)]
pub struct Examples {
	/// Requests, in page order.
	pub requests: Vec<Example>,
	/// `medchain_notification` messages.
	pub notifications: Vec<Value>,
	/// Answers to no shown request.
	pub lone_answers: Vec<Value>,
}

/// The examples of the Markdown `page`: every fenced `json` block, which must parse.
pub fn examples(page: &str) -> crate::Result<Examples> {
	let mut found = Examples::default();
	let mut block: Option<(usize, String)> = None;
	for (number, line) in page.lines().enumerate() {
		match &mut block {
			None if line.trim() == "```json" => block = Some((number + 1, String::new())),
			None => {}
			Some((start, text)) if line.trim() == "```" => {
				let value: Value = serde_json::from_str(text)
					.map_err(|e| format!("the json block at line {start} does not parse: {e}"))?;
				found.add(value).map_err(|e| format!("the json block at line {start}: {e}"))?;
				block = None;
			}
			Some((_, text)) => {
				text.push_str(line);
				text.push('\n');
			}
		}
	}
	Ok(found)
}

impl Examples {
	fn add(&mut self, value: Value) -> crate::Result<()> {
		let answer = value
			.get("result")
			.cloned()
			.or_else(|| value.get("error").map(|error| serde_json::json!({ "error": error })));
		if value["method"] == "medchain_notification" {
			self.notifications.push(value);
		} else if value.get("method").is_some() {
			self.requests.push(Example { request: value, answer: None });
		} else if let Some(answer) = answer {
			let asked =
				self.requests.iter_mut().rev().find(|example| {
					example.answer.is_none() && example.request["id"] == value["id"]
				});
			match asked {
				Some(example) => example.answer = Some(answer),
				None => self.lone_answers.push(value),
			}
		} else {
			return Err("neither a request, an answer nor a notification".into());
		}
		Ok(())
	}
}

/// `request` with live values: each value that is shortened (holds `…`) or whose key is one of
/// `live`'s is replaced with `live`'s; positional params are keyed by the method's parameter
/// names (`names`). A shortened value with no live one is an error.
pub fn fill(
	request: &Value,
	names: &[String],
	live: &HashMap<String, Value>,
) -> crate::Result<Vec<Value>> {
	let params = request["params"].as_array().ok_or("params are not a list")?;
	params
		.iter()
		.enumerate()
		.map(|(index, param)| match names.get(index) {
			Some(name) if param.is_string() || param.is_number() => fill_value(name, param, live),
			_ => fill_value("", param, live),
		})
		.collect()
}

fn fill_value(key: &str, value: &Value, live: &HashMap<String, Value>) -> crate::Result<Value> {
	if let Some(live) = live.get(key) {
		return Ok(live.clone());
	}
	match value {
		Value::String(text) if text.contains('…') => {
			Err(format!("{key:?}: the shortened {text:?} has no live value"))
		}
		Value::Object(members) => members
			.iter()
			.map(|(key, value)| Ok((key.clone(), fill_value(key, value, live)?)))
			.collect::<crate::Result<Map<_, _>>>()
			.map(Value::Object),
		Value::Array(items) => items
			.iter()
			.map(|item| fill_value(key, item, live))
			.collect::<crate::Result<_>>()
			.map(Value::Array),
		other => Ok(other.clone()),
	}
}

/// Answer members that hold 32 bytes: `0x` and 64 hex digits, even where the page shortens
/// them.
const HEX32_KEYS: [&str; 10] = [
	"recordId",
	"fieldRoot",
	"patient",
	"blockHash",
	"transaction",
	"releaseTransaction",
	"responseHash",
	"signer",
	"challenge",
	"block",
];

/// Why `actual` does not have the shape of the documented `documented`, if it does not:
///
/// - an object has every key the example shows (examples may leave optional members out), and
///   `null` only where the example shows `null`;
/// - a list's elements are a union (access-log rows: granted or refused): each element has the
///   keys every documented element shows, and only keys some documented element shows (of
///   those, a value may be `null`: another kind's member);
/// - values have the documented JSON type; a documented `0x` value is answered as lowercase
///   `0x` hex (as long as shown, or 64 digits for ids and hashes), and a documented time in the
///   same format.
pub fn shape_mismatch(documented: &Value, actual: &Value) -> Option<String> {
	mismatch("$", "", documented, actual)
}

fn mismatch(path: &str, key: &str, documented: &Value, actual: &Value) -> Option<String> {
	match (documented, actual) {
		(Value::Null, _) => None,
		(Value::Bool(_), Value::Bool(_)) => None,
		(Value::Number(doc), Value::Number(got)) => {
			(doc.is_f64() != got.is_f64()).then(|| format!("{path}: {got} is not like {doc}"))
		}
		(Value::String(doc), Value::String(got)) => string_mismatch(path, key, doc, got),
		(Value::Object(doc), Value::Object(got)) => doc.iter().find_map(|(key, value)| {
			let path = format!("{path}.{key}");
			match got.get(key) {
				None => Some(format!("{path} is documented, and missing")),
				Some(got) => mismatch(&path, key, value, got),
			}
		}),
		(Value::Array(doc), Value::Array(got)) => list_mismatch(path, key, doc, got),
		_ => Some(format!("{path}: {actual} is not of the documented type of {documented}")),
	}
}

fn list_mismatch(path: &str, key: &str, documented: &[Value], actual: &[Value]) -> Option<String> {
	if documented.is_empty() {
		return None;
	}
	if actual.is_empty() {
		return Some(format!("{path}: documented with elements, answered empty"));
	}
	let every_element_shows = |member: &String| {
		documented.iter().all(|doc| doc.get(member).is_some_and(|value| !value.is_null()))
	};
	let required: Vec<&String> = match &documented[0] {
		Value::Object(first) => first.keys().filter(|member| every_element_shows(member)).collect(),
		_ => Vec::new(),
	};
	actual.iter().enumerate().find_map(|(index, got)| {
		let path = format!("{path}[{index}]");
		let Value::Object(members) = got else {
			return mismatch(&path, key, &documented[0], got);
		};
		if let Some(missing) = required.iter().find(|member| !members.contains_key(**member)) {
			return Some(format!("{path}.{missing} is documented in every element, and missing"));
		}
		members.iter().find_map(|(member, value)| {
			let path = format!("{path}.{member}");
			match documented.iter().find_map(|doc| doc.get(member)) {
				None => Some(format!("{path} is answered, and documented in no element")),
				Some(_) if value.is_null() => None,
				Some(doc) => mismatch(&path, member, doc, value),
			}
		})
	})
}

fn string_mismatch(path: &str, key: &str, documented: &str, actual: &str) -> Option<String> {
	if let Some(shown) = documented.strip_prefix("0x") {
		let digits = actual.strip_prefix("0x").unwrap_or("-");
		if !digits.len().is_multiple_of(2)
			|| !digits.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
		{
			return Some(format!("{path}: {actual:?} is not lowercase 0x-hex like {documented:?}"));
		}
		let length = match shown.contains('…') {
			false => Some(shown.len()),
			true => HEX32_KEYS.contains(&key).then_some(64),
		};
		if length.is_some_and(|length| digits.len() != length) {
			return Some(format!("{path}: {actual:?} is not as long as {documented:?}"));
		}
	}
	if is_time(documented) && !is_time(actual) {
		return Some(format!("{path}: {actual:?} is not a time like {documented:?}"));
	}
	None
}

/// Whether `text` is a time in the API's one format: RFC 3339, UTC, with milliseconds.
fn is_time(text: &str) -> bool {
	let bytes = text.as_bytes();
	let digits = |range: std::ops::Range<usize>| {
		bytes.get(range).is_some_and(|part| part.iter().all(u8::is_ascii_digit))
	};
	bytes.len() == 24
		&& digits(0..4)
		&& digits(5..7)
		&& digits(8..10)
		&& digits(11..13)
		&& digits(14..16)
		&& digits(17..19)
		&& digits(20..23)
		&& [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':'), (19, b'.'), (23, b'Z')]
			.iter()
			.all(|(at, byte)| bytes.get(*at) == Some(byte))
}

#[cfg(test)]
mod tests {
	use super::*;
	use serde_json::json;

	const PAGE: &str = "intro\n```json\n{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"m_a\",\"params\":[\"0x12…\"]}\n```\n\
		```json\n{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"a\":1}}\n```\n```json\n\
		{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":-32031,\"message\":\"x\"}}\n```\n\
		```json\n{\"jsonrpc\":\"2.0\",\"method\":\"medchain_notification\",\"params\":{}}\n```\n";

	#[test]
	fn requests_are_paired_with_the_answer_of_their_id() {
		let found = examples(PAGE).unwrap();
		assert_eq!(found.requests.len(), 1);
		assert_eq!(found.requests[0].method(), "m_a");
		assert_eq!(found.requests[0].answer, Some(json!({ "a": 1 })));
		assert_eq!(found.lone_answers.len(), 1);
		assert_eq!(found.notifications.len(), 1);
		assert!(examples("```json\n{\"a\": …}\n```\n").unwrap_err().contains("line 1"));
		assert!(examples("```json\n{\"a\": 1}\n```\n").unwrap_err().contains("neither"));
	}

	#[test]
	fn shortened_and_live_values_are_filled_by_key_or_parameter_name() {
		let live = HashMap::from([("recordId".to_string(), json!("0xab"))]);
		let request = json!({ "params": ["0x12…", { "recordId": "0x5e…", "limit": 2 }] });
		let names = ["recordId".to_string()];
		assert_eq!(
			fill(&request, &names, &live).unwrap(),
			vec![json!("0xab"), json!({ "recordId": "0xab", "limit": 2 })]
		);
		let unknown = json!({ "params": [{ "challenge": "0x41…" }] });
		assert!(fill(&unknown, &names, &live).unwrap_err().contains("challenge"));
	}

	#[test]
	fn an_answer_off_the_documented_shape_is_named() {
		let documented = json!({
			"recordId": "0x5e1c…", "status": "finalized", "blockNumber": 118,
			"expiresAt": "2026-11-30T01:43:20.000Z", "root": format!("0x{}", "00".repeat(32)),
			"rows": [{ "outcome": "granted", "grantId": 1 }, { "outcome": "refused", "reason": "x" }],
			"next": null,
		});
		let good = json!({
			"recordId": format!("0x{}", "ab".repeat(32)), "status": "stored", "blockNumber": 7,
			"extra": true, "expiresAt": "2026-12-06T19:00:00.123Z",
			"root": format!("0x{}", "11".repeat(32)), "next": 3,
			"rows": [{ "outcome": "granted", "grantId": null }, { "outcome": "refused" }],
		});
		assert_eq!(shape_mismatch(&documented, &good), None);
		let broken = |change: fn(&mut Value)| {
			let mut answer = good.clone();
			change(&mut answer);
			shape_mismatch(&documented, &answer).unwrap_or_default()
		};
		assert!(broken(|a| a["blockNumber"] = json!("7")).contains("$.blockNumber"));
		assert!(broken(|a| a["expiresAt"] = json!(1_764_467_000_000u64)).contains("expiresAt"));
		assert!(broken(|a| a["expiresAt"] = json!("2026-12-06T19:00:00Z")).contains("time"));
		assert!(broken(|a| a["recordId"] = json!("5Ci")).contains("0x-hex"));
		assert!(broken(|a| a["recordId"] = json!("0xab")).contains("as long"));
		assert!(broken(|a| a["recordId"] = json!(format!("0x{}", "AB".repeat(32))))
			.contains("lowercase"));
		assert!(broken(|a| a["root"] = json!("0x11")).contains("as long"));
		assert!(broken(|a| a["status"] = Value::Null).contains("$.status"));
		assert!(broken(|a| a["rows"][0] = json!({ "grantId": 1 })).contains("rows[0].outcome"));
		assert!(broken(|a| a.as_object_mut().unwrap().clear()).contains("missing"));
		assert!(broken(|a| a["rows"][1]["erased"] = json!(false)).contains("rows[1].erased"));
		assert!(broken(|a| a["rows"] = json!([])).contains("answered empty"));
	}
}
