//! A command's result, printed as tables (the default) or as one JSON document (`--json`).
//!
//! An object's plain values become a two-column table (nested objects flattened to
//! `outer.inner`, empty values left out); each list of objects under it becomes a table of its
//! own, one row per item, the identifying columns ([`LEADING`]) first.

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use serde_json::{Map, Value};

/// The columns a reader looks for first, in this order; the others follow alphabetically.
const LEADING: [&str; 16] = [
	"id",
	"name",
	"status",
	"time",
	"outcome",
	"block",
	"accessId",
	"request",
	"kind",
	"by",
	"recordId",
	"recordType",
	"accessorHospital",
	"custodian",
	"fields",
	"purpose",
];

/// `value` as JSON.
pub fn to_json(value: impl serde::Serialize) -> crate::Result<Value> {
	serde_json::to_value(value).map_err(|e| e.to_string())
}

/// Prints `report` to standard output.
pub fn print(report: &Value, json: bool) {
	if json {
		println!("{}", serde_json::to_string_pretty(report).unwrap_or_default());
	} else {
		print!("{}", render(report));
	}
}

/// `report` as tables.
pub fn render(report: &Value) -> String {
	match report {
		Value::Object(object) => render_object(object),
		Value::Array(items) => rows_table(items),
		scalar => format!("{}\n", text(scalar)),
	}
}

fn render_object(object: &Map<String, Value>) -> String {
	let mut pairs = Vec::new();
	flatten("", object, &mut pairs);
	let mut out = String::new();
	if !pairs.is_empty() {
		let mut table = new_table();
		for (key, value) in pairs.iter().filter(|(_, value)| !value.is_null()) {
			table.add_row(vec![key.clone(), text(value)]);
		}
		out.push_str(&format!("{table}\n"));
	}
	for (key, value) in object {
		if let Value::Array(items) = value {
			if items.iter().any(Value::is_object) {
				out.push_str(&format!("{key} ({})\n{}", items.len(), rows_table(items)));
			}
		}
	}
	out
}

/// The plain values of `object` (not lists of objects), keys prefixed with `prefix`.
fn flatten(prefix: &str, object: &Map<String, Value>, pairs: &mut Vec<(String, Value)>) {
	for (key, value) in object {
		let name = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
		match value {
			Value::Object(inner) => flatten(&name, inner, pairs),
			Value::Array(items) if items.iter().any(Value::is_object) && prefix.is_empty() => {}
			other => pairs.push((name, other.clone())),
		}
	}
}

/// One row per item; the columns are the items' keys, in the order they first appear.
fn rows_table(items: &[Value]) -> String {
	if items.is_empty() {
		return "(none)\n".to_string();
	}
	let rows: Vec<Vec<(String, Value)>> = items
		.iter()
		.map(|item| match item {
			Value::Object(object) => {
				let mut pairs = Vec::new();
				flatten_all("", object, &mut pairs);
				pairs
			}
			scalar => vec![("value".to_string(), scalar.clone())],
		})
		.collect();
	let mut columns: Vec<String> = Vec::new();
	for (key, _) in rows.iter().flatten() {
		if !columns.contains(key) {
			columns.push(key.clone());
		}
	}
	let rank =
		|column: &String| LEADING.iter().position(|lead| lead == column).unwrap_or(LEADING.len());
	columns.sort_by_key(rank);
	let mut table = new_table();
	table.set_header(columns.clone());
	for row in &rows {
		table.add_row(columns.iter().map(|column| {
			row.iter()
				.find(|(key, _)| key == column)
				.map(|(_, value)| text(value))
				.unwrap_or_default()
		}));
	}
	format!("{table}\n")
}

/// Every value of `object`, nested objects flattened.
fn flatten_all(prefix: &str, object: &Map<String, Value>, pairs: &mut Vec<(String, Value)>) {
	for (key, value) in object {
		let name = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
		match value {
			Value::Object(inner) => flatten_all(&name, inner, pairs),
			other => pairs.push((name, other.clone())),
		}
	}
}

fn new_table() -> Table {
	let mut table = Table::new();
	table.load_preset(UTF8_FULL_CONDENSED);
	table
}

/// A value as a cell: strings without quotes (and without control characters, which could
/// drive the terminal), lists joined with commas, `null` as empty.
fn text(value: &Value) -> String {
	match value {
		Value::Null => String::new(),
		Value::String(text) => text.chars().filter(|c| !c.is_control()).collect(),
		Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
		other => other.to_string(),
	}
}

#[cfg(test)]
mod tests {
	use serde_json::json;

	use super::render;

	#[test]
	fn plain_values_and_lists_of_objects_become_tables() {
		let text = render(&json!({
			"recordId": "0xab",
			"erasure": {"status": "scheduled", "dueBlock": 9},
			"fields": ["code", "severity"],
			"rows": [{"accessId": 1, "release": {"block": 7}}, {"accessId": 2, "reason": "GrantRevoked"}],
		}));
		for expected in ["recordId", "0xab", "erasure.status", "scheduled", "code, severity"] {
			assert!(text.contains(expected), "{expected} in\n{text}");
		}
		assert!(text.contains("rows (2)"), "{text}");
		for column in ["accessId", "release.block", "reason", "GrantRevoked"] {
			assert!(text.contains(column), "{column} in\n{text}");
		}
		assert_eq!(render(&json!([])), "(none)\n");
		assert!(!render(&json!({"name": "A\u{1b}[2J"})).contains('\u{1b}'));
		assert!(!render(&json!({"next": null, "id": 1})).contains("next"));
		let table = render(&json!([{"admin": "x", "name": "A", "id": 0}]));
		let header = table.lines().nth(1).unwrap_or_default();
		assert!(
			header.find("id") < header.find("name") && header.find("name") < header.find("admin"),
			"{table}"
		);
	}
}
