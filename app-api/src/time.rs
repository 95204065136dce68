//! The API's one time format: RFC 3339 in UTC with milliseconds, `2026-12-06T14:02:11.000Z`.

/// `unix_millis` in the API's time format.
pub fn rfc3339(unix_millis: u64) -> String {
	i64::try_from(unix_millis)
		.ok()
		.and_then(chrono::DateTime::from_timestamp_millis)
		.map(|time| time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
		.unwrap_or_default()
}

/// The time now, in Unix milliseconds.
pub fn now_unix_millis() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map_or(0, |elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
}

/// Unix milliseconds of an RFC 3339 time at or after 1970 (any offset, any precision).
pub fn parse_rfc3339(text: &str) -> Option<u64> {
	chrono::DateTime::parse_from_rfc3339(text)
		.ok()
		.and_then(|time| u64::try_from(time.timestamp_millis()).ok())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn times_are_utc_with_milliseconds() {
		assert_eq!(rfc3339(1_795_996_800_000), "2026-11-30T00:00:00.000Z");
		assert_eq!(rfc3339(1_795_996_800_042), "2026-11-30T00:00:00.042Z");
		assert_eq!(parse_rfc3339("2026-12-01T00:00:00+01:00"), Some(1_796_079_600_000));
		assert_eq!(parse_rfc3339("1969-12-31T23:59:59Z"), None);
		assert_eq!(parse_rfc3339("yesterday"), None);
	}
}
